package postgres

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// PostgreSQL's error codes the store maps to store errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// isCode reports whether err is a PostgreSQL error with code.
func isCode(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

// timeArg stores t in UTC, or NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// timeOf reads a stored time back in UTC; NULL is the zero time.
func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// text is s as PostgreSQL text holds it: without NUL bytes and in valid
// UTF-8 (U+FFFD in place of either).
func text(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// textArg stores s as text, or NULL for the empty string (a column where
// empty means absent).
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return text(s)
}

// phoneArg stores a phone number in its normalised form, or NULL for none.
func phoneArg(p call.PhoneNumber) any {
	if p.IsZero() {
		return nil
	}
	return p.String()
}

func phoneOf(s *string) (call.PhoneNumber, error) {
	if s == nil {
		return call.PhoneNumber{}, nil
	}
	return call.ParsePhoneNumber(*s)
}

// durationArg stores d in nanoseconds, or NULL for zero (not measured).
func durationArg(d time.Duration) any {
	if d == 0 {
		return nil
	}
	return int64(d)
}

func durationOf(n *int64) time.Duration {
	if n == nil {
		return 0
	}
	return time.Duration(*n)
}

// callColumns is the column list scanCall expects, in order.
const callColumns = `id, session_id, caller_number, receiver_number, agent, status,
	created_at, connected_at, ended_at, end_reason, token_id, variables, owner`

// callArgs returns c's values for callColumns.
func callArgs(c *call.Call) ([]any, error) {
	vars, err := store.MarshalVariables(c.Variables)
	if err != nil {
		return nil, err
	}
	var variables any
	if vars != nil {
		variables = text(string(vars))
	}
	return []any{text(c.ID), text(c.SessionID), phoneArg(c.CallerNumber), phoneArg(c.ReceiverNumber), text(c.Agent), c.Status.String(),
		timeArg(c.CreatedAt), timeArg(c.ConnectedAt), timeArg(c.EndedAt), text(c.EndReason), textArg(c.TokenID), variables, text(c.Owner)}, nil
}

// scanCall reads one row of callColumns.
func scanCall(row pgx.Row) (*call.Call, error) {
	var (
		c                         call.Call
		caller, receiver          *string
		status                    string
		created, connected, ended *time.Time
		token, variables          *string
	)
	if err := row.Scan(&c.ID, &c.SessionID, &caller, &receiver, &c.Agent, &status,
		&created, &connected, &ended, &c.EndReason, &token, &variables, &c.Owner); err != nil {
		return nil, err
	}
	if token != nil {
		c.TokenID = *token
	}
	var err error
	if variables != nil {
		if c.Variables, err = store.UnmarshalVariables([]byte(*variables)); err != nil {
			return nil, fmt.Errorf("call %s: %w", c.ID, err)
		}
	}
	if c.CallerNumber, err = phoneOf(caller); err != nil {
		return nil, fmt.Errorf("call %s: caller number: %w", c.ID, err)
	}
	if c.ReceiverNumber, err = phoneOf(receiver); err != nil {
		return nil, fmt.Errorf("call %s: receiver number: %w", c.ID, err)
	}
	if c.Status, err = call.ParseStatus(status); err != nil {
		return nil, fmt.Errorf("call %s: %w", c.ID, err)
	}
	c.CreatedAt, c.ConnectedAt, c.EndedAt = timeOf(created), timeOf(connected), timeOf(ended)
	return &c, nil
}

// turnColumns is the column list scanTurn expects, in order.
const turnColumns = `call_id, seq, role, text, sentiment_label, sentiment_score, interrupted,
	started_at, ended_at, speech_start_at, speech_end_at, stt_final_delay_ns,
	chat_first_token_ns, tts_first_audio_ns, first_packet_at, runtime_overhead_ns, end_of_turn_wait_ns, backchannel`

// turnArgs returns t's values for turnColumns.
func turnArgs(callID string, seq int, t *store.Turn) []any {
	var label, score any
	if t.Sentiment != nil {
		label, score = text(t.Sentiment.Label), t.Sentiment.Score
	}
	tm := t.Timings
	return []any{callID, seq, string(t.Role), text(t.Text), label, score, t.Interrupted,
		timeArg(t.StartedAt), timeArg(t.EndedAt), timeArg(tm.SpeechStart), timeArg(tm.SpeechEnd),
		durationArg(tm.STTFinalDelay), durationArg(tm.ChatFirstToken), durationArg(tm.TTSFirstAudio),
		timeArg(tm.FirstPacket), durationArg(tm.RuntimeOverhead), durationArg(tm.EndOfTurnWait), t.Backchannel}
}

// scanTurn reads one row of turnColumns.
func scanTurn(row pgx.Row) (*store.Turn, error) {
	var (
		t                                      store.Turn
		role                                   string
		label                                  *string
		score                                  *float64
		started, ended, speechStart, speechEnd *time.Time
		firstPacket                            *time.Time
		stt, chat, tts, overhead, wait         *int64
	)
	if err := row.Scan(&t.CallID, &t.Seq, &role, &t.Text, &label, &score, &t.Interrupted,
		&started, &ended, &speechStart, &speechEnd, &stt, &chat, &tts, &firstPacket, &overhead, &wait, &t.Backchannel); err != nil {
		return nil, err
	}
	t.Role = store.Role(role)
	if label != nil && score != nil {
		t.Sentiment = &store.Sentiment{Label: *label, Score: *score}
	}
	t.StartedAt, t.EndedAt = timeOf(started), timeOf(ended)
	t.Timings = store.Timings{
		SpeechStart: timeOf(speechStart), SpeechEnd: timeOf(speechEnd), FirstPacket: timeOf(firstPacket),
		STTFinalDelay: durationOf(stt), ChatFirstToken: durationOf(chat), TTSFirstAudio: durationOf(tts),
		RuntimeOverhead: durationOf(overhead), EndOfTurnWait: durationOf(wait),
	}
	return &t, nil
}

// toolCallColumns are a tool call's columns, in the order of toolCallArgs
// and scanToolCall.
const toolCallColumns = `call_id, turn_seq, idx, id, name, arguments, result, error, started_at, duration_ns`

// toolCallArgs returns tc's values for toolCallColumns: of result and
// error, the one the call has (result, possibly empty, on success).
func toolCallArgs(callID string, seq, idx int, tc store.ToolCall) []any {
	var result, errText any
	if tc.Error != "" {
		errText = text(tc.Error)
	} else {
		result = text(tc.Result)
	}
	return []any{callID, seq, idx, text(tc.ID), text(tc.Name), text(tc.Arguments), result, errText,
		timeArg(tc.StartedAt), int64(tc.Duration)}
}

// scanToolCall reads one row of toolCallColumns: the turn's seq and the call.
func scanToolCall(row pgx.Row) (int, store.ToolCall, error) {
	var (
		tc              store.ToolCall
		callID          string
		seq, idx        int
		result, errText *string
		started         *time.Time
		dur             int64
	)
	if err := row.Scan(&callID, &seq, &idx, &tc.ID, &tc.Name, &tc.Arguments, &result, &errText, &started, &dur); err != nil {
		return 0, tc, err
	}
	if result != nil {
		tc.Result = *result
	}
	if errText != nil {
		tc.Error = *errText
	}
	tc.StartedAt, tc.Duration = timeOf(started), time.Duration(dur)
	return seq, tc, nil
}
