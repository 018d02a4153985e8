// Command callload is a load generator for the parley runtime: it places N
// concurrent calls, each a Pion peer on loopback that sends 20 ms Opus
// speech frames while the agent talks back, and reports the runtime's CPU
// and memory per call (its plugin processes apart), the agent's frame
// interval and packet loss, and call set-up times.
//
//	go run ./bench/callload -spawn bin/parley -calls 100 -duration 20s
//	go run ./bench/callload -url http://127.0.0.1:3000 -pid $(pidof parley)
//
// A run: start (or attach to) the runtime, place one warm-up call so the
// plugins are up, take the baseline, ramp the calls up, measure a steady
// window once all are connected, then end every call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/peer"
	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/spawn"
	"github.com/parleyhq/parley/internal/caller"
	"github.com/parleyhq/parley/internal/ctxtime"
)

// options are the command-line flags.
type options struct {
	URL, Spawn, AgentsDir, Agent, Caller string
	PID                                  int
	Calls                                int
	Ramp                                 float64
	Duration, SetupTimeout, Settle       time.Duration
	Drift, Chaos                         time.Duration
	ChaosAgent, Profiles                 string
	Audio, WAV, Text                     string
	Pause                                time.Duration
	Warmup, JSON, KeepData               bool
	Env                                  envList
}

// envList is a repeatable -env KEY=VALUE flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("callload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.URL, "url", "", "base URL of a running runtime (with -pid to measure it)")
	fs.IntVar(&o.PID, "pid", 0, "process id of the runtime at -url; its CPU and memory are reported")
	fs.StringVar(&o.Spawn, "spawn", "", "start this runtime binary (plugins in plugins/ beside it) on a free port, and stop it at the end")
	fs.StringVar(&o.AgentsDir, "agents", "", "agents directory for -spawn (default: agents/ beside the binary's bin/)")
	fs.StringVar(&o.Agent, "agent", "", "agent to call (default: the runtime's default agent)")
	fs.StringVar(&o.Caller, "caller", "01012345678", "callerNumber of every call")
	fs.IntVar(&o.Calls, "calls", 100, "concurrent calls")
	fs.Float64Var(&o.Ramp, "ramp", 10, "calls started per second")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "steady window measured once every call is connected")
	fs.DurationVar(&o.SetupTimeout, "setup-timeout", 30*time.Second, "longest one call may take from POST to connected")
	fs.DurationVar(&o.Drift, "drift", 0, "sample the runtime's RSS, goroutines and open files this often in the window and fit their trend (a soak run; 0: off)")
	fs.StringVar(&o.Profiles, "profiles", "", "with -spawn and -drift: save the runtime's heap profiles at the end of the warm-up and of the window into this directory")
	fs.DurationVar(&o.Chaos, "chaos", 0, "SIGKILL one plugin process of the runtime this often in the window, each in turn (0: off)")
	fs.StringVar(&o.ChaosAgent, "chaos-agent", "", "place the first call to this agent: a runtime built with -tags chaos panics in the conversation of an agent named chaos-panic... at the caller's first turn")
	fs.DurationVar(&o.Settle, "settle", 2*time.Second, "quiet time before the baseline sample")
	fs.StringVar(&o.Audio, "audio", "speech", "what callers send: speech or silence")
	fs.StringVar(&o.WAV, "wav", "", "speech from this audio file instead of flite")
	fs.StringVar(&o.Text, "text", "Hello. What are your opening hours on the weekend? I would also like to check my order.", "what flite says for -audio speech")
	fs.DurationVar(&o.Pause, "pause", 3*time.Second, "silence after each utterance, so the agent answers")
	fs.BoolVar(&o.Warmup, "warmup", true, "place one call before the baseline so plugins are started")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	fs.BoolVar(&o.KeepData, "keep", false, "keep the spawned runtime's data directory and log")
	fs.Var(&o.Env, "env", "KEY=VALUE added to the spawned runtime's environment (repeatable), e.g. -env PARLEY_MAX_CALLS=20")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case (o.URL == "") == (o.Spawn == ""):
		return o, errors.New("give exactly one of -url and -spawn")
	case o.Spawn == "" && len(o.Env) > 0:
		return o, errors.New("-env goes with -spawn")
	case o.Profiles != "" && (o.Spawn == "" || o.Drift <= 0):
		return o, errors.New("-profiles goes with -spawn and -drift")
	case o.Spawn != "" && o.PID != 0:
		return o, errors.New("-pid goes with -url; -spawn measures the process it starts")
	case o.Calls < 1 || o.Ramp <= 0 || o.Duration <= 0:
		return o, errors.New("-calls, -ramp and -duration must be positive")
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "callload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep, err := run(ctx, o, os.Stderr)
	stop()
	if rep != nil {
		if o.JSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			_ = enc.Encode(rep)
		} else {
			rep.print(os.Stdout)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "callload:", err)
		os.Exit(1)
	}
}

// run performs one load run; progress goes to logw. The report is non-nil
// once calls were placed, even when err is not.
func run(ctx context.Context, o options, logw io.Writer) (*Report, error) {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "callload: "+format+"\n", args...) }
	sp, err := loadSpeech(o.Audio, o.WAV, o.Text, o.Pause)
	if err != nil {
		return nil, err
	}
	url, pid, debugURL := o.URL, o.PID, ""
	if o.Spawn != "" {
		// The called agent is also the spawned runtime's default, so an
		// agents directory without a "default" agent (bench/agents) works.
		rt, err := spawn.Start(o.Spawn, spawn.Options{AgentsDir: o.AgentsDir, DefaultAgent: o.Agent, TempPrefix: "callload-runtime-", Env: o.Env, Profiles: o.Profiles != ""})
		if err != nil {
			return nil, err
		}
		defer func() {
			if err := rt.Stop(15*time.Second, o.KeepData); err != nil {
				logf("%v", err)
			}
			if o.KeepData {
				logf("runtime log kept at %s", rt.Log)
			}
		}()
		url, pid, debugURL = rt.URL, rt.PID, rt.DebugURL
		logf("spawned %s as pid %d on %s (log %s)", o.Spawn, pid, url, rt.Log)
		if err := rest.NewClient(url, 1).Ready(ctx, time.Minute); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, rt.LogTail(30))
		}
	}
	rc := rest.NewClient(url, o.Calls+4)
	if o.Spawn == "" { // a spawned runtime was waited for above
		if err := rc.Ready(ctx, 10*time.Second); err != nil {
			return nil, err
		}
	}
	api, err := caller.NewAPI()
	if err != nil {
		return nil, err
	}
	sh := &shared{base: url, rest: rc, api: api, loop: sp, events: &caller.EventCounts{}, caller: o.Caller, agent: o.Agent, firstAgent: o.ChaosAgent}

	if o.Warmup {
		if err := warmup(ctx, sh, o.SetupTimeout); err != nil {
			return nil, fmt.Errorf("warm-up call: %w", err)
		}
	}
	m := newMeter(pid)
	if o.Drift > 0 {
		m.drift = newDrifter(o.Drift, o.Duration, url, pid)
		if o.Profiles != "" {
			if err := os.MkdirAll(o.Profiles, 0o755); err != nil {
				return nil, err
			}
			m.drift.profiles = &profiler{debugURL: debugURL, dir: o.Profiles, logf: logf}
		}
	}
	if o.Chaos > 0 {
		m.chaos = newChaoser(o.Chaos, pid)
	}
	if err := ctxtime.Sleep(ctx, o.Settle); err != nil {
		return nil, err
	}
	if err := m.baseline(); err != nil {
		return nil, err
	}

	logf("placing %d calls at %.1f/s", o.Calls, o.Ramp)
	calls, errs := ramp(ctx, sh, o)
	rep := newReport(url, pid, sp, calls, errs)
	defer func() { hangUpAll(calls, logf) }()
	if rep.Connected == 0 {
		return rep, fmt.Errorf("no call connected: %w", firstErr(errs))
	}

	logf("%d of %d calls connected; measuring %s", rep.Connected, o.Calls, o.Duration)
	if err := m.start(); err != nil {
		return rep, err
	}
	replies := newReplyMeter(rc, o.Agent)
	replies.start(ctx)
	sh.steady.Store(true)
	werr := m.watch(ctx, o.Duration)
	sh.steady.Store(false)
	m.drift.finish(ctx)
	if err := m.end(); err != nil {
		return rep, err
	}
	rep.fill(sh, calls, m)
	rep.Drift = m.drift.result()
	panicIdx := -1
	if o.ChaosAgent != "" {
		panicIdx = 0
	}
	if o.Chaos > 0 || o.ChaosAgent != "" {
		if m.chaos == nil {
			m.chaos = newChaoser(0, 0)
		}
		rep.Chaos = m.chaos.result(ctx, sh, calls, panicIdx)
	}
	rep.Reply = replies.end(ctx)
	return rep, werr
}

// warmup places one call, lets it run briefly and ends it.
func warmup(ctx context.Context, sh *shared, timeout time.Duration) error {
	c := newCall(-1, sh)
	defer c.hangUp(context.WithoutCancel(ctx))
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.setup(sctx); err != nil {
		return err
	}
	return ctxtime.Sleep(ctx, 2*time.Second)
}

// ramp starts the calls at o.Ramp per second and waits until every one is
// connected or failed. errs[i] is the set-up error of calls[i].
func ramp(ctx context.Context, sh *shared, o options) ([]*call, []error) {
	calls, errs := make([]*call, o.Calls), make([]error, o.Calls)
	every := time.Duration(float64(time.Second) / o.Ramp)
	var wg sync.WaitGroup
	next := time.Now()
	for i := range calls {
		calls[i] = newCall(i, sh)
		if ctx.Err() != nil {
			errs[i] = ctx.Err()
			continue
		}
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, o.SetupTimeout)
			defer cancel()
			errs[i] = calls[i].setup(sctx)
		})
		next = next.Add(every)
		_ = ctxtime.Sleep(ctx, time.Until(next))
	}
	wg.Wait()
	return calls, errs
}

// hangUpAll ends every call, twenty at a time.
func hangUpAll(calls []*call, logf func(string, ...any)) {
	ps := make([]*peer.Call, len(calls))
	for i, c := range calls {
		ps[i] = c.p
	}
	var failed int
	var example error
	for _, err := range peer.HangUpAll(ps) {
		if err != nil {
			failed++
			example = err
		}
	}
	if failed > 0 {
		logf("%d calls could not be ended, e.g. %v", failed, example)
	}
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
