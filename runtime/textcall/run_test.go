package textcall

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// keyChat answers by the caller's last line: "bye" calls the hang_up
// tool, "person" the transfer tool, anything else is echoed. It keeps
// the requests.
type keyChat struct {
	mu   sync.Mutex
	reqs []provider.ChatRequest
}

func (c *keyChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	last := req.Messages[len(req.Messages)-1]
	var deltas []provider.ChatDelta
	switch {
	case last.Role == provider.RoleTool:
		deltas = []provider.ChatDelta{{Text: "Done."}}
	case strings.Contains(last.Content, "bye"):
		deltas = []provider.ChatDelta{{Text: "Goodbye!"}, {ToolCalls: []provider.ToolCall{{ID: "c1", Name: "hang_up", Arguments: "{}"}}}}
	case strings.Contains(last.Content, "person"):
		deltas = []provider.ChatDelta{{Text: "Passing you on."}, {ToolCalls: []provider.ToolCall{{ID: "c2", Name: "transfer", Arguments: `{"destination":"team"}`}}}}
	default:
		deltas = []provider.ChatDelta{{Text: "You said: "}, {Text: last.Content + "."}}
	}
	return provider.Produce(ctx, func(_ context.Context, send func(provider.ChatDelta) error) error {
		for _, d := range deltas {
			if err := send(d); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

// moodSentiment calls a line with "great" positive, else neutral.
type moodSentiment struct{}

func (moodSentiment) Analyze(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if strings.Contains(req.Text, "great") {
		return provider.SentimentResult{Label: "positive", Score: 0.9}, nil
	}
	return provider.SentimentResult{Label: "neutral", Score: 0.5}, nil
}

const testAgent = `name: tried
language: en
system_prompt: You help {{who}}.
greeting: Hello {{who}}!
variables:
  who: {type: string, default: everyone}
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
  sentiment: {plugin: sentiment}
tools:
  - {name: hang_up, end_call: {}}
  - name: transfer
    transfer_call: {destinations: {team: "+15555550100"}}
tests:
  - name: passes
    variables: {who: Ann}
    greeting: hello ann
    steps:
      - say: this is great
        expect: {reply: "you said: this is great", sentiment: positive, hangup: false}
      - say: a person please
        expect: {contains: passing, tool: transfer, arguments: {destination: team}, transfer: team, hangup: true}
  - name: fails
    steps:
      - say: hello there
        expect:
          reply: ^goodbye
          tool: hang_up
          sentiment: negative
      - say: bye
        expect: {hangup: false}
      - say: still there?
`

func TestRun(t *testing.T) {
	spec, err := agent.Parse("tried.yaml", []byte(testAgent))
	require.NoError(t, err)
	chat := &keyChat{}
	p := Providers{Chat: chat, Sentiment: moodSentiment{}}

	ok := Run(context.Background(), spec, 0, p, nil)
	require.True(t, ok.Passed(), "%v", ok.Failures)
	require.Equal(t, "Hello Ann!", ok.Greeting)
	require.Len(t, ok.Exchanges, 2)
	require.Positive(t, ok.Took)
	require.Equal(t, "+15555550100", ok.Exchanges[1].Turn.Transfer)
	// The second request carries the first exchange and the rendered prompt.
	reqs := chat.reqs
	require.Equal(t, "You help Ann.", reqs[1].SystemPrompt)
	require.Equal(t, "this is great", reqs[1].Messages[0].Content)
	require.Equal(t, "You said: this is great.", reqs[1].Messages[1].Content)

	bad := Run(context.Background(), spec, 1, p, nil)
	require.False(t, bad.Passed())
	var got []string
	for _, f := range bad.Failures {
		got = append(got, f.String())
		require.Positive(t, f.Line, f.Key)
	}
	require.Equal(t, []string{
		`step 1: reply "You said: hello there." does not match /^goodbye/`,
		`step 1: no tool was called (expected hang_up)`,
		`step 1: sentiment is neutral (score 0.50), not negative`,
		`step 2: the agent hung up`,
		`step 3: the agent hung up at step 2; no step can follow it`,
	}, got)
	require.Equal(t, 29, bad.Failures[0].Line) // the reply: line
	require.Equal(t, "tests[1].steps[0].expect.reply", bad.Failures[0].Key)
	require.Equal(t, 34, bad.Failures[4].Line) // the third step
}

func TestSayLimits(t *testing.T) {
	spec, err := agent.Parse("tried.yaml", []byte(testAgent))
	require.NoError(t, err)
	s := New(Config{Spec: spec, Chat: &keyChat{}})
	_, err = s.Say(context.Background(), "   ", nil)
	require.ErrorIs(t, err, ErrBadLine)
	_, err = s.Say(context.Background(), strings.Repeat("a", agent.MaxSayBytes+1), nil)
	require.ErrorIs(t, err, ErrBadLine)
	turn, err := s.Say(context.Background(), "bye", nil)
	require.NoError(t, err)
	require.True(t, turn.Hangup)
	require.Len(t, turn.ToolCalls, 1)
	_, err = s.Say(context.Background(), "hello?", nil)
	require.ErrorIs(t, err, ErrEnded)
}
