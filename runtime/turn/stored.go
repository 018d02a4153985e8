package turn

import (
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/store"
)

// Heard is the caller's side of an exchange, as it is stored.
type Heard struct {
	Text       string
	Sentiment  *store.Sentiment // nil when not (yet) scored
	Start, End time.Time
	Timings    store.Timings
}

// Said is the agent's side of an exchange, as it is stored: Text is what
// the caller heard (what was played, when they interrupted it).
type Said struct {
	Text        string
	Interrupted bool
	Start, End  time.Time
	ToolCalls   []store.ToolCall
}

// Stored is what one exchange leaves in the call's history, the same for
// live calls, conversation/process and text calls: the caller's turn (when
// heard is not nil, as for greetings and apologies) and the agent's turn
// when it said anything or called a tool.
func Stored(heard *Heard, said Said) []*store.Turn {
	var out []*store.Turn
	if heard != nil {
		out = append(out, &store.Turn{Role: store.RoleUser, Text: heard.Text, Sentiment: heard.Sentiment,
			StartedAt: heard.Start, EndedAt: heard.End, Timings: heard.Timings})
	}
	if strings.TrimSpace(said.Text) != "" || len(said.ToolCalls) > 0 {
		out = append(out, &store.Turn{Role: store.RoleAssistant, Text: said.Text, Interrupted: said.Interrupted,
			StartedAt: said.Start, EndedAt: said.End, ToolCalls: said.ToolCalls})
	}
	return out
}
