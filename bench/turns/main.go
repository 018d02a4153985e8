// Command turns benchmarks the conversation loop of the parley runtime with
// callers on loopback WebRTC (Pion) and an agent on the fake provider
// (bench/fakeprovider), whose latencies are fixed and known:
//
//	go run ./bench/turns -mode overhead   # runtime overhead per turn (target p95 <= 30 ms)
//	go run ./bench/turns -mode bargein    # caller speech onset -> agent silent (target p95 <= 300 ms)
//	go run ./bench/turns -mode capacity   # largest N with frame p99 <= 30 ms and overhead p95 <= 50 ms
//	go run ./bench/turns -mode taking     # the turn-taking test set (test/turns) per turn_taking variant
//
// Each mode builds the fake plugin where the agent file names it, starts a
// fresh runtime (-spawn, default bin/parley; or measures one at -url),
// prints what it measured and ends with a one-line summary. `make build`
// first: it builds bin/parley, bin/plugins and bin/vad.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/test/turns"
)

// options are the command-line flags.
type options struct {
	Mode                 string
	URL, Spawn, Agents   string
	Agent, VADDir        string
	PID                  int
	Calls, Turns         int
	Ns                   []int
	Window, SetupTimeout time.Duration
	Ramp                 float64
	Text, WAV            string
	BuildPlugin          bool
	Runs                 int
	Verbose              bool
	Keep                 bool
	// -mode taking: the variants, kinds and languages of items, at most
	// Items of each kind, the clip cache and the fake STT's text.
	Variants []variant
	Kinds    []turns.Kind
	Langs    []string
	Items    int
	Cache    string
	STTText  string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var ns, vs, kinds, langs string
	fs := flag.NewFlagSet("turns", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Mode, "mode", "overhead", "overhead, bargein, capacity or taking")
	fs.StringVar(&o.URL, "url", "", "base URL of a running runtime instead of -spawn (its agents dir must hold -agent)")
	fs.IntVar(&o.PID, "pid", 0, "process id of the runtime at -url, for its memory (capacity)")
	fs.StringVar(&o.Spawn, "spawn", "bin/parley", "start this runtime binary on a free port for each run, and stop it after")
	fs.StringVar(&o.Agents, "agents", "bench/agents", "agents directory (the runtime's, with -spawn; read for the agent's latencies either way)")
	fs.StringVar(&o.Agent, "agent", "", "agent to call (default: bench, or bench-bargein for -mode bargein); taking also looks in agents/ (e.g. default)")
	fs.StringVar(&o.VADDir, "vad-dir", "", "Silero VAD assets for -spawn (default: vad/ beside the binary)")
	fs.IntVar(&o.Calls, "calls", 0, "concurrent calls (overhead: 4, bargein: 2, taking: 4)")
	fs.IntVar(&o.Turns, "turns", 0, "turns measured over all calls (overhead: 200, bargein: 40)")
	fs.StringVar(&ns, "n", "25,50,75,100", "capacity: concurrent calls to try, in order")
	fs.DurationVar(&o.Window, "window", 30*time.Second, "capacity: measured window once every call is connected")
	fs.DurationVar(&o.SetupTimeout, "setup-timeout", 30*time.Second, "longest one call may take from POST to connected")
	fs.Float64Var(&o.Ramp, "ramp", 10, "calls started per second")
	fs.StringVar(&o.Text, "text", "What are your opening hours on the weekend?", "what the callers say (flite)")
	fs.StringVar(&o.WAV, "wav", "", "what the callers say, from this audio file instead of flite")
	fs.BoolVar(&o.BuildPlugin, "build-plugin", true, "go build ./bench/fakeprovider where the agent file names it")
	fs.IntVar(&o.Runs, "runs", 1, "repeat the measurement this many times (a fresh runtime each) and report the median run")
	fs.BoolVar(&o.Verbose, "v", false, "print every sample")
	fs.BoolVar(&o.Keep, "keep", false, "keep each spawned runtime's data directory, its log (-mode taking: at debug level) with it, and print where")
	fs.StringVar(&vs, "variants", "fixed700,low,medium,high", "taking: turn_taking variants (fixed700: end_of_turn_silence 700ms; low, medium, high: min_silence 200ms, max_silence 1.5s at that eagerness)")
	fs.StringVar(&kinds, "kinds", "finished,paused,backchannel,interruption", "taking: kinds of items")
	fs.StringVar(&langs, "lang", "en,ko", "taking: languages of items (an agent that is not the fake provider gets its own language's only)")
	fs.IntVar(&o.Items, "items", 0, "taking: at most this many items of each kind, spread over the set (0: all)")
	fs.StringVar(&o.Cache, "cache", "bin/cache/turns", "taking: where the spoken items are cached")
	fs.StringVar(&o.STTText, "stt-text", "#", "taking, fake provider: the STT's text (its partials are its first words); the default has no words, so the end of turn reads prosody and VAD only, as with an STT without partials; empty: the agent file's")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.URL != "" {
		o.Spawn = ""
	}
	for _, s := range strings.Split(ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return o, fmt.Errorf("-n %q: want positive numbers separated by commas", ns)
		}
		o.Ns = append(o.Ns, n)
	}
	defaults := map[string]struct {
		agent        string
		calls, turns int
	}{"overhead": {"bench", 4, 200}, "bargein": {"bench-bargein", 2, 40}, "capacity": {"bench", 0, 0}, "taking": {"bench", takeDefaultPerCalls, 0}}
	d, ok := defaults[o.Mode]
	if !ok {
		return o, fmt.Errorf("-mode %q: want overhead, bargein, capacity or taking", o.Mode)
	}
	if o.Agent == "" {
		o.Agent = d.agent
	}
	if o.Calls == 0 {
		o.Calls = d.calls
	}
	if o.Turns == 0 {
		o.Turns = d.turns
	}
	if o.Mode == "taking" {
		return o, o.parseTaking(vs, kinds, langs)
	}
	if o.Mode != "capacity" && (o.Calls < 1 || o.Turns < o.Calls) {
		return o, errors.New("-calls must be positive and -turns at least -calls")
	}
	if o.Ramp <= 0 || o.Window <= 0 || o.Runs < 1 {
		return o, errors.New("-ramp, -window and -runs must be positive")
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "turns:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "turns:", err)
		os.Exit(1)
	}
}

// parseTaking checks and reads the flags of -mode taking.
func (o *options) parseTaking(vs, kinds, langs string) error {
	if o.URL != "" {
		return errors.New("-mode taking starts a runtime per variant: -url cannot be used, use -spawn")
	}
	if o.Calls < 1 || o.Calls > 50 || o.Items < 0 {
		return errors.New("-calls must be from 1 to 50 and -items not negative")
	}
	var err error
	if o.Variants, err = parseVariants(vs); err != nil {
		return err
	}
	if o.Kinds, err = parseKinds(kinds); err != nil {
		return err
	}
	for _, l := range strings.Split(langs, ",") {
		l = strings.TrimSpace(l)
		if l != "en" && l != "ko" {
			return fmt.Errorf("-lang: unknown language %q (the test set has en and ko)", l)
		}
		o.Langs = append(o.Langs, l)
	}
	return nil
}

// run prepares what every mode needs and runs the one asked for.
func run(ctx context.Context, o options, out, logw io.Writer) error {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, "turns: "+format+"\n", args...) }
	if o.Mode == "taking" {
		sil, err := silenceFrames()
		if err != nil {
			return err
		}
		logf("machine: %d CPUs, %s", numCPU(), cpuModel())
		env := &bench{o: o, b: benchAgent{Name: o.Agent}, silence: sil, logf: logf, out: out}
		return env.taking(ctx)
	}
	b, err := loadBench(o.Agents, o.Agent)
	if err != nil {
		return err
	}
	logf("agent %s: end_of_turn_silence %s, min_speech %s, stt_final %s, chat_first_token %s, tts_first_audio %s",
		b.Name, b.EndOfTurn, b.MinSpeech, b.STTFinal, b.ChatFirstToken, b.TTSFirstAudio)
	if o.BuildPlugin {
		if err := buildPlugin(ctx, b.PluginPath); err != nil {
			return err
		}
	}
	u, err := loadUtterance(o.Text, o.WAV)
	if err != nil {
		return err
	}
	sil, err := silenceFrames()
	if err != nil {
		return err
	}
	logf("caller says %s: %s of speech", u.Source, u.Duration())
	logf("machine: %d CPUs, %s", numCPU(), cpuModel())
	env := &bench{o: o, b: b, speech: u, silence: sil, logf: logf, out: out}
	switch o.Mode {
	case "overhead":
		return env.overhead(ctx)
	case "bargein":
		return env.bargein(ctx)
	default:
		return env.capacity(ctx)
	}
}
