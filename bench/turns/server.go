package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/parleyhq/parley/bench/internal/promhist"
	"github.com/parleyhq/parley/bench/internal/rest"
)

// overheadMetric is the runtime's histogram of turn overheads.
const overheadMetric = "parley_turn_overhead_seconds"

// serverTurns are the runtime's stored timings of the caller turns of some
// calls.
type serverTurns struct {
	Overhead []float64 // runtimeOverheadMs
	Response []float64 // firstPacketAt - speechEndedAt, ms
	Missing  int       // caller turns without a runtime overhead
	// Ends are the stored speech ends and first packets by call index, to
	// match with what the callers saw.
	Ends map[int][]storedEnd
}

// storedEnd is where the runtime put a caller turn's end of speech and its
// answer's first packet.
type storedEnd struct{ SpeechEnd, FirstPacket time.Time }

// storedTurns reads the history of every call; with since set, only turns
// whose speech ended in [since, until) count.
func storedTurns(ctx context.Context, rc *rest.Client, calls []*caller, since, until time.Time) (serverTurns, error) {
	st := serverTurns{Ends: map[int][]storedEnd{}}
	for _, c := range calls {
		turns, err := rc.History(ctx, c.p.Info.ID)
		if err != nil {
			return st, err
		}
		for _, t := range turns {
			if t.Role != "user" || t.Timings == nil {
				continue
			}
			end, _ := time.Parse(time.RFC3339Nano, t.Timings.SpeechEndedAt)
			if !since.IsZero() && (end.Before(since) || !end.Before(until)) {
				continue
			}
			if t.Timings.RuntimeOverheadMs == nil {
				st.Missing++
				continue
			}
			st.Overhead = append(st.Overhead, *t.Timings.RuntimeOverheadMs)
			if first, err := time.Parse(time.RFC3339Nano, t.Timings.FirstPacketAt); err == nil && !end.IsZero() {
				st.Response = append(st.Response, float64(first.Sub(end))/float64(time.Millisecond))
				st.Ends[c.idx] = append(st.Ends[c.idx], storedEnd{SpeechEnd: end, FirstPacket: first})
			}
		}
	}
	return st, nil
}

// scrapeOverhead reads the runtime's overhead histogram of agent.
func scrapeOverhead(ctx context.Context, rc *rest.Client, agent string) (promhist.Histogram, error) {
	body, err := rc.Get(ctx, "/metrics")
	if err != nil {
		return promhist.Histogram{}, err
	}
	return promhist.Parse(string(body), overheadMetric, fmt.Sprintf("agent=%q", agent))
}

// describeProm prints the histogram's estimate in ms: bucket bounds, so
// "p95 <= 25ms" reads as "the 95th percentile lies in a bucket ending at".
func describeProm(h promhist.Histogram) string {
	ms := func(s float64) string {
		if math.IsInf(s, 1) {
			return "+Inf"
		}
		return fmt.Sprintf("%.4gms", s*1000)
	}
	return fmt.Sprintf("n=%.0f mean=%.1fms p50<=%s p95<=%s p99<=%s", h.Count, h.Mean()*1000, ms(h.Quantile(50)), ms(h.Quantile(95)), ms(h.Quantile(99)))
}

// match returns the stored turn of call idx whose speech ended nearest to
// end, within a second.
func (st serverTurns) match(idx int, end time.Time) (storedEnd, bool) {
	var best storedEnd
	bestD := time.Second
	for _, s := range st.Ends[idx] {
		d := s.SpeechEnd.Sub(end).Abs()
		if d < bestD {
			best, bestD = s, d
		}
	}
	return best, bestD < time.Second
}
