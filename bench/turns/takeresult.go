package main

import (
	"time"

	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/stats"
	"github.com/parleyhq/parley/test/turns"
)

// takingRun is what -mode taking measured for one variant.
type takingRun struct {
	Variant variant
	// Said and Unmeasured count the items by kind: said to the agent, and
	// not measured (no call, no answer, no reply to speak over); FirstErr
	// is why the first one was not.
	Said, Unmeasured map[turns.Kind]int
	FirstErr         string

	// Finished items: the stored end-of-turn wait, and the reply time
	// from the caller's last voiced packet to the agent's first; CutIns
	// are those the agent answered before they ended.
	Wait, Reply stats.Quantiles
	// QuestionReply is Reply of the finished questions alone (the
	// issue's target).
	QuestionReply stats.Quantiles
	CutIns        int
	// Paused items: how many were measured, and cut off (the agent spoke
	// before the item ended, or stored more than one caller turn for it);
	// PausedReply is the reply time of the others.
	Paused, CutOffs int
	PausedReply     stats.Quantiles
	// Backchannels measured, and those that stopped the agent by any of:
	// its stored turn interrupted, the interrupted event, its voice off
	// for good (each counted too).
	Backchannels, FalseInterruptions int
	ByStored, ByEvent, ByVoice       int
	// Interruptions measured; BargeIn is onset -> the agent's last voiced
	// packet; NotStopped went on talking through the interruption; InGap
	// fell between two of its sentences.
	Interruptions, NotStopped, InGap int
	BargeIn                          stats.Quantiles
	// Where a barge-in's time goes, from the caller's onset: Detect, to
	// the arrival at the runtime of the caller's frame that decided it
	// (the reply's stored first packet plus the log line's after: VAD
	// onset, min_speech, the VAD window and the frame clock); Handle,
	// from that frame to the log line (the loop reaching the frame,
	// cancelling, flushing, sending the event); Event, to the interrupted
	// event at the caller; Drain, from the deciding frame to the agent's
	// last voiced packet at the caller (audio already queued or in flight).
	Detect, Handle, Event, Drain stats.Quantiles
}

// storedCall is a call's stored turns with their times parsed.
type storedCall []storedTurn

// storedTurn is one stored turn.
type storedTurn struct {
	Role               string
	Text               string
	Interrupted        bool
	Started, Ended     time.Time
	SpeechEnd          time.Time
	FirstPacket        time.Time // of the reply to a caller turn
	EndOfTurnWait      time.Duration
	HasEndOfTurnWaitMs bool
}

// parseHistory parses the times of a call's stored turns.
func parseHistory(ts []rest.HistoryTurn) storedCall {
	out := make(storedCall, 0, len(ts))
	for _, t := range ts {
		s := storedTurn{Role: t.Role, Text: t.Text, Interrupted: t.Interrupted}
		s.Started, _ = time.Parse(time.RFC3339Nano, t.StartedAt)
		s.Ended, _ = time.Parse(time.RFC3339Nano, t.EndedAt)
		if t.Timings != nil {
			s.SpeechEnd, _ = time.Parse(time.RFC3339Nano, t.Timings.SpeechEndedAt)
			s.FirstPacket, _ = time.Parse(time.RFC3339Nano, t.Timings.FirstPacketAt)
			if t.Timings.EndOfTurnWaitMs != nil {
				s.EndOfTurnWait = time.Duration(*t.Timings.EndOfTurnWaitMs * float64(time.Millisecond))
				s.HasEndOfTurnWaitMs = true
			}
		}
		out = append(out, s)
	}
	return out
}

// callerTurns returns the stored caller turns whose speech ended while the
// item was spoken or just after (the runtime dates the end of speech up
// to a VAD window after the caller's last packet).
func (sc storedCall) callerTurns(said spoke) []storedTurn {
	var out []storedTurn
	for _, t := range sc {
		if t.Role == "user" && !t.SpeechEnd.IsZero() && !t.SpeechEnd.Before(said.Onset) && !t.SpeechEnd.After(said.End.Add(500*time.Millisecond)) {
			out = append(out, t)
		}
	}
	return out
}

// replyStarted returns when the runtime sent the first packet of the
// reply whose voice reached the caller at heard: the latest stored first
// packet in the second before.
func (sc storedCall) replyStarted(heard time.Time) (time.Time, bool) {
	var best time.Time
	for _, t := range sc {
		if t.Role == "user" && !t.FirstPacket.IsZero() && !t.FirstPacket.After(heard) && heard.Sub(t.FirstPacket) < time.Second && t.FirstPacket.After(best) {
			best = t.FirstPacket
		}
	}
	return best, !best.IsZero()
}

// agentTurnAt returns the stored agent turn that was playing at t.
func (sc storedCall) agentTurnAt(t time.Time) (storedTurn, bool) {
	for _, s := range sc {
		if s.Role == "assistant" && !s.Started.After(t) && !s.Ended.Before(t) {
			return s, true
		}
	}
	return storedTurn{}, false
}

// analyse turns what the callers saw, the stored histories (by call id)
// and the runtime's barge-in decisions (by call id) into a takingRun.
func analyse(v variant, results []itemResult, hist map[string]storedCall, decisions map[string][]bargeLine) takingRun {
	run := takingRun{Variant: v, Said: map[turns.Kind]int{}, Unmeasured: map[turns.Kind]int{}}
	var wait, reply, question, pausedReply, barge, detect, handle, event, drain []time.Duration
	for _, r := range results {
		k := r.Item.Kind
		run.Said[k]++
		if r.Err != "" {
			run.Unmeasured[k]++
			if run.FirstErr == "" {
				run.FirstErr = r.Item.ID + ": " + r.Err
			}
			continue
		}
		stored := hist[r.CallID]
		switch k {
		case turns.Finished:
			if r.Answer.Before(r.Said.End) {
				run.CutIns++
				continue
			}
			reply = append(reply, r.Answer.Sub(r.Said.End))
			if r.Item.Tag == "question" {
				question = append(question, r.Answer.Sub(r.Said.End))
			}
			if ts := stored.callerTurns(r.Said); len(ts) > 0 && ts[len(ts)-1].HasEndOfTurnWaitMs {
				wait = append(wait, ts[len(ts)-1].EndOfTurnWait)
			}
		case turns.Paused:
			run.Paused++
			if r.Answer.Before(r.Said.End) || len(stored.callerTurns(r.Said)) > 1 {
				run.CutOffs++
				continue
			}
			pausedReply = append(pausedReply, r.Answer.Sub(r.Said.End))
		case turns.Backchannel:
			run.Backchannels++
			t, ok := stored.agentTurnAt(r.Said.Onset)
			byStored := ok && t.Interrupted
			byEvent := !r.Interrupted.IsZero()
			run.ByStored += b2i(byStored)
			run.ByEvent += b2i(byEvent)
			run.ByVoice += b2i(r.StoppedForGood)
			run.FalseInterruptions += b2i(byStored || byEvent || r.StoppedForGood)
		case turns.Interruption:
			run.Interruptions++
			if r.Stopped.IsZero() {
				run.NotStopped++
				continue
			}
			run.InGap += b2i(r.InGap)
			barge = append(barge, r.Stopped.Sub(r.Said.Onset))
			if !r.Interrupted.IsZero() {
				event = append(event, r.Interrupted.Sub(r.Said.Onset))
			}
			l, ok := firstBetween(decisions[r.CallID], r.Said.Onset, r.Said.End.Add(500*time.Millisecond))
			first, known := stored.replyStarted(r.Reply)
			if ok && known {
				frame := first.Add(l.After)
				detect, handle = append(detect, frame.Sub(r.Said.Onset)), append(handle, l.At.Sub(frame))
				if !r.InGap {
					drain = append(drain, r.Stopped.Sub(frame))
				}
			}
		}
	}
	run.Wait, run.Reply, run.PausedReply = stats.Summarize(wait), stats.Summarize(reply), stats.Summarize(pausedReply)
	run.QuestionReply = stats.Summarize(question)
	run.BargeIn = stats.Summarize(barge)
	run.Detect, run.Handle = stats.Summarize(detect), stats.Summarize(handle)
	run.Event, run.Drain = stats.Summarize(event), stats.Summarize(drain)
	return run
}

// rate is part of whole in percent (0 when whole is 0).
func rate(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
