package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/bench/internal/peer"
	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/spawn"
	loopcaller "github.com/parleyhq/parley/internal/caller"
	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/runtime/agent"
)

// The fake provider's defaults (bench/fakeprovider/options.go), for an
// agent file that leaves an option out.
const (
	fakeSTTFinal       = 100 * time.Millisecond
	fakeChatFirstToken = 200 * time.Millisecond
	fakeTTSFirstAudio  = 50 * time.Millisecond
)

// benchAgent is what the benchmarks need to know of the agent they call.
type benchAgent struct {
	Name                                    string
	EndOfTurn, MinSpeech                    time.Duration
	STTFinal, ChatFirstToken, TTSFirstAudio time.Duration
	PluginPath                              string // the fake provider binary the agent names
}

// Providers is the provider time of a turn: what the runtime waits for.
func (a benchAgent) Providers() time.Duration { return a.STTFinal + a.ChatFirstToken + a.TTSFirstAudio }

// loadBench reads agent name from dir and checks that the fake provider
// serves its speech, chat and voice.
func loadBench(dir, name string) (benchAgent, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return benchAgent{}, err
	}
	for _, f := range files {
		s, err := agent.LoadFile(f)
		if err != nil || s.Name != name {
			continue
		}
		a := benchAgent{Name: s.Name, EndOfTurn: time.Duration(s.TurnTaking.EndOfTurnSilence), MinSpeech: time.Duration(s.TurnTaking.MinSpeech)}
		p := s.Providers
		if p.STT.Plugin != p.Chat.Plugin || p.STT.Plugin != p.TTS.Plugin || !strings.HasSuffix(p.STT.Plugin, "/fakeprovider") {
			return a, fmt.Errorf("%s: stt, chat and tts must all be the fake provider (a path ending in /fakeprovider)", f)
		}
		a.PluginPath = p.STT.Plugin
		if !filepath.IsAbs(a.PluginPath) {
			a.PluginPath = filepath.Join(filepath.Dir(f), a.PluginPath)
		}
		if a.STTFinal, err = option(p.STT.Options, "stt_final", fakeSTTFinal); err != nil {
			return a, fmt.Errorf("%s: %w", f, err)
		}
		if a.ChatFirstToken, err = option(p.Chat.Options, "chat_first_token", fakeChatFirstToken); err != nil {
			return a, fmt.Errorf("%s: %w", f, err)
		}
		if a.TTSFirstAudio, err = option(p.TTS.Options, "tts_first_audio", fakeTTSFirstAudio); err != nil {
			return a, fmt.Errorf("%s: %w", f, err)
		}
		return a, nil
	}
	return benchAgent{}, fmt.Errorf("no valid agent named %q in %s", name, dir)
}

func option(opts map[string]any, key string, def time.Duration) (time.Duration, error) {
	raw, ok := opts[key]
	if !ok {
		return def, nil
	}
	s, _ := raw.(string)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("options.%s: %v is not a duration", key, raw)
	}
	return d, nil
}

// buildPlugin builds ./bench/fakeprovider (of the module in the working
// directory) into path.
func buildPlugin(ctx context.Context, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "./bench/fakeprovider")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./bench/fakeprovider (run from the repository root): %w\n%s", err, b)
	}
	return nil
}

func numCPU() int { return runtime.NumCPU() }

// cpuModel is the model name of the first CPU in /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// bench is one invocation: options, agent, audio, output.
type bench struct {
	o       options
	b       benchAgent
	speech  *utterance
	silence [][]byte
	logf    func(string, ...any)
	out     io.Writer
	// agentsDir and env, when set, are the agents directory and extra
	// settings of the runtimes start spawns (-mode taking: a variant's).
	agentsDir string
	env       []string
}

// target is the runtime of one run.
type target struct {
	url  string
	pid  int
	log  string // the spawned runtime's log file, until stop
	stop func()
}

// start spawns a fresh runtime (or takes the one at -url) and waits until
// it is ready.
func (e *bench) start(ctx context.Context) (*target, error) {
	if e.o.Spawn == "" {
		if err := rest.NewClient(e.o.URL, 1).Ready(ctx, 10*time.Second); err != nil {
			return nil, err
		}
		return &target{url: e.o.URL, pid: e.o.PID, stop: func() {}}, nil
	}
	vad := e.o.VADDir
	if vad == "" {
		vad = filepath.Join(filepath.Dir(e.o.Spawn), "vad")
	}
	agents := e.o.Agents
	if e.agentsDir != "" {
		agents = e.agentsDir
	}
	rt, err := spawn.Start(e.o.Spawn, spawn.Options{AgentsDir: agents, DefaultAgent: e.b.Name, VADDir: vad, TempPrefix: "turns-runtime-", Env: e.env})
	if err != nil {
		return nil, err
	}
	stop := func() {
		if err := rt.Stop(15*time.Second, e.o.Keep); err != nil {
			e.logf("%v", err)
		}
		if e.o.Keep {
			e.logf("kept the runtime's log: %s", rt.Log)
		}
	}
	e.logf("spawned %s as pid %d on %s", e.o.Spawn, rt.PID, rt.URL)
	if err := rest.NewClient(rt.URL, 1).Ready(ctx, time.Minute); err != nil {
		tail := rt.LogTail(30)
		stop()
		return nil, fmt.Errorf("%w\n%s", err, tail)
	}
	return &target{url: rt.URL, pid: rt.PID, log: rt.Log, stop: stop}, nil
}

// newShared is what the callers of a run against t use.
func (e *bench) newShared(t *target, conns int) (*shared, error) {
	api, err := loopcaller.NewAPI()
	if err != nil {
		return nil, err
	}
	return &shared{base: t.url, rest: rest.NewClient(t.url, conns+4), api: api, speech: e.speech, silence: e.silence, agent: e.b.Name}, nil
}

// place starts n calls at -ramp per second and waits until each is
// connected or failed; it returns the connected ones and the first error.
// connected, if not nil, is called with each call as soon as it connects.
func (e *bench) place(ctx context.Context, sh *shared, n, first int, connected func(*caller)) ([]*caller, error) {
	calls, errs := make([]*caller, n), make([]error, n)
	every := time.Duration(float64(time.Second) / e.o.Ramp)
	var wg sync.WaitGroup
	next := time.Now()
	for i := range calls {
		calls[i] = newCaller(first+i, sh)
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, e.o.SetupTimeout)
			defer cancel()
			errs[i] = calls[i].setup(sctx)
			if errs[i] == nil && connected != nil {
				connected(calls[i])
			}
		})
		next = next.Add(every)
		if ctxtime.Sleep(ctx, time.Until(next)) != nil {
			break
		}
	}
	wg.Wait()
	var ok []*caller
	var firstErr error
	for i, c := range calls {
		if errs[i] != nil {
			if firstErr == nil {
				firstErr = errs[i]
			}
			hangUpAll([]*caller{c})
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) < n {
		e.logf("%d of %d calls connected; first error: %v", len(ok), n, firstErr)
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("no call connected: %w", firstErr)
	}
	return ok, nil
}

// hangUpAll ends every call, twenty at a time.
func hangUpAll(calls []*caller) {
	ps := make([]*peer.Call, len(calls))
	for i, c := range calls {
		if c != nil {
			ps[i] = c.p
		}
	}
	peer.HangUpAll(ps)
}
