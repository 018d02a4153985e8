package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/internal/logcap"
	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// pluginDir holds the fake plugin built under each of its names.
var pluginDir string

func TestMain(m *testing.M) {
	if os.Getenv("HOST_TEST_RUNTIME") != "" {
		fakeRuntime() // the child process of TestSIGKILLedRuntimeLeavesNoPlugin
		return
	}
	dir, err := os.MkdirTemp("", "parley-plugins")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pluginDir = dir
	bin := filepath.Join(dir, "fake")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/fakeplugin").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build fake plugin: %v\n%s", err, out)
		os.Exit(1)
	}
	for _, name := range []string{"fake-hang", "fake-version", "fake-garbage", "fake-exit", "fake-stt", "fake-en"} {
		if err := os.Link(bin, filepath.Join(dir, name)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "not-executable"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func newHost(t *testing.T, tweak ...func(*Config)) (*Host, *logcap.Log) {
	t.Helper()
	logs := &logcap.Log{}
	cfg := Defaults(pluginDir)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Backoff = 50 * time.Millisecond
	cfg.StartTimeout = 5 * time.Second
	for _, f := range tweak {
		f(&cfg)
	}
	h := New(cfg)
	t.Cleanup(func() { _ = h.Close() })
	return h, logs
}

func healthy(t *testing.T, h *Host, name string) *Process {
	t.Helper()
	p, err := h.Plugin(name, "")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = p.WaitHealthy(ctx)
	require.NoError(t, err)
	return p
}

func TestStartDescribeAndShare(t *testing.T) {
	h, logs := newHost(t)
	p := healthy(t, h, "fake")
	st := p.Status()
	require.Equal(t, StateHealthy, st.State)
	require.Equal(t, "9.9.9", st.Version)
	require.Equal(t, []string{"chat", "tts", "sentiment"}, st.Kinds)
	require.Positive(t, st.PID)
	require.Equal(t, filepath.Join(pluginDir, "fake"), st.Path)

	again, err := h.Plugin("fake", "")
	require.NoError(t, err)
	require.Same(t, p, again, "one process per plugin, shared by every agent")

	r, err := p.Sentiment().Analyze(context.Background(), provider.SentimentRequest{Text: "ok"})
	require.NoError(t, err)
	require.Equal(t, provider.Neutral, r.Label)

	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "hello-from-fake") }, 5*time.Second, 10*time.Millisecond)
	require.Contains(t, logs.String(), "plugin=fake", "plugin stderr is labelled with the plugin")

	_, err = p.STT().Transcribe(context.Background(), provider.TranscribeRequest{})
	require.ErrorIs(t, err, provider.ErrUnsupported)
}

// TestCrashMidStream kills the plugin while a chat stream is open: the
// stream fails with a typed error within 100 ms, the plugin is back within
// a second, and the next request succeeds.
func TestCrashMidStream(t *testing.T) {
	h, _ := newHost(t)
	p := healthy(t, h, "fake")
	pid := p.Status().PID
	st, err := p.Chat().Complete(context.Background(), provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "one slow two three four"}}})
	require.NoError(t, err)
	defer st.Close()
	d, err := st.Recv()
	require.NoError(t, err)
	require.Equal(t, "one", d.Text)

	// Whoever waits for the plugin meanwhile gets its connection or an
	// error, never neither (CheckAgent once crashed on that).
	var (
		watch   sync.WaitGroup
		neither atomic.Int32
	)
	stopWatch := make(chan struct{})
	watch.Go(func() {
		for {
			select {
			case <-stopWatch:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			if c, err := p.WaitHealthy(ctx); c == nil && err == nil {
				neither.Add(1)
			}
			cancel()
		}
	})

	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	killed := time.Now()
	_, err = st.Recv()
	failedAfter := time.Since(killed)
	require.ErrorIs(t, err, provider.ErrUnavailable)
	require.Contains(t, err.Error(), "plugin fake")
	require.Less(t, failedAfter, 100*time.Millisecond, "in-flight request must fail fast")

	_, err = p.Chat().Complete(context.Background(), provider.ChatRequest{Messages: []provider.Message{{Content: "x"}}})
	if err != nil { // while restarting, requests fail at once rather than hang
		require.ErrorIs(t, err, provider.ErrUnavailable)
	}
	require.Eventually(t, func() bool {
		st := p.Status()
		return st.Restarts == 1 && st.State == StateHealthy
	}, time.Second, 5*time.Millisecond, "first restart within 1 s")
	restartedAfter := time.Since(killed)
	close(stopWatch)
	watch.Wait()
	require.Zero(t, neither.Load(), "WaitHealthy returned no connection and no error")
	require.Equal(t, 1, p.Status().Restarts)
	require.NotEqual(t, pid, p.Status().PID)
	require.Contains(t, p.Status().LastError, "exited")
	t.Logf("in-flight failure after %v, healthy again after %v", failedAfter, restartedAfter)

	st2, err := p.Chat().Complete(context.Background(), provider.ChatRequest{Messages: []provider.Message{{Content: "back again"}}})
	require.NoError(t, err)
	deltas, err := provider.Collect(st2)
	require.NoError(t, err)
	require.Len(t, deltas, 2)
}

func TestBadPlugins(t *testing.T) {
	h, _ := newHost(t, func(c *Config) { c.StartTimeout = 700 * time.Millisecond; c.Backoff = time.Hour })

	_, err := h.Plugin("missing", "")
	require.ErrorContains(t, err, "not found")
	_, err = h.Plugin("not-executable", "")
	require.ErrorContains(t, err, "not executable")
	_, err = h.Plugin("./testdata", ".")
	require.ErrorContains(t, err, "is a directory")

	for name, want := range map[string]string{
		"fake-hang":    "timeout",
		"fake-version": "incompatible API version",
		"fake-exit":    "",
	} {
		t.Run(name, func(t *testing.T) {
			p, err := h.Plugin(name, "")
			require.NoError(t, err)
			require.Eventually(t, func() bool { return p.Status().State == StateFailed }, 5*time.Second, 10*time.Millisecond)
			require.Contains(t, p.Status().LastError, want)
			_, err = p.Sentiment().Analyze(context.Background(), provider.SentimentRequest{Text: "x"})
			require.ErrorIs(t, err, provider.ErrUnavailable, "a failed plugin answers at once with a typed error")
			require.ErrorIs(t, err, ErrNotRunning)
		})
	}

	// The good plugin still works beside the bad ones.
	p := healthy(t, h, "fake")
	_, err = p.Sentiment().Analyze(context.Background(), provider.SentimentRequest{Text: "x"})
	require.NoError(t, err)
}

func TestGarbageResponses(t *testing.T) {
	h, _ := newHost(t)
	p := healthy(t, h, "fake-garbage")
	_, err := p.Sentiment().Analyze(context.Background(), provider.SentimentRequest{Text: "x"})
	require.ErrorIs(t, err, ErrBadResponse)
	require.ErrorContains(t, err, `"banana"`)
	st, err := p.TTS().Synthesize(context.Background(), provider.TTSRequest{Text: "x"})
	require.NoError(t, err)
	_, err = st.Recv()
	require.ErrorIs(t, err, ErrBadResponse)
	require.NoError(t, st.Close())
}

func TestCheckAgent(t *testing.T) {
	h, _ := newHost(t)
	spec := &agent.Spec{
		Name: "a", Language: agent.LanguageEnglish,
		Providers: agent.Providers{
			STT:       agent.Provider{Plugin: "fake"},
			Chat:      agent.Provider{Plugin: "fake", Options: map[string]any{"model": 3}},
			TTS:       agent.Provider{Plugin: "missing"},
			Sentiment: &agent.Provider{Plugin: "fake"},
		},
	}
	err := h.CheckAgent(context.Background(), spec)
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, "providers.stt: plugin fake does not serve stt")
	require.Contains(t, msg, "providers.chat.options.model: must be a string")
	require.Contains(t, msg, "providers.tts: plugin missing: binary")
	require.NotContains(t, msg, "providers.sentiment")

	spec.Providers.STT = agent.Provider{Plugin: filepath.Join(pluginDir, "fake")}
	spec.Providers.Chat.Options = nil
	spec.Providers.TTS = agent.Provider{Plugin: "fake"}
	require.ErrorContains(t, h.CheckAgent(context.Background(), spec), "does not serve stt")
}

func TestCheckAgentLanguage(t *testing.T) {
	h, _ := newHost(t)
	spec := &agent.Spec{
		Name: "a",
		Providers: agent.Providers{
			STT:  agent.Provider{Plugin: "fake-en"},
			Chat: agent.Provider{Plugin: "fake"}, // declares no languages: any
			TTS:  agent.Provider{Plugin: "fake-en"},
		},
	}
	tests := []struct {
		lang agent.Language
		ok   bool
	}{
		{"en", true}, {"en-GB", true}, {"ko", true}, {"ko-KR", true}, {"auto", true},
		{"fr", false}, {"ko-KP", false}, {"pt-BR", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			spec.Language = tt.lang
			err := h.CheckAgent(context.Background(), spec)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			msg := err.Error()
			require.Contains(t, msg, "providers.stt: plugin fake-en does not support "+string(tt.lang)+" (it supports en, ko-KR)")
			require.Contains(t, msg, "providers.tts: plugin fake-en does not support")
			require.NotContains(t, msg, "providers.chat")
		})
	}
	require.Equal(t, []string{"en", "ko-KR"}, healthy(t, h, "fake-en").Status().Languages) // GET /api/v1/plugins
	require.Empty(t, healthy(t, h, "fake").Status().Languages)
}

// TestSIGKILLedRuntimeLeavesNoPlugin runs a host in a child process, kills
// that process with SIGKILL, and checks its plugin dies with it.
func TestSIGKILLedRuntimeLeavesNoPlugin(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOST_TEST_RUNTIME=1", "HOST_TEST_PLUGINS="+pluginDir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "plugin pid ")))
	require.NoError(t, err, "child said %q", line)
	require.NoError(t, syscall.Kill(pid, 0), "plugin should be running")

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	require.Eventually(t, func() bool {
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || zombie(pid)
	}, 3*time.Second, 10*time.Millisecond, "plugin %d outlived the SIGKILLed runtime", pid)
}

// zombie reports whether pid has exited but not been reaped (its parent,
// the test's child, is gone, so init reaps it shortly).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] == "Z"
}

func fakeRuntime() {
	cfg := Defaults(os.Getenv("HOST_TEST_PLUGINS"))
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	h := New(cfg)
	p, err := h.Plugin("fake", "")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := p.WaitHealthy(context.Background()); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Printf("plugin pid %d\n", p.Status().PID)
	time.Sleep(time.Hour)
}
