package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/bench/internal/stats"
	"github.com/parleyhq/parley/internal/ctxtime"
)

// bargeInTarget is the goal for caller speech onset -> agent silent, p95,
// the VAD's min_speech included.
const bargeInTarget = 300 * time.Millisecond

// bargeSample is one barge-in seen from the caller.
type bargeSample struct {
	Stop  time.Duration // caller's first speech packet -> agent's last voiced packet
	Event time.Duration // caller's first speech packet -> agent-speaking interrupted (0: none)
}

// bargeInLoop: the caller speaks, the agent starts its long answer, the
// caller talks over it after a random 0.5-1.5 s, and so on: every answer
// the agent starts is interrupted once.
func (e *bench) bargeInLoop(ctx context.Context, c *caller, n int, mu *sync.Mutex, out *[]bargeSample, missed *int) {
	since := time.Now()
	if _, err := c.say(ctx, e.speech); err != nil {
		return
	}
	for i := 0; i < n; i++ {
		start, err := c.awaitVoice(ctx, voiceStart, since, 10*time.Second)
		if err != nil {
			e.logf("call %d: the agent did not answer: %v", c.idx, err)
			return
		}
		if ctxtime.Sleep(ctx, 500*time.Millisecond+rand.N(time.Second)) != nil { //nolint:gosec // not security
			return
		}
		sp, err := c.say(ctx, e.speech)
		if err != nil {
			return
		}
		since = sp.End
		// The voice's end is known once voiceHang silent packets followed it.
		if ctxtime.Sleep(ctx, voiceHang) != nil {
			return
		}
		stop, ok, _ := bargeStop(c.heardSince(start.At), start.At, sp.Onset, sp.End)
		if !ok {
			mu.Lock()
			*missed++
			mu.Unlock()
			continue
		}
		s := bargeSample{Stop: stop.Sub(sp.Onset)}
		if at, ok := c.speakingAfter("interrupted", sp.Onset, 100*time.Millisecond); ok {
			s.Event = at.Sub(sp.Onset)
		}
		if e.o.Verbose {
			fmt.Fprintf(e.out, "barge-in onset -> agent silent %.1fms (event %.1fms)\n", ms(s.Stop), ms(s.Event))
		}
		mu.Lock()
		*out = append(*out, s)
		mu.Unlock()
	}
}

func (e *bench) bargein(ctx context.Context) error {
	var runs []stats.Quantiles
	var events []stats.Quantiles
	for r := range e.o.Runs {
		q, ev, missed, err := e.bargeInOnce(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "run %d/%d: agent %s, %d calls, min_speech %s: onset -> agent silent n=%d p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms; agent-speaking interrupted p50=%.1fms p95=%.1fms; missed %d\n",
			r+1, e.o.Runs, e.b.Name, e.o.Calls, e.b.MinSpeech, q.N, q.P50, q.P95, q.P99, q.Max, ev.P50, ev.P95, missed)
		runs, events = append(runs, q), append(events, ev)
	}
	idx := make([]int, len(runs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(runs[a].P95, runs[b].P95) })
	m, ev := runs[idx[len(idx)/2]], events[idx[len(idx)/2]]
	pass := "PASS"
	if m.P95 > ms(bargeInTarget) || m.N < 30 {
		pass = "FAIL"
	}
	fmt.Fprintf(e.out, "barge-in: n=%d p50=%.1fms p95=%.1fms p99=%.1fms (speech onset -> last agent voice packet, min_speech %s included, median of %d runs; agent-speaking interrupted p95=%.1fms) target p95<=%s n>=30 %s\n",
		m.N, m.P50, m.P95, m.P99, e.b.MinSpeech, len(runs), ev.P95, bargeInTarget, pass)
	return nil
}

func (e *bench) bargeInOnce(ctx context.Context) (stop, event stats.Quantiles, missed int, err error) {
	t, err := e.start(ctx)
	if err != nil {
		return stop, event, 0, err
	}
	defer t.stop()
	sh, err := e.newShared(t, e.o.Calls)
	if err != nil {
		return stop, event, 0, err
	}
	calls, err := e.place(ctx, sh, e.o.Calls, 0, nil)
	if err != nil {
		return stop, event, 0, err
	}
	defer hangUpAll(calls)
	var (
		mu      sync.Mutex
		samples []bargeSample
		wg      sync.WaitGroup
	)
	per := (e.o.Turns + len(calls) - 1) / len(calls)
	for _, c := range calls {
		wg.Go(func() { e.bargeInLoop(ctx, c, per, &mu, &samples, &missed) })
	}
	wg.Wait()
	var stops, evs []time.Duration
	for _, s := range samples {
		stops = append(stops, s.Stop)
		if s.Event > 0 {
			evs = append(evs, s.Event)
		}
	}
	return stats.Summarize(stops), stats.Summarize(evs), missed, ctx.Err()
}
