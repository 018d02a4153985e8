package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
)

// drifter samples the runtime during a long window (-drift): its resident
// memory, its Go heap in use and goroutines (go_memstats_heap_inuse_bytes
// and go_goroutines from /metrics) and open files (/proc/<pid>/fd), so that
// a soak run shows whether any of them grows with time rather than with
// calls. The heap tells Go's own memory from the C libraries' (libopus,
// ONNX Runtime) and the allocator's, which only RSS shows.
//
// With profiles set (-profiles), it also saves two heap profiles of the
// runtime, at the end of the warm-up and at the end of the window, so that
// what grew in between can be named (go tool pprof -diff_base).
type drifter struct {
	every   time.Duration
	base    string // the runtime's URL
	pid     int
	start   time.Time
	next    time.Time
	samples []DriftSample
	errs    int

	window   time.Duration // the whole steady window
	profiles *profiler     // nil: none
}

// DriftSample is the runtime at one instant of the window.
type DriftSample struct {
	Seconds float64 `json:"seconds"`
	RSSMB   float64 `json:"rssMB"`
	HeapMB  float64 `json:"heapInuseMB"`
	// RetainedMB is heap memory Go holds but does not use: free spans
	// not yet returned to the system (heap idle minus released).
	RetainedMB float64 `json:"heapRetainedMB"`
	StackMB    float64 `json:"stackInuseMB"`
	// GoalMB is the heap size the collector aims for (next_gc): twice the
	// live heap at GOGC=100, so its trend is the live heap's.
	GoalMB     float64 `json:"heapGoalMB"`
	Goroutines float64 `json:"goroutines"`
	Files      float64 `json:"openFiles"`
}

// Drift is the outcome: every sample and the trend of each quantity.
type Drift struct {
	EverySeconds float64       `json:"everySeconds"`
	Samples      []DriftSample `json:"samples"`
	Failed       int           `json:"failedSamples"`
	// WarmupSeconds is the start of the window left out of the trends.
	WarmupSeconds float64 `json:"warmupSeconds"`
	RSS           Trend   `json:"rss"`
	Heap          Trend   `json:"heapInuse"`
	Retained      Trend   `json:"heapRetained"`
	Stack         Trend   `json:"stackInuse"`
	Goal          Trend   `json:"heapGoal"`
	// Profiles are the heap profiles saved (-profiles), warm-up first.
	Profiles   []string `json:"profiles,omitempty"`
	Goroutines Trend    `json:"goroutines"`
	Files      Trend    `json:"openFiles"`
}

// Trend is a least-squares line through one quantity's samples.
type Trend struct {
	Mean float64 `json:"mean"`
	// SlopePerMin is the fitted change per minute, SlopeSE its standard
	// error.
	SlopePerMin float64 `json:"slopePerMinute"`
	SlopeSE     float64 `json:"slopeStdErr"`
	// PercentPerHour is the slope over an hour as a share of the mean.
	PercentPerHour float64 `json:"percentPerHour"`
	// Flat: the slope is within two standard errors of zero (no trend the
	// noise cannot explain), or under 5 % of the mean an hour.
	Flat bool `json:"flat"`
}

func newDrifter(every, window time.Duration, base string, pid int) *drifter {
	return &drifter{every: every, window: window, base: base, pid: pid}
}

// tick samples when a sample is due.
func (d *drifter) tick(ctx context.Context, now time.Time) {
	if d == nil || d.pid == 0 || now.Before(d.next) {
		return
	}
	if d.start.IsZero() {
		d.start = now
	}
	d.next = now.Add(d.every)
	s, err := d.sample(ctx, now)
	if err != nil {
		d.errs++
		return
	}
	d.samples = append(d.samples, s)
	if d.profiles != nil && len(d.profiles.saved) == 0 && now.Sub(d.start) >= d.window/5 {
		d.profiles.save(ctx, "heap-warm.pb.gz")
	}
}

// finish saves the end-of-window profile.
func (d *drifter) finish(ctx context.Context) {
	if d != nil && d.profiles != nil {
		d.profiles.save(ctx, "heap-end.pb.gz")
	}
}

func (d *drifter) sample(ctx context.Context, now time.Time) (DriftSample, error) {
	p, err := proc.Read(d.pid)
	if err != nil {
		return DriftSample{}, err
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", d.pid))
	if err != nil {
		return DriftSample{}, err
	}
	m, err := scrape(ctx, d.base, "go_goroutines", "go_memstats_heap_inuse_bytes", "go_memstats_heap_idle_bytes",
		"go_memstats_heap_released_bytes", "go_memstats_stack_inuse_bytes", "go_memstats_next_gc_bytes")
	if err != nil {
		return DriftSample{}, err
	}
	const mb = 1 << 20
	return DriftSample{Seconds: now.Sub(d.start).Seconds(), RSSMB: float64(p.RSS) / mb,
		HeapMB:     m["go_memstats_heap_inuse_bytes"] / mb,
		RetainedMB: (m["go_memstats_heap_idle_bytes"] - m["go_memstats_heap_released_bytes"]) / mb,
		StackMB:    m["go_memstats_stack_inuse_bytes"] / mb,
		GoalMB:     m["go_memstats_next_gc_bytes"] / mb,
		Goroutines: m["go_goroutines"], Files: float64(len(fds))}, nil
}

// scrape reads the named unlabelled samples from the runtime's /metrics.
func scrape(ctx context.Context, base string, names ...string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(res.Body, 16<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	out := map[string]float64{}
	for sc.Scan() {
		for _, n := range names {
			if v, ok := strings.CutPrefix(sc.Text(), n+" "); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					out[n] = f
				}
			}
		}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("no %s in %s/metrics", n, base)
		}
	}
	return out, nil
}

// profiler saves heap profiles from the runtime's debug listener.
type profiler struct {
	debugURL string // serves /debug/pprof/
	dir      string
	saved    []string
	logf     func(string, ...any)
}

// save writes the runtime's heap profile (after a collection, gc=1) to
// name in the profile directory; a failure is logged, not fatal.
func (p *profiler) save(ctx context.Context, name string) {
	path := filepath.Join(p.dir, name)
	if err := p.fetch(ctx, path); err != nil {
		p.logf("heap profile %s: %v", name, err)
		return
	}
	p.saved = append(p.saved, path)
	p.logf("heap profile saved: %s", path)
}

func (p *profiler) fetch(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.debugURL+"/debug/pprof/heap?gc=1", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", req.URL, res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, io.LimitReader(res.Body, 256<<20)); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// result fits the trends.
func (d *drifter) result() *Drift {
	if d == nil {
		return nil
	}
	out := &Drift{EverySeconds: d.every.Seconds(), Samples: d.samples, Failed: d.errs}
	// The first fifth of the window is warm-up (heaps and pools reach
	// their working size): the trends start after it.
	var fitted []DriftSample
	if n := len(d.samples); n > 0 {
		warm := d.samples[n-1].Seconds / 5
		for _, s := range d.samples {
			if s.Seconds >= warm {
				fitted = append(fitted, s)
			}
		}
		out.WarmupSeconds = warm
	}
	pick := func(f func(DriftSample) float64) Trend {
		xs, ys := make([]float64, len(fitted)), make([]float64, len(fitted))
		for i, s := range fitted {
			xs[i], ys[i] = s.Seconds/60, f(s)
		}
		return fit(xs, ys)
	}
	out.RSS = pick(func(s DriftSample) float64 { return s.RSSMB })
	out.Heap = pick(func(s DriftSample) float64 { return s.HeapMB })
	out.Retained = pick(func(s DriftSample) float64 { return s.RetainedMB })
	out.Stack = pick(func(s DriftSample) float64 { return s.StackMB })
	out.Goal = pick(func(s DriftSample) float64 { return s.GoalMB })
	if d.profiles != nil {
		out.Profiles = d.profiles.saved
	}
	out.Goroutines = pick(func(s DriftSample) float64 { return s.Goroutines })
	out.Files = pick(func(s DriftSample) float64 { return s.Files })
	return out
}

// fit is ordinary least squares of ys on xs (minutes).
func fit(xs, ys []float64) Trend {
	n := float64(len(xs))
	if n < 3 {
		return Trend{}
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	if sxx == 0 {
		return Trend{Mean: my, Flat: true}
	}
	slope := sxy / sxx
	var sse float64
	for i := range xs {
		r := ys[i] - (my + slope*(xs[i]-mx))
		sse += r * r
	}
	se := math.Sqrt(sse / (n - 2) / sxx)
	t := Trend{Mean: my, SlopePerMin: slope, SlopeSE: se}
	if my != 0 {
		t.PercentPerHour = 100 * slope * 60 / my
	}
	t.Flat = math.Abs(slope) <= 2*se || math.Abs(t.PercentPerHour) < 5
	return t
}

func (dr *Drift) print(w io.Writer) {
	_, _ = fmt.Fprintf(w, "\ndrift over the window (%d samples every %.0f s, %d failed; trends after the first %.0f s):\n",
		len(dr.Samples), dr.EverySeconds, dr.Failed, dr.WarmupSeconds)
	for _, q := range []struct {
		name string
		t    Trend
	}{{"RSS MB", dr.RSS}, {"Go heap MB", dr.Heap}, {"retained MB", dr.Retained}, {"stacks MB", dr.Stack}, {"GC goal MB", dr.Goal},
		{"goroutines", dr.Goroutines}, {"open files", dr.Files}} {
		verdict := "GROWS"
		switch {
		case q.t.Flat:
			verdict = "flat"
		case q.t.SlopePerMin < 0:
			verdict = "shrinks"
		}
		_, _ = fmt.Fprintf(w, "  %-11s mean %9.1f  slope %+8.3f/min (se %.3f)  %+6.2f %%/h  %s\n",
			q.name, q.t.Mean, q.t.SlopePerMin, q.t.SlopeSE, q.t.PercentPerHour, verdict)
	}
	if len(dr.Profiles) == 2 {
		_, _ = fmt.Fprintf(w, "  heap growth over the window: go tool pprof -top -diff_base %s %s\n", dr.Profiles[0], dr.Profiles[1])
	}
}
