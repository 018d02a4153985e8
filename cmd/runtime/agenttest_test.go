package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/agent"
)

// parley runs the built binary with args (in an empty directory, so no
// .env of the developer's tree is read) and returns its output and exit
// status.
func parley(t *testing.T, stdin string, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PARLEY_LOG_FORMAT=json"}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	require.NoError(t, err, out.String())
	return out.String(), 0
}

// TestParleyTestAgents is `parley test agents/` in make test: the shipped
// agents' tests pass against the real plugins (the offline default agent;
// support-ko has none).
func TestParleyTestAgents(t *testing.T) {
	out, code := parley(t, "", nil, "test", repoAgents(t))
	require.Equal(t, 0, code, out)
	require.Regexp(t, `PASS  default: passes the caller to the team`, out)
	require.Contains(t, out, "SKIP  support-ko")
	require.NotContains(t, out, "FAIL")
}

// TestParleyTestNamesTheFailingLine breaks one expectation of the default
// agent: the run fails and names the file and the line of that expectation.
func TestParleyTestNamesTheFailingLine(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoAgents(t), "default.yaml"))
	require.NoError(t, err)
	const good = "expect: {reply: goodbye!$, hangup: true}"
	require.Contains(t, string(src), good)
	broken := strings.Replace(string(src), good, "expect: {reply: see you soon, hangup: true}", 1)
	line := 1 + strings.Count(broken[:strings.Index(broken, "see you soon")], "\n")
	file := filepath.Join(t.TempDir(), "default.yaml")
	require.NoError(t, os.WriteFile(file, []byte(broken), 0o600))

	out, code := parley(t, "", nil, "test", file)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "FAIL  default: goodbye hangs up")
	require.Contains(t, out, file+":"+strconv.Itoa(line)+`: step 3: reply "Thank you for calling Juniper and Company. Goodbye!" does not match /see you soon/`)
	require.Regexp(t, `(?m)^5 passed, 1 failed`, out)

	// An invalid expectation is a load error: exit 2, nothing run.
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(broken, "see you soon", "(unclosed", 1)), 0o600))
	out, code = parley(t, "", nil, "test", file)
	require.Equal(t, 2, code, out)
	require.Contains(t, out, file+":"+strconv.Itoa(line)+": tests[5].steps[2].expect.reply: is not a valid regular expression")
}

// TestParleyTestExamples is `parley test docs/examples/agents` in make
// test: the OpenAI examples' tests run through the built runtime and the
// real openai-chat and sentiment plugins against the fake OpenAI server, a
// scripted model that answers, calls the transfer tool, hangs up with
// end_call and scores sentiment as JSON. The llama.cpp and Ollama examples
// name their own base_url; the run points it at the fake with --option.
func TestParleyTestExamples(t *testing.T) {
	fake := oaifake.New(t)
	fake.SetDefault(oaifake.ChatPath, oaifake.Dialog(
		oaifake.Rule{When: "goodbye", Reply: "Goodbye, and thanks for calling!", Tool: "end_call", Sentiment: "positive"},
		oaifake.Rule{When: "person", Reply: "Of course, I will pass you to our team.", Tool: "transfer_to_team", Arguments: `{"destination":"team"}`},
		oaifake.Rule{Reply: "Happy to help. What would you like to know?"},
	))
	examples, err := filepath.Abs("../../docs/examples/agents")
	require.NoError(t, err)
	out, code := parley(t, "", []string{"OPENAI_BASE_URL=" + fake.URL, "OPENAI_API_KEY=sk-test"},
		"test", "--option", "openai-chat.base_url="+fake.URL, examples)
	require.Equal(t, 0, code, out)
	for _, want := range []string{"PASS  llamacpp: hangs up on goodbye", "PASS  ollama: answers",
		"PASS  openai-en: answers, then hangs up on goodbye", "PASS  openai-en: passes the caller to a person", "6 passed, 0 failed"} {
		require.Contains(t, out, want)
	}
	// The model was offered the agent's tool, and scored the caller's words.
	var offered, scored bool
	for _, r := range fake.Requests(oaifake.ChatPath) {
		c := r.Chat()
		for _, tool := range c.Tools {
			offered = offered || tool.Function.Name == "transfer_to_team"
		}
		scored = scored || c.ResponseFormat != nil
	}
	require.True(t, offered, "transfer_to_team was never offered")
	require.True(t, scored, "no sentiment request")
}

// TestParleyChatThroughAPipe drives the console with lines from a pipe:
// the greeting, replies, the transfer tool's call and result, sentiment,
// and the end when the agent transfers the call (the last line is never
// said).
func TestParleyChatThroughAPipe(t *testing.T) {
	in := "when are you open\n" + strings.Repeat("x", 2100) + "\nthis is great, thanks\nI want to talk to a person\nare you still there\n"
	out, code := parley(t, in, []string{"PARLEY_AGENTS_DIR=" + repoAgents(t)}, "chat", "default")
	require.Equal(t, 0, code, out)
	for _, want := range []string{
		"agent: Thank you for calling Juniper and Company. How can I help you today?",
		"you: when are you open",
		"agent: We are open Monday to Saturday",
		"(that line is longer than 2000 bytes",
		"  sentiment: positive",
		"agent: Of course. I will pass you to a member of our team, please stay on the line.",
		`  tool call: transfer_to_team {"destination":"team"}`,
		`  tool transfer_to_team answered in`,
		`"target":"+15555550100"`,
		"[the agent transferred the call to team (+15555550100)]",
	} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "you: are you still there")

	// Variables: an unknown one is refused before anything runs.
	out, code = parley(t, "", []string{"PARLEY_AGENTS_DIR=" + repoAgents(t)}, "chat", "default", "--var", "nope=1")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "variables.nope")
}

// TestValidatePlugins has the plugins check the agents' options: a bad
// scripted option is reported with its file and line, and the shipped
// offline agent passes.
func TestValidatePlugins(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoAgents(t), "default.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), src, 0o600))
	out, code := parley(t, "", nil, "validate", "--plugins", dir)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `ok (agent "default", plugins checked)`)

	bad := strings.Replace(string(src), "fuzzy: 0.8", "fuzzy: 7", 1)
	line := 1 + strings.Count(bad[:strings.Index(bad, "fuzzy: 7")], "\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(bad), 0o600))
	out, code = parley(t, "", nil, "validate", "--plugins", dir)
	require.Equal(t, 1, code, out)
	require.Regexp(t, regexp.QuoteMeta(filepath.Join(dir, "default.yaml")+":"+strconv.Itoa(line)+": providers.chat.options.fuzzy: must be"), out)

	// Without --plugins only the file is checked: the option is not.
	out, code = parley(t, "", nil, "validate", dir)
	require.Equal(t, 0, code, out)
}

// TestParleyTestHTTPTool runs a test whose agent calls an HTTP tool for
// real: the scripted dialog asks for the order number, takes it from the
// caller's words, the tool's request reaches a server on loopback, and the
// reply is filled from its answer. The test's variables render the
// greeting.
func TestParleyTestHTTPTool(t *testing.T) {
	var hits atomic.Int32
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		path.Store(r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status": "shipped"}`))
	}))
	t.Cleanup(srv.Close)
	agentFile := `name: shop
language: en
system_prompt: You help callers of {{shop}}.
greeting: Hello from {{shop}}!
variables:
  shop: {type: string, default: Juniper}
providers:
  stt: {plugin: pocketsphinx}
  chat:
    plugin: scripted
    options:
      intents:
        - name: order
          keywords: [order]
          tool: {name: lookup_order, arguments: {order_number: "{digits}"}}
          missing_reply: What is your order number?
          reply: Your order {{arguments.order_number}} is {{result.status}}.
          tool_error_reply: Sorry, I cannot check that order.
      fallback: Sorry?
  tts: {plugin: espeak}
tools:
  - name: lookup_order
    description: Look up an order.
    parameters: {type: object, properties: {order_number: {type: string}}, required: [order_number]}
    http: {url: "` + srv.URL + `/orders/{{order_number}}"}
tests:
  - name: looks up an order
    variables: {shop: Acme}
    greeting: hello from acme
    steps:
      - say: where is my order
        expect: {contains: what is your order number}
      - say: one two three four five
        expect:
          tool: lookup_order
          arguments: {order_number: "12345"}
          reply: your order 12345 is shipped
`
	file := filepath.Join(t.TempDir(), "shop.yaml")
	require.NoError(t, os.WriteFile(file, []byte(agentFile), 0o600))
	out, code := parley(t, "", nil, "test", "-v", file)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "PASS  shop: looks up an order (2 steps")
	require.Contains(t, out, "agent: Hello from Acme!")
	require.Contains(t, out, `tool:  lookup_order {"order_number":"12345"} -> {"status":"shipped"}`)
	require.Equal(t, int32(1), hits.Load())
	require.Equal(t, "/orders/12345", path.Load())
}

func TestOptionOverrides(t *testing.T) {
	o, err := parseOverrides([]string{"openai-chat.base_url=http://127.0.0.1:1/v1", "openai-chat.temperature=0.2", "sentiment.mode=lexicon"})
	require.NoError(t, err)
	require.Equal(t, []override{{"openai-chat", "base_url", "http://127.0.0.1:1/v1"}, {"openai-chat", "temperature", 0.2}, {"sentiment", "mode", "lexicon"}}, o)
	for _, bad := range []string{"base_url=x", "openai-chat=x", ".k=v", "openai-chat.k"} {
		_, err := parseOverrides([]string{bad})
		require.Error(t, err, bad)
	}

	spec := &agent.Spec{Providers: agent.Providers{
		Chat:      agent.Provider{Plugin: "openai-chat", Options: map[string]any{"model": "m"}},
		TTS:       agent.Provider{Plugin: "espeak"},
		Sentiment: &agent.Provider{Plugin: "sentiment"},
	}}
	before := spec.Providers.Chat.Options
	applyOverrides(spec, o)
	require.Equal(t, map[string]any{"model": "m", "base_url": "http://127.0.0.1:1/v1", "temperature": 0.2}, spec.Providers.Chat.Options)
	require.Equal(t, map[string]any{"model": "m"}, before, "the loaded options are copied, not changed")
	require.Equal(t, map[string]any{"mode": "lexicon"}, spec.Providers.Sentiment.Options)
	require.Nil(t, spec.Providers.TTS.Options)
}
