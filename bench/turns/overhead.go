package main

import (
	"github.com/parleyhq/parley/bench/internal/promhist"

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

// overheadTarget is the goal for the runtime's overhead per turn, p95.
const overheadTarget = 30 * time.Millisecond

// turnSample is one measured turn, seen from the caller.
type turnSample struct {
	Call       int
	End, Voice time.Time     // caller's last speech packet sent; first agent voice received
	Latency    time.Duration // end of the caller's speech -> first voiced agent packet
	Overhead   time.Duration // Latency minus end_of_turn_silence and provider time
	// EventLead is how long before that packet the agent-speaking start
	// event arrived (0 when it did not).
	EventLead time.Duration
	HasEvent  bool
}

// turnLog collects the samples of concurrent callers.
type turnLog struct {
	mu       sync.Mutex
	samples  []turnSample
	missed   int
	firstErr error
}

func (l *turnLog) add(s turnSample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, s)
}

func (l *turnLog) miss(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.missed++
	if l.firstErr == nil {
		l.firstErr = err
	}
}

func (l *turnLog) snapshot() ([]turnSample, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.samples), l.missed, l.firstErr
}

// converse has c speak, wait for the agent's whole answer, and speak again,
// until ctx ends or it has taken turns turns (0: no limit). Turns are
// logged only while record says so.
func (e *bench) converse(ctx context.Context, c *caller, turns int, log *turnLog, record func() bool) {
	u, providers := e.speech, e.b.EndOfTurn+e.b.Providers()
	for i := 0; turns == 0 || i < turns; i++ {
		gap := 300*time.Millisecond + rand.N(300*time.Millisecond) //nolint:gosec // not security
		if i == 0 {
			// Callers do not speak in step: the first turn starts anywhere
			// in about one turn's length.
			gap = rand.N(u.Duration() + providers) //nolint:gosec // not security
		}
		if ctxtime.Sleep(ctx, gap) != nil {
			return
		}
		sp, err := c.say(ctx, u)
		if err != nil {
			return
		}
		rec := record()
		start, err := c.awaitVoice(ctx, voiceStart, sp.End, 5*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if rec {
				log.miss(fmt.Errorf("call %d: %w", c.idx, err))
			}
			continue
		}
		s := turnSample{Call: c.idx, End: sp.End, Voice: start.At, Latency: start.At.Sub(sp.End)}
		s.Overhead = s.Latency - providers
		if at, ok := c.speakingAfter("start", sp.End, 200*time.Millisecond); ok {
			s.EventLead, s.HasEvent = start.At.Sub(at), true
		}
		if rec {
			log.add(s)
		}
		if _, err := c.awaitVoice(ctx, voiceEnd, start.At, time.Minute); err != nil {
			return
		}
	}
}

// overheadRun is what one run of -mode overhead measured.
type overheadRun struct {
	Client     stats.Quantiles // overhead, ms
	Latency    stats.Quantiles // end of speech -> first voiced packet, ms
	EventLead  stats.Quantiles // agent-speaking start before the first packet, ms
	Server     stats.Quantiles // stored runtimeOverheadMs
	ServerResp stats.Quantiles // stored firstPacketAt - speechEndedAt
	Metrics    promhist.Histogram
	// VADEnd is where the runtime put the end of the caller's speech
	// relative to the caller's last speech packet; Downlink is the stored
	// first packet to its arrival at the caller.
	VADEnd, Downlink stats.Quantiles
	Missed           int
	ServerMiss       int
	VoicedSizes      [2]sizeRange
}

func (e *bench) overhead(ctx context.Context) error {
	var runs []overheadRun
	for r := range e.o.Runs {
		run, err := e.overheadOnce(ctx)
		if err != nil {
			return err
		}
		runs = append(runs, run)
		e.printOverhead(run, fmt.Sprintf("run %d/%d", r+1, e.o.Runs))
	}
	slices.SortFunc(runs, func(a, b overheadRun) int { return cmp.Compare(a.Client.P95, b.Client.P95) })
	m := runs[len(runs)/2]
	pass := "PASS"
	if m.Client.P95 > ms(overheadTarget) || m.Client.N == 0 {
		pass = "FAIL"
	}
	fmt.Fprintf(e.out, "turn-overhead: n=%d p50=%.1fms p95=%.1fms p99=%.1fms (client, median of %d runs); server stored p50=%.1fms p95=%.1fms p99=%.1fms; /metrics %s; missed=%d target p95<=%s %s\n",
		m.Client.N, m.Client.P50, m.Client.P95, m.Client.P99, len(runs), m.Server.P50, m.Server.P95, m.Server.P99,
		describeProm(m.Metrics), m.Missed, overheadTarget, pass)
	return nil
}

func (e *bench) overheadOnce(ctx context.Context) (overheadRun, error) {
	var out overheadRun
	t, err := e.start(ctx)
	if err != nil {
		return out, err
	}
	defer t.stop()
	sh, err := e.newShared(t, e.o.Calls)
	if err != nil {
		return out, err
	}
	before, _ := scrapeOverhead(ctx, sh.rest, e.b.Name) // absent before the first turn
	calls, err := e.place(ctx, sh, e.o.Calls, 0, nil)
	if err != nil {
		return out, err
	}
	defer hangUpAll(calls)

	// One warm-up turn per call, then the measured ones.
	log := &turnLog{}
	perCall := (e.o.Turns + len(calls) - 1) / len(calls)
	var wg sync.WaitGroup
	var measuredFrom time.Time
	var fromOnce sync.Once
	for _, c := range calls {
		wg.Go(func() {
			n := 0
			e.converse(ctx, c, perCall+1, log, func() bool {
				n++
				if n == 2 {
					fromOnce.Do(func() { measuredFrom = time.Now() })
				}
				return n > 1
			})
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	samples, missed, firstErr := log.snapshot()
	if missed > 0 {
		e.logf("%d turns got no answer in time, e.g. %v", missed, firstErr)
	}
	out.Missed = missed
	var over, lat, lead []time.Duration
	for _, s := range samples {
		over, lat = append(over, s.Overhead), append(lat, s.Latency)
		if s.HasEvent {
			lead = append(lead, s.EventLead)
		}
		if e.o.Verbose {
			fmt.Fprintf(e.out, "turn latency=%.1fms overhead=%.1fms event-lead=%.1fms\n", ms(s.Latency), ms(s.Overhead), ms(s.EventLead))
		}
	}
	out.Client, out.Latency, out.EventLead = stats.Summarize(over), stats.Summarize(lat), stats.Summarize(lead)

	// The runtime stores a turn when its answer has been spoken: the last
	// ones may still be on their way.
	_ = ctxtime.Sleep(ctx, time.Second)
	st, err := storedTurns(ctx, sh.rest, calls, measuredFrom.Add(-10*time.Second), time.Now().Add(time.Hour))
	if err != nil {
		return out, err
	}
	out.Server, out.ServerResp, out.ServerMiss = stats.SummarizeMs(st.Overhead), stats.SummarizeMs(st.Response), st.Missing
	after, err := scrapeOverhead(ctx, sh.rest, e.b.Name)
	if err != nil {
		return out, err
	}
	out.Metrics = after.Sub(before)
	var vadEnd, down []time.Duration
	for _, s := range samples {
		if se, ok := st.match(s.Call, s.End); ok {
			vadEnd, down = append(vadEnd, se.SpeechEnd.Sub(s.End)), append(down, s.Voice.Sub(se.FirstPacket))
		}
	}
	out.VADEnd, out.Downlink = stats.Summarize(vadEnd), stats.Summarize(down)
	for _, c := range calls {
		c.mu.Lock()
		for i := range c.sizes {
			out.VoicedSizes[i].merge(c.sizes[i])
		}
		c.mu.Unlock()
	}
	return out, nil
}

func (e *bench) printOverhead(r overheadRun, label string) {
	p := func(name string, q stats.Quantiles) {
		fmt.Fprintf(e.out, "  %-44s n=%-4d p50=%7.1fms p95=%7.1fms p99=%7.1fms max=%7.1fms\n", name, q.N, q.P50, q.P95, q.P99, q.Max)
	}
	fmt.Fprintf(e.out, "%s: agent %s, %d calls, providers %s + end_of_turn_silence %s subtracted\n", label, e.b.Name, e.o.Calls, e.b.Providers(), e.b.EndOfTurn)
	p("client: end of speech -> first agent voice", r.Latency)
	p("client: overhead", r.Client)
	p("client: agent-speaking start before voice", r.EventLead)
	p("server: stored runtimeOverheadMs", r.Server)
	p("server: stored speech end -> first packet", r.ServerResp)
	p("runtime's speech end - caller's last packet", r.VADEnd)
	p("stored first packet -> caller receives it", r.Downlink)
	fmt.Fprintf(e.out, "  %-44s %s\n", "server: /metrics "+overheadMetric, describeProm(r.Metrics))
	fmt.Fprintf(e.out, "  missed turns %d, stored turns without overhead %d; agent packets: silence %d-%d B (n=%d), voice %d-%d B (n=%d)\n",
		r.Missed, r.ServerMiss, r.VoicedSizes[0].Min, r.VoicedSizes[0].Max, r.VoicedSizes[0].N, r.VoicedSizes[1].Min, r.VoicedSizes[1].Max, r.VoicedSizes[1].N)
}

func (r *sizeRange) merge(o sizeRange) {
	if o.N == 0 {
		return
	}
	if r.N == 0 || o.Min < r.Min {
		r.Min = o.Min
	}
	r.Max = max(r.Max, o.Max)
	r.N += o.N
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
