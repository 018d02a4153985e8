package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
	"github.com/parleyhq/parley/bench/internal/stats"
	"github.com/parleyhq/parley/internal/ctxtime"
)

// Capacity criteria: the largest N meeting both.
const (
	capFrameP99    = 30 * time.Millisecond
	capOverheadP95 = 50 * time.Millisecond
	capTarget      = 100
)

// capacityRun is what one N measured.
type capacityRun struct {
	N, Connected   int
	Frames         stats.Quantiles // agent packet inter-arrival at the callers
	Server         stats.Quantiles // stored runtimeOverheadMs of turns in the window
	Client         stats.Quantiles // caller-side overhead of turns in the window
	Turns, Missed  int
	RSSBaseMB      float64 // runtime before the calls
	RSSPeakMB      float64 // runtime, peak in the window
	PluginRSSMB    float64 // plugin processes, peak in the window
	RuntimeCPU     float64 // % of one core over the window
	PluginCPU      float64
	MachineBusy    float64 // % of all cores
	GeneratorCPU   float64 // this program, % of one core
	SelfRSSMB      float64
	RSSPerCallMB   float64
	OK             bool
	FailureReason  string
	WindowDuration time.Duration
}

func (e *bench) capacity(ctx context.Context) error {
	best := 0
	var lines []string
	for _, n := range e.o.Ns {
		var runs []capacityRun
		for r := range e.o.Runs {
			run, err := e.capacityOnce(ctx, n)
			if err != nil {
				return err
			}
			e.printCapacity(run, fmt.Sprintf("N=%d run %d/%d", n, r+1, e.o.Runs))
			runs = append(runs, run)
		}
		// The median run by frame p99.
		m := medianBy(runs, func(r capacityRun) float64 { return r.Frames.P99 })
		verdict := "ok"
		if !m.OK {
			verdict = "over: " + m.FailureReason
		} else {
			best = max(best, n)
		}
		lines = append(lines, fmt.Sprintf("N=%d frame p99=%.1fms overhead p95=%.1fms (client %.1fms) rss/call=%.2fMB %s", n, m.Frames.P99, m.Server.P95, m.Client.P95, m.RSSPerCallMB, verdict))
	}
	for _, l := range lines {
		fmt.Fprintln(e.out, "  "+l)
	}
	pass := "PASS"
	if best < capTarget {
		pass = "FAIL"
	}
	fmt.Fprintf(e.out, "capacity: max N=%d of %v with frame p99<=%s and overhead p95<=%s (%d CPUs, %s) target >=%d %s\n",
		best, e.o.Ns, capFrameP99, capOverheadP95, numCPU(), cpuModel(), capTarget, pass)
	return nil
}

func medianBy(runs []capacityRun, key func(capacityRun) float64) capacityRun {
	sorted := append([]capacityRun(nil), runs...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && key(sorted[j]) < key(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	return sorted[len(sorted)/2]
}

func (e *bench) capacityOnce(ctx context.Context, n int) (capacityRun, error) {
	out := capacityRun{N: n}
	t, err := e.start(ctx)
	if err != nil {
		return out, err
	}
	defer t.stop()
	sh, err := e.newShared(t, n)
	if err != nil {
		return out, err
	}
	// A warm-up call starts the plugins and the VAD session.
	warm, err := e.place(ctx, sh, 1, -1, nil)
	if err != nil {
		return out, err
	}
	wlog := &turnLog{}
	wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
	e.converse(wctx, warm[0], 1, wlog, func() bool { return false })
	wcancel()
	hangUpAll(warm)
	_ = ctxtime.Sleep(ctx, time.Second)
	base := sampleRuntime(t.pid)
	out.RSSBaseMB = mbOf(base.runtime.RSS)

	e.logf("N=%d: placing calls at %.0f/s", n, e.o.Ramp)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := &turnLog{}
	var windowOn, windowOff time.Time
	var wmu sync.Mutex
	inWindow := func() bool {
		wmu.Lock()
		defer wmu.Unlock()
		return !windowOn.IsZero() && windowOff.IsZero()
	}
	var wg sync.WaitGroup
	var calls []*caller
	var cmu sync.Mutex
	// Each call starts talking as soon as it is connected, so the calls'
	// turns are spread as independent callers' would be.
	_, err = e.place(cctx, sh, n, 0, func(c *caller) {
		cmu.Lock()
		calls = append(calls, c)
		cmu.Unlock()
		wg.Go(func() { e.converse(cctx, c, 0, log, inWindow) })
	})
	if err != nil {
		e.logf("N=%d: %v", n, err)
	}
	defer hangUpAll(calls)
	out.Connected = len(calls)
	if out.Connected == 0 {
		return out, fmt.Errorf("no call of %d connected", n)
	}
	e.logf("N=%d: %d calls connected; settling 5s, then measuring %s", n, out.Connected, e.o.Window)
	if err := ctxtime.Sleep(ctx, 5*time.Second); err != nil {
		return out, err
	}
	start := sampleRuntime(t.pid)
	self0, _ := proc.Read(os.Getpid())
	wmu.Lock()
	windowOn = time.Now()
	wmu.Unlock()
	sh.measuring.Store(true)
	peak := start
	deadline := time.Now().Add(e.o.Window)
	for time.Now().Before(deadline) {
		if err := ctxtime.Sleep(ctx, min(time.Second, time.Until(deadline))); err != nil {
			return out, err
		}
		s := sampleRuntime(t.pid)
		peak.runtime.RSS = max(peak.runtime.RSS, s.runtime.RSS)
		peak.pluginRSS = max(peak.pluginRSS, s.pluginRSS)
	}
	sh.measuring.Store(false)
	wmu.Lock()
	windowOff = time.Now()
	wmu.Unlock()
	end := sampleRuntime(t.pid)
	self1, _ := proc.Read(os.Getpid())
	window := windowOff.Sub(windowOn)
	out.WindowDuration = window
	out.RSSPeakMB, out.PluginRSSMB = mbOf(peak.runtime.RSS), mbOf(peak.pluginRSS)
	out.RSSPerCallMB = (out.RSSPeakMB - out.RSSBaseMB) / float64(out.Connected)
	out.RuntimeCPU = 100 * float64(end.runtime.CPU-start.runtime.CPU) / float64(window)
	out.PluginCPU = 100 * float64(end.pluginCPU-start.pluginCPU) / float64(window)
	out.MachineBusy = proc.MachineUsage(start.machine, end.machine).Busy
	out.GeneratorCPU = 100 * float64(self1.CPU-self0.CPU) / float64(window)
	out.SelfRSSMB = mbOf(self1.RSS)

	// Stop talking, let the last answers be stored.
	cancel()
	wg.Wait()
	_ = ctxtime.Sleep(ctx, 2*time.Second)
	h := stats.FrameHistogram()
	for _, c := range calls {
		c.mu.Lock()
		h.Merge(c.frames)
		c.mu.Unlock()
	}
	out.Frames = h.Summary()
	samples, missed, _ := log.snapshot()
	out.Turns, out.Missed = len(samples), missed
	var over []time.Duration
	for _, s := range samples {
		over = append(over, s.Overhead)
	}
	out.Client = stats.Summarize(over)
	st, err := storedTurns(ctx, sh.rest, calls, windowOn, windowOff)
	if err != nil {
		return out, err
	}
	out.Server = stats.SummarizeMs(st.Overhead)
	var why []string
	if out.Frames.P99 > ms(capFrameP99) {
		why = append(why, fmt.Sprintf("frame p99 %.1fms > %s", out.Frames.P99, capFrameP99))
	}
	if out.Server.P95 > ms(capOverheadP95) || out.Server.N == 0 {
		why = append(why, fmt.Sprintf("overhead p95 %.1fms > %s", out.Server.P95, capOverheadP95))
	}
	if out.Connected < n {
		why = append(why, fmt.Sprintf("only %d calls connected", out.Connected))
	}
	if missed > out.Turns/20 {
		why = append(why, fmt.Sprintf("%d turns unanswered", missed))
	}
	out.OK, out.FailureReason = len(why) == 0, strings.Join(why, ", ")
	return out, nil
}

func (e *bench) printCapacity(r capacityRun, label string) {
	fmt.Fprintf(e.out, "%s: %d/%d calls connected, window %s\n", label, r.Connected, r.N, r.WindowDuration.Round(time.Second))
	fmt.Fprintf(e.out, "  agent frame interval at callers  n=%d p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms\n", r.Frames.N, r.Frames.P50, r.Frames.P95, r.Frames.P99, r.Frames.Max)
	fmt.Fprintf(e.out, "  turn overhead (server, stored)   n=%d p50=%.1fms p95=%.1fms p99=%.1fms\n", r.Server.N, r.Server.P50, r.Server.P95, r.Server.P99)
	fmt.Fprintf(e.out, "  turn overhead (caller)           n=%d p50=%.1fms p95=%.1fms p99=%.1fms; turns unanswered %d\n", r.Client.N, r.Client.P50, r.Client.P95, r.Client.P99, r.Missed)
	fmt.Fprintf(e.out, "  runtime RSS %.0f MB before calls, peak %.0f MB: %.2f MB per call; plugins peak %.0f MB\n", r.RSSBaseMB, r.RSSPeakMB, r.RSSPerCallMB, r.PluginRSSMB)
	fmt.Fprintf(e.out, "  CPU (%% of one core): runtime %.0f, plugins %.0f, this generator %.0f (RSS %.0f MB); machine busy %.0f%% of all cores\n",
		r.RuntimeCPU, r.PluginCPU, r.GeneratorCPU, r.SelfRSSMB, r.MachineBusy)
	if !r.OK {
		fmt.Fprintf(e.out, "  over the limits: %s\n", r.FailureReason)
	}
}

// runtimeSample is the runtime process and its plugins at an instant.
type runtimeSample struct {
	runtime   proc.Sample
	pluginRSS uint64
	pluginCPU time.Duration
	machine   proc.CPUTicks
}

func sampleRuntime(pid int) runtimeSample {
	s := runtimeSample{machine: proc.ReadCPUTicks()}
	if pid == 0 {
		return s
	}
	s.runtime, _ = proc.Read(pid)
	for _, c := range proc.Descendants(pid) {
		s.pluginRSS += c.RSS
		s.pluginCPU += c.CPU
	}
	return s
}

func mbOf(b uint64) float64 { return float64(b) / (1 << 20) }
