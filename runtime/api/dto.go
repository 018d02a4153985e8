package api

import (
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// isoTime formats like JavaScript's toISOString, as the original API does:
// UTC with milliseconds, "2024-12-14T10:00:00.000Z".
const isoTime = "2006-01-02T15:04:05.000Z"

func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(isoTime)
}

func isoPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := iso(t)
	return &s
}

// callDTO is a call as the API shows it; the first five fields are the
// original system's.
type callDTO struct {
	ID             string  `json:"id"`
	SessionID      string  `json:"sessionId"`
	CallerNumber   string  `json:"callerNumber"`
	ReceiverNumber string  `json:"receiverNumber,omitempty"`
	Status         string  `json:"status"`
	CreatedAt      string  `json:"createdAt"`
	Agent          string  `json:"agent,omitempty"`
	ConnectedAt    *string `json:"connectedAt,omitempty"`
	EndedAt        *string `json:"endedAt,omitempty"`
	EndReason      string  `json:"endReason,omitempty"`
	// Instance is the id of the runtime instance holding the call (its
	// media and session).
	Instance string `json:"instance,omitempty"`
	// Variables are the call's values of its agent's variables.
	Variables map[string]any `json:"variables,omitempty"`
}

func toCallDTO(c *call.Call) callDTO {
	return callDTO{
		ID:             c.ID,
		SessionID:      c.SessionID,
		CallerNumber:   c.CallerNumber.String(),
		ReceiverNumber: c.ReceiverNumber.String(),
		Status:         c.Status.String(),
		CreatedAt:      iso(c.CreatedAt),
		Agent:          c.Agent,
		ConnectedAt:    isoPtr(c.ConnectedAt),
		EndedAt:        isoPtr(c.EndedAt),
		EndReason:      c.EndReason,
		Instance:       c.Owner,
		Variables:      c.Variables,
	}
}

type callData struct {
	Call callDTO `json:"call"`
}

type sentimentDTO struct {
	Sentiment string  `json:"sentiment"`
	Score     float64 `json:"score"`
}

type timingsDTO struct {
	SpeechStartedAt   *string  `json:"speechStartedAt,omitempty"`
	SpeechEndedAt     *string  `json:"speechEndedAt,omitempty"`
	STTFinalMs        *float64 `json:"sttFinalMs,omitempty"`
	ChatFirstTokenMs  *float64 `json:"chatFirstTokenMs,omitempty"`
	TTSFirstAudioMs   *float64 `json:"ttsFirstAudioMs,omitempty"`
	FirstPacketAt     *string  `json:"firstPacketAt,omitempty"`
	RuntimeOverheadMs *float64 `json:"runtimeOverheadMs,omitempty"`
	EndOfTurnWaitMs   *float64 `json:"endOfTurnWaitMs,omitempty"`
}

func ms(d time.Duration) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(d.Microseconds()) / 1000
	return &v
}

type turnDTO struct {
	Seq         int           `json:"seq"`
	Role        string        `json:"role"`
	Text        string        `json:"text"`
	Sentiment   *sentimentDTO `json:"sentiment,omitempty"`
	Interrupted bool          `json:"interrupted,omitempty"`
	Backchannel bool          `json:"backchannel,omitempty"`
	StartedAt   string        `json:"startedAt"`
	EndedAt     string        `json:"endedAt"`
	Timings     *timingsDTO   `json:"timings,omitempty"`
	ToolCalls   []toolCallDTO `json:"toolCalls,omitempty"`
}

type toolCallDTO struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Arguments  string   `json:"arguments"`
	Result     *string  `json:"result,omitempty"`
	Error      string   `json:"error,omitempty"`
	StartedAt  *string  `json:"startedAt,omitempty"`
	DurationMs *float64 `json:"durationMs,omitempty"`
}

func toToolCallDTO(tc store.ToolCall) toolCallDTO {
	d := toolCallDTO{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments, Error: tc.Error,
		StartedAt: isoPtr(tc.StartedAt), DurationMs: ms(tc.Duration)}
	if tc.Error == "" {
		r := tc.Result
		d.Result = &r
	}
	return d
}

func toTurnDTO(t *store.Turn) turnDTO {
	d := turnDTO{
		Seq:         t.Seq,
		Role:        string(t.Role),
		Text:        t.Text,
		Interrupted: t.Interrupted,
		Backchannel: t.Backchannel,
		StartedAt:   iso(t.StartedAt),
		EndedAt:     iso(t.EndedAt),
	}
	if t.Sentiment != nil {
		d.Sentiment = &sentimentDTO{Sentiment: t.Sentiment.Label, Score: t.Sentiment.Score}
	}
	for _, tc := range t.ToolCalls {
		d.ToolCalls = append(d.ToolCalls, toToolCallDTO(tc))
	}
	if t.Timings != (store.Timings{}) {
		tm := t.Timings
		d.Timings = &timingsDTO{
			SpeechStartedAt:   isoPtr(tm.SpeechStart),
			SpeechEndedAt:     isoPtr(tm.SpeechEnd),
			STTFinalMs:        ms(tm.STTFinalDelay),
			ChatFirstTokenMs:  ms(tm.ChatFirstToken),
			TTSFirstAudioMs:   ms(tm.TTSFirstAudio),
			FirstPacketAt:     isoPtr(tm.FirstPacket),
			RuntimeOverheadMs: ms(tm.RuntimeOverhead),
			EndOfTurnWaitMs:   ms(tm.EndOfTurnWait),
		}
	}
	return d
}
