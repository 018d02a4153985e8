package sqlite

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction. Unlike
// time.RFC3339Nano it does not trim trailing zeros, so stored times of years
// 0000-9999 compare as text in time order, which ORDER BY created_at needs.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime returns t in UTC as stored, or nil (NULL) for the zero time.
func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time back in UTC; NULL is the zero time.
func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time %q: %w", s.String, err)
	}
	return t.UTC(), nil
}

// textArg stores s, or NULL for the empty string (a column where empty means
// absent).
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// phoneArg stores a phone number in its normalised form, or NULL for none.
func phoneArg(p call.PhoneNumber) any {
	if p.IsZero() {
		return nil
	}
	return p.String()
}

func parsePhone(s sql.NullString) (call.PhoneNumber, error) {
	if !s.Valid {
		return call.PhoneNumber{}, nil
	}
	return call.ParsePhoneNumber(s.String)
}

// durationArg stores d in nanoseconds, or NULL for zero (not measured).
func durationArg(d time.Duration) any {
	if d == 0 {
		return nil
	}
	return int64(d)
}

func parseDuration(n sql.NullInt64) time.Duration {
	return time.Duration(n.Int64) // NULL scans as 0
}

// callColumns is the column list scanCall expects, in order.
const callColumns = `id, session_id, caller_number, receiver_number, agent, status,
	created_at, connected_at, ended_at, end_reason, token_id, variables, owner`

// scanCall reads one row of callColumns.
func scanCall(row interface{ Scan(...any) error }) (*call.Call, error) {
	var (
		c                         call.Call
		caller, receiver, status  sql.NullString
		created, connected, ended sql.NullString
		token, variables          sql.NullString
	)
	if err := row.Scan(&c.ID, &c.SessionID, &caller, &receiver, &c.Agent, &status,
		&created, &connected, &ended, &c.EndReason, &token, &variables, &c.Owner); err != nil {
		return nil, err
	}
	c.TokenID = token.String
	var err error
	if c.Variables, err = parseVariables(variables); err != nil {
		return nil, fmt.Errorf("call %s: %w", c.ID, err)
	}
	if c.CallerNumber, err = parsePhone(caller); err != nil {
		return nil, fmt.Errorf("call %s: caller number: %w", c.ID, err)
	}
	if c.ReceiverNumber, err = parsePhone(receiver); err != nil {
		return nil, fmt.Errorf("call %s: receiver number: %w", c.ID, err)
	}
	if c.Status, err = call.ParseStatus(status.String); err != nil {
		return nil, fmt.Errorf("call %s: %w", c.ID, err)
	}
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&c.CreatedAt, created}, {&c.ConnectedAt, connected}, {&c.EndedAt, ended}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return nil, fmt.Errorf("call %s: %w", c.ID, err)
		}
	}
	return &c, nil
}

// turnColumns is the column list scanTurn expects, in order.
const turnColumns = `call_id, seq, role, text, sentiment_label, sentiment_score, interrupted,
	started_at, ended_at, speech_start_at, speech_end_at, stt_final_delay_ns,
	chat_first_token_ns, tts_first_audio_ns, first_packet_at, runtime_overhead_ns, end_of_turn_wait_ns, backchannel`

// turnColumnCount is how many columns turnColumns names.
var turnColumnCount = strings.Count(turnColumns, ",") + 1

// toolCallColumns are a tool call's columns, in the order of toolCallArgs
// and scanToolCall.
const toolCallColumns = `call_id, turn_seq, idx, id, name, arguments, result, error, started_at, duration_ns`

// toolCallArgs returns tc's values for toolCallColumns.
func toolCallArgs(callID string, seq, idx int, tc store.ToolCall) []any {
	return []any{callID, seq, idx, tc.ID, tc.Name, tc.Arguments, nullString(tc.Result, tc.Error != ""), nullString(tc.Error, tc.Error == ""),
		formatTime(tc.StartedAt), int64(tc.Duration)}
}

// nullString is s, or NULL when null.
func nullString(s string, null bool) any {
	if null {
		return nil
	}
	return s
}

// scanToolCall reads one row of toolCallColumns: the turn's seq and the call.
func scanToolCall(row interface{ Scan(...any) error }) (int, store.ToolCall, error) {
	var (
		tc              store.ToolCall
		callID          string
		seq, idx        int
		result, errText sql.NullString
		started         sql.NullString
		dur             int64
	)
	if err := row.Scan(&callID, &seq, &idx, &tc.ID, &tc.Name, &tc.Arguments, &result, &errText, &started, &dur); err != nil {
		return 0, tc, err
	}
	tc.Result, tc.Error, tc.Duration = result.String, errText.String, time.Duration(dur)
	var err error
	if tc.StartedAt, err = parseTime(started); err != nil {
		return 0, tc, fmt.Errorf("tool call %d of turn %d: %w", idx, seq, err)
	}
	return seq, tc, nil
}

// turnArgs returns t's values for turnColumns.
func turnArgs(callID string, seq int, t *store.Turn) []any {
	var label, score any
	if t.Sentiment != nil {
		label, score = t.Sentiment.Label, t.Sentiment.Score
	}
	tm := t.Timings
	return []any{callID, seq, string(t.Role), t.Text, label, score, t.Interrupted,
		formatTime(t.StartedAt), formatTime(t.EndedAt), formatTime(tm.SpeechStart), formatTime(tm.SpeechEnd),
		durationArg(tm.STTFinalDelay), durationArg(tm.ChatFirstToken), durationArg(tm.TTSFirstAudio),
		formatTime(tm.FirstPacket), durationArg(tm.RuntimeOverhead), durationArg(tm.EndOfTurnWait), t.Backchannel}
}

// scanTurn reads one row of turnColumns.
func scanTurn(row interface{ Scan(...any) error }) (*store.Turn, error) {
	var (
		t                                      store.Turn
		role                                   string
		label                                  sql.NullString
		score                                  sql.NullFloat64
		started, ended, speechStart, speechEnd sql.NullString
		firstPacket                            sql.NullString
		stt, chat, tts, overhead, wait         sql.NullInt64
	)
	if err := row.Scan(&t.CallID, &t.Seq, &role, &t.Text, &label, &score, &t.Interrupted,
		&started, &ended, &speechStart, &speechEnd, &stt, &chat, &tts, &firstPacket, &overhead, &wait, &t.Backchannel); err != nil {
		return nil, err
	}
	t.Role = store.Role(role)
	if label.Valid {
		t.Sentiment = &store.Sentiment{Label: label.String, Score: score.Float64}
	}
	var err error
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{
		{&t.StartedAt, started}, {&t.EndedAt, ended}, {&t.Timings.SpeechStart, speechStart},
		{&t.Timings.SpeechEnd, speechEnd}, {&t.Timings.FirstPacket, firstPacket},
	} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return nil, fmt.Errorf("turn %s/%d: %w", t.CallID, t.Seq, err)
		}
	}
	t.Timings.STTFinalDelay = parseDuration(stt)
	t.Timings.ChatFirstToken = parseDuration(chat)
	t.Timings.TTSFirstAudio = parseDuration(tts)
	t.Timings.RuntimeOverhead = parseDuration(overhead)
	t.Timings.EndOfTurnWait = parseDuration(wait)
	return &t, nil
}
