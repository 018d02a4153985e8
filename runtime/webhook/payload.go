package webhook

import (
	"encoding/json"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// timeLayout is the times of a payload: UTC RFC 3339 with milliseconds,
// like the REST API's.
const timeLayout = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(timeLayout)
	return &s
}

func millis(d time.Duration) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(d.Microseconds()) / 1000
	return &v
}

// Event is the body of every delivery; fields a given event does not have
// are left out.
type Event struct {
	// ID identifies the event; it is the same in every attempt, so a
	// receiver dedupes by it.
	ID    string `json:"id"`
	Event string `json:"event"`
	// CreatedAt is when the event happened.
	CreatedAt string    `json:"createdAt"`
	Agent     string    `json:"agent"`
	Call      CallInfo  `json:"call"`
	ToolCall  *ToolCall `json:"toolCall,omitempty"`
	// The call-ended report.
	DurationSeconds *float64          `json:"durationSeconds,omitempty"`
	Transcript      *[]Turn           `json:"transcript,omitempty"`
	ToolCalls       *[]ToolCall       `json:"toolCalls,omitempty"`
	Sentiment       *SentimentSummary `json:"sentiment,omitempty"`
}

// CallInfo is the call an event is about.
type CallInfo struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	CallerNumber string  `json:"callerNumber"`
	CreatedAt    string  `json:"createdAt"`
	ConnectedAt  *string `json:"connectedAt,omitempty"`
	EndedAt      *string `json:"endedAt,omitempty"`
	EndReason    string  `json:"endReason,omitempty"`
}

func callInfo(c *call.Call) CallInfo {
	return CallInfo{
		ID: c.ID, Status: c.Status.String(), CallerNumber: c.CallerNumber.String(), CreatedAt: *stamp(c.CreatedAt),
		ConnectedAt: stamp(c.ConnectedAt), EndedAt: stamp(c.EndedAt), EndReason: c.EndReason,
	}
}

// Turn is one utterance of the transcript.
type Turn struct {
	Seq         int        `json:"seq"`
	Role        string     `json:"role"`
	Text        string     `json:"text"`
	StartedAt   *string    `json:"startedAt,omitempty"`
	EndedAt     *string    `json:"endedAt,omitempty"`
	Interrupted bool       `json:"interrupted"`
	Backchannel bool       `json:"backchannel,omitempty"`
	Sentiment   *Sentiment `json:"sentiment,omitempty"`
	Timings     *Timings   `json:"timings,omitempty"`
}

// Sentiment is the scored mood of a caller's turn.
type Sentiment struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// Timings are the measured stages of a turn, in milliseconds.
type Timings struct {
	STTFinalMs        *float64 `json:"sttFinalMs,omitempty"`
	ChatFirstTokenMs  *float64 `json:"chatFirstTokenMs,omitempty"`
	TTSFirstAudioMs   *float64 `json:"ttsFirstAudioMs,omitempty"`
	ResponseMs        *float64 `json:"responseMs,omitempty"`
	RuntimeOverheadMs *float64 `json:"runtimeOverheadMs,omitempty"`
	EndOfTurnWaitMs   *float64 `json:"endOfTurnWaitMs,omitempty"`
}

// ToolCall is one tool the agent called.
type ToolCall struct {
	TurnSeq    int      `json:"turnSeq,omitempty"`
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Arguments  string   `json:"arguments"`
	Result     string   `json:"result,omitempty"`
	Error      string   `json:"error,omitempty"`
	StartedAt  *string  `json:"startedAt,omitempty"`
	DurationMs *float64 `json:"durationMs,omitempty"`
}

func toolCall(seq int, tc store.ToolCall) ToolCall {
	return ToolCall{TurnSeq: seq, ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments, Result: tc.Result, Error: tc.Error,
		StartedAt: stamp(tc.StartedAt), DurationMs: millis(tc.Duration)}
}

// SentimentSummary sums up the scored caller turns of a call.
type SentimentSummary struct {
	// Counts is the number of scored turns per label.
	Counts map[string]int `json:"counts"`
	// MeanScore is the mean score in [0, 1] (0 most negative, 0.5
	// neutral); absent when no turn was scored.
	MeanScore *float64 `json:"meanScore,omitempty"`
}

// header is the part of every event.
func header(eventID, event string, at time.Time, c *call.Call) Event {
	return Event{ID: eventID, Event: event, CreatedAt: *stamp(at), Agent: c.Agent, Call: callInfo(c)}
}

// report builds the call-ended event of c from its stored turns.
func report(eventID string, at time.Time, c *call.Call, turns []*store.Turn) Event {
	e := header(eventID, "call-ended", at, c)
	if !c.ConnectedAt.IsZero() && !c.EndedAt.IsZero() {
		d := c.EndedAt.Sub(c.ConnectedAt).Seconds()
		e.DurationSeconds = &d
	} else {
		zero := 0.0
		e.DurationSeconds = &zero
	}
	transcript, tools := make([]Turn, 0, len(turns)), []ToolCall{}
	sum := &SentimentSummary{Counts: map[string]int{}}
	var total float64
	for _, t := range turns {
		tt := Turn{Seq: t.Seq, Role: string(t.Role), Text: t.Text, StartedAt: stamp(t.StartedAt), EndedAt: stamp(t.EndedAt), Interrupted: t.Interrupted, Backchannel: t.Backchannel}
		if t.Sentiment != nil {
			tt.Sentiment = &Sentiment{Label: t.Sentiment.Label, Score: t.Sentiment.Score}
			sum.Counts[t.Sentiment.Label]++
			total += t.Sentiment.Score
		}
		if tm := timings(t.Timings); tm != nil {
			tt.Timings = tm
		}
		transcript = append(transcript, tt)
		for _, tc := range t.ToolCalls {
			tools = append(tools, toolCall(t.Seq, tc))
		}
	}
	e.Transcript, e.ToolCalls = &transcript, &tools
	if n := countAll(sum.Counts); n > 0 {
		mean := total / float64(n)
		sum.MeanScore = &mean
	}
	e.Sentiment = sum
	return e
}

func countAll(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func timings(t store.Timings) *Timings {
	out := Timings{STTFinalMs: millis(t.STTFinalDelay), ChatFirstTokenMs: millis(t.ChatFirstToken), TTSFirstAudioMs: millis(t.TTSFirstAudio),
		RuntimeOverheadMs: millis(t.RuntimeOverhead), EndOfTurnWaitMs: millis(t.EndOfTurnWait)}
	if !t.SpeechEnd.IsZero() && t.FirstPacket.After(t.SpeechEnd) {
		out.ResponseMs = millis(t.FirstPacket.Sub(t.SpeechEnd))
	}
	if out == (Timings{}) {
		return nil
	}
	return &out
}

func encode(e Event) ([]byte, error) { return json.Marshal(e) }
