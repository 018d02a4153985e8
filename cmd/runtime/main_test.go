package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/internal/logcap"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// binary is the runtime built once for the tests that run it as a process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "parley-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = e2e.Binary(dir)
	// The runtime with the race detector and every plugin, the layout
	// `make build` produces.
	if err := e2e.Build(dir, true); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// process is the runtime binary running against a data directory
// (e2e.Runtime); base and logs name its Base and Logs.
type process struct {
	*e2e.Runtime
	base string
	logs *logcap.Log
}

// start runs the runtime on dataDir with the repository's agents, JSON
// logs and the VAD of bin/vad (e2e.StartWith), then extraEnv, and waits
// for it to be ready; it is stopped when the test ends.
func start(t *testing.T, dataDir string, extraEnv ...string) *process {
	t.Helper()
	rt := e2e.StartWith(t, binary, e2e.RuntimeOptions{DataDir: dataDir, Env: extraEnv, ReadyTimeout: 20 * time.Second})
	return &process{Runtime: rt, base: rt.Base, logs: rt.Logs}
}

func repoAgents(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../agents")
	require.NoError(t, err)
	return dir
}

// call sends a JSON request and returns the data of its success envelope
// (e2e.Runtime.API).
func (p *process) call(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	return p.API(t, method, path, body)
}

// TestSIGKILLLosesNothingCommitted kills the runtime mid-way and checks that
// every call it acknowledged is there after a restart, and that calls it
// left live are FAILED with reason "runtime restart": on SQLite, and on a
// real PostgreSQL (PARLEY_DATABASE_URL).
func TestSIGKILLLosesNothingCommitted(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testSIGKILLLosesNothingCommitted(t) })
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Start(t).NewDatabase(t)
		testSIGKILLLosesNothingCommitted(t, "PARLEY_DATABASE_URL="+url)
	})
}

func testSIGKILLLosesNothingCommitted(t *testing.T, env ...string) {
	data := t.TempDir()
	p := start(t, data, append([]string{"PARLEY_MAX_CALLS=0"}, env...)...)
	ids := map[string]string{} // id -> expected status after restart
	// Calls between two people, with no call cap: 20 stay live, more
	// than the default cap (or the offline agent's stream limit) admits.
	for i := range 30 {
		c := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678","receiverNumber":"010-8765-4321"}`)["call"].(map[string]any)
		id := c["id"].(string)
		switch i % 3 {
		case 0:
			p.call(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "")
			ids[id] = "ENDED"
		case 1:
			p.call(t, http.MethodPost, "/api/v1/calls/"+id+"/connect", "")
			ids[id] = "FAILED"
		default:
			ids[id] = "FAILED"
		}
	}
	require.NoError(t, p.Signal(syscall.SIGKILL))
	_ = p.Wait()

	p = start(t, data, env...)
	for id, want := range ids {
		c := p.call(t, http.MethodGet, "/api/v1/calls/"+id, "")["call"].(map[string]any)
		require.Equal(t, want, c["status"], "call %s", id)
		if want == "FAILED" {
			require.Equal(t, "runtime restart", c["endReason"])
		}
	}
	list := p.call(t, http.MethodGet, "/api/v1/calls?limit=100", "")
	require.EqualValues(t, len(ids), list["pagination"].(map[string]any)["total"])
	require.Contains(t, p.logs.String(), "marked FAILED")
}

// TestGracefulStop checks SIGTERM stops the runtime cleanly with status 0.
func TestGracefulStop(t *testing.T) {
	p := start(t, t.TempDir())
	require.NoError(t, p.Signal(syscall.SIGTERM))
	require.NoError(t, p.Wait(), "log:\n%s", p.logs)
	require.Contains(t, p.logs.String(), `"msg":"stopped"`)
}

// TestDebugProfiles checks PARLEY_DEBUG_ADDR serves a heap profile on its
// own listener, that the public port has no such route, and that the
// runtime still stops cleanly.
func TestDebugProfiles(t *testing.T) {
	debug := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
	p := start(t, t.TempDir(), "PARLEY_DEBUG_ADDR="+debug)
	res, err := http.Get("http://" + debug + "/debug/pprof/heap?debug=1")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(body), "heap profile:")
	res, err = http.Get(p.base + "/debug/pprof/heap")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	require.NoError(t, p.Signal(syscall.SIGTERM))
	require.NoError(t, p.Wait(), "log:\n%s", p.logs)
}

// TestSecretsNotLogged starts the runtime with a key and checks it is not in
// its log nor in any API response.
func TestSecretsNotLogged(t *testing.T) {
	const key = "sk-test-secret-0123456789"
	p := start(t, t.TempDir(), "OPENAI_API_KEY="+key, "PARLEY_LOG_LEVEL=debug")
	agents := p.call(t, http.MethodGet, "/api/v1/agents", "")
	b, _ := json.Marshal(agents)
	require.NotContains(t, string(b), key)
	require.NotContains(t, p.logs.String(), key)
	require.Contains(t, p.logs.String(), `"openai_key":true`)
}

func TestRefusesInvalidDefaultAgent(t *testing.T) {
	agents := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(agents, "default.yaml"), []byte("name: default\nlanguage: xx\n"), 0o600))
	cmd := exec.Command(binary)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PORT=" + fmt.Sprint(e2e.FreePort(t)), "PARLEY_DATA_DIR=" + t.TempDir(), "PARLEY_AGENTS_DIR=" + agents}
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "default agent")
	require.Contains(t, string(out), "language")
}

func TestHelpDocumentsFlagsAndVariables(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), nil, []string{"--help"}, &out, &errOut))
	for _, want := range []string{"--port", "--config", "--data-dir", "PORT", "OPENAI_API_KEY", "OPENAI_MODEL", "STUN_SERVER_URL", "CORS_ORIGIN", "PARLEY_DATA_DIR", "validate"} {
		require.Contains(t, out.String(), want)
	}
}

func TestValidateCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), nil, []string{"validate", repoAgents(t)}, &out, &errOut), out.String())

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "a.yaml"), []byte("name: a\nlanguage: en\nsys_prompt: x\nproviders: {}\n"), 0o600))
	out.Reset()
	err := run(context.Background(), nil, []string{"validate", bad}, &out, &errOut)
	require.Equal(t, exitCode(1), err)
	require.Contains(t, out.String(), "sys_prompt")
	require.Contains(t, out.String(), "providers")

	require.Equal(t, exitCode(2), run(context.Background(), nil, []string{"validate", "a", "b"}, &out, &errOut))
}

// TestPluginsHealthyAndDieWithRuntime starts the runtime with no key and no
// network: the default agent's plugins are healthy; after a SIGKILL of the
// runtime none of them is left.
func TestPluginsHealthyAndDieWithRuntime(t *testing.T) {
	p := start(t, t.TempDir())
	plugins := p.call(t, http.MethodGet, "/api/v1/plugins", "")["plugins"].([]any)
	states := map[string]string{}
	var pids []int
	for _, raw := range plugins {
		pl := raw.(map[string]any)
		states[pl["name"].(string)] = pl["state"].(string)
		pids = append(pids, int(pl["pid"].(float64)))
	}
	for _, name := range []string{"pocketsphinx", "scripted", "espeak", "sentiment"} {
		require.Equal(t, "healthy", states[name], "plugin %s; all: %v", name, states)
	}
	agents := p.call(t, http.MethodGet, "/api/v1/agents", "")["agents"].([]any)
	require.Equal(t, "ready", agents[0].(map[string]any)["status"], "default agent: %v", agents[0])

	require.NoError(t, p.Signal(syscall.SIGKILL))
	_ = p.Wait()
	for _, pid := range pids {
		require.Eventually(t, func() bool { return gone(pid) }, 3*time.Second, 10*time.Millisecond, "plugin pid %d outlived the runtime", pid)
	}
}

// gone reports whether a process has exited (a zombie waiting for init to
// reap it counts as exited).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

// upload posts a multipart conversation/process request.
func (p *process) upload(t *testing.T, callID string, audio []byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("audio", "question.wav")
	require.NoError(t, err)
	_, _ = fw.Write(audio)
	require.NoError(t, w.WriteField("callId", callID))
	require.NoError(t, w.Close())
	res, err := http.Post(p.base+"/api/v1/calls/conversation/process", w.FormDataContentType(), &body)
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return res.StatusCode, out
}

// TestConversationProcessOffline answers a spoken English question with
// the offline default agent: pocketsphinx hears it, the scripted agent
// answers, espeak speaks, the sentiment lexicon scores, both turns are
// stored.
func TestConversationProcessOffline(t *testing.T) {
	speech, err := os.ReadFile(e2e.FliteWAV(t, "Where is my order? It has not arrived yet.", 0, 0))
	require.NoError(t, err)

	p := start(t, t.TempDir())
	id := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678"}`)["call"].(map[string]any)["id"].(string)
	status, res := p.upload(t, id, speech)
	require.Equal(t, http.StatusOK, status, "%v", res)
	conv := res["data"].(map[string]any)["conversation"].(map[string]any)
	require.Contains(t, strings.ToLower(conv["userMessage"].(string)), "order")
	require.NotEmpty(t, conv["aiResponse"])
	require.Contains(t, []any{"positive", "neutral", "negative"}, conv["sentiment"].(map[string]any)["sentiment"])
	audioURL := res["data"].(map[string]any)["audioUrl"].(string)
	require.True(t, strings.HasPrefix(audioURL, "data:audio/wav;base64,"))
	reply, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(audioURL, "data:audio/wav;base64,"))
	require.NoError(t, err)
	require.Greater(t, len(reply), 44+22050/2, "at least half a second of speech")
	require.Greater(t, rms(reply[44:]), 300.0, "the reply is not silence")

	turns := p.call(t, http.MethodGet, "/api/v1/calls/"+id+"/history", "")["turns"].([]any)
	require.Len(t, turns, 2)
	require.Equal(t, conv["userMessage"], turns[0].(map[string]any)["text"])
	require.Equal(t, conv["aiResponse"], turns[1].(map[string]any)["text"])

	// Bad input: nothing more is stored.
	status, res = p.upload(t, id, []byte("this is not audio"))
	require.Equal(t, http.StatusUnsupportedMediaType, status, "%v", res)
	status, _ = p.upload(t, id, speech[:100])
	require.Equal(t, http.StatusBadRequest, status)
	// A valid WAV at a rate the resampler cannot convert is the client's
	// problem, not a 500.
	status, res = p.upload(t, id, audio.EncodeWAV(pcm.Audio{Samples: make([]int16, 44101), Rate: 44101}))
	require.Equal(t, http.StatusBadRequest, status, "%v", res)
	require.Equal(t, "VALIDATION_ERROR", res["error"].(map[string]any)["code"])
	require.Contains(t, res["error"].(map[string]any)["message"], "44101")
	status, _ = p.upload(t, "550e8400-e29b-41d4-a716-446655440000", speech)
	require.Equal(t, http.StatusNotFound, status)
	p.call(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "")
	status, _ = p.upload(t, id, speech)
	require.Equal(t, http.StatusConflict, status)
	turns = p.call(t, http.MethodGet, "/api/v1/calls/"+id+"/history", "")["turns"].([]any)
	require.Len(t, turns, 2)
}

func rms(pcm []byte) float64 {
	var sum float64
	n := len(pcm) / 2
	for i := range n {
		v := float64(int16(uint16(pcm[2*i]) | uint16(pcm[2*i+1])<<8))
		sum += v * v
	}
	return math.Sqrt(sum / float64(max(n, 1)))
}

// TestExampleAgentsLoad loads the documented example agents next to the
// default one, with the real plugins checking their options: the
// OpenAI-compatible ones (Ollama, llama.cpp) are ready without a key, the
// OpenAI one says it needs OPENAI_API_KEY.
func TestExampleAgentsLoad(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{"../../agents/default.yaml", "../../docs/examples/agents/ollama.yaml",
		"../../docs/examples/agents/llamacpp.yaml", "../../docs/examples/agents/openai-en.yaml"} {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o600))
	}
	// The default agent in British English is served; in French it is not
	// (pocketsphinx is English only, the sentiment lexicon en and ko).
	def, err := os.ReadFile("../../agents/default.yaml")
	require.NoError(t, err)
	for name, lang := range map[string]string{"british": "en-GB", "french": "fr"} {
		b := strings.Replace(strings.Replace(string(def), "name: default", "name: "+name, 1), "language: en\n", "language: "+lang+"\n", 1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(b), 0o600))
	}
	p := start(t, t.TempDir(), "PARLEY_AGENTS_DIR="+dir)
	status := map[string]string{}
	var problems, french string
	require.Eventually(t, func() bool {
		for _, a := range p.call(t, http.MethodGet, "/api/v1/agents", "")["agents"].([]any) {
			m := a.(map[string]any)
			status[m["name"].(string)] = m["status"].(string)
			b, _ := json.Marshal(m)
			switch m["name"] {
			case "openai-en":
				problems = string(b)
			case "french":
				french = string(b)
			}
		}
		return status["ollama"] == "ready" && status["llamacpp"] == "ready" && status["openai-en"] == "unavailable" &&
			status["british"] == "ready" && status["french"] == "unavailable"
	}, 20*time.Second, 100*time.Millisecond, "agents: %v", status)
	require.Contains(t, problems, "OPENAI_API_KEY")
	require.Contains(t, french, "providers.stt: plugin pocketsphinx does not support fr (it supports en)")
	require.Contains(t, french, "the lexicon mode scores en and ko only, not fr")
}
