package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/plugins/internal/oaifake"
)

// TestExampleAgentTests is `parley test docs/examples/agents` in make
// test: the OpenAI examples' tests run through the built runtime and this
// plugin against the fake OpenAI server, a scripted model that answers,
// calls the transfer tool, hangs up with end_call and scores sentiment as
// JSON. The llama.cpp and Ollama examples name their own base_url; the run
// points it at the fake with --option.
func TestExampleAgentTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runtime and plugins")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	dir := buildWithPlugins(t, root, "openai-chat", "sentiment")
	fake := oaifake.New(t)
	fake.SetDefault(oaifake.ChatPath, oaifake.Dialog(
		oaifake.Rule{When: "goodbye", Reply: "Goodbye, and thanks for calling!", Tool: "end_call", Sentiment: "positive"},
		oaifake.Rule{When: "person", Reply: "Of course, I will pass you to our team.", Tool: "transfer_to_team", Arguments: `{"destination":"team"}`},
		oaifake.Rule{Reply: "Happy to help. What would you like to know?"},
	))
	examples := filepath.Join(root, "docs", "examples", "agents")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "parley"), "test", "--option", "openai-chat.base_url="+fake.URL, examples)
	cmd.Dir = t.TempDir() // no .env of the developer's tree
	cmd.Env = []string{"OPENAI_BASE_URL=" + fake.URL, "OPENAI_API_KEY=sk-test"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, want := range []string{"PASS  llamacpp: hangs up on goodbye", "PASS  ollama: answers",
		"PASS  openai-en: answers, then hangs up on goodbye", "PASS  openai-en: passes the caller to a person", "6 passed, 0 failed"} {
		require.Contains(t, string(out), want)
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

// buildWithPlugins builds the runtime as dir/parley and the named plugins
// into dir/plugins (the layout make build produces) and returns dir. (Not
// internal/e2e: it links a Socket.IO client whose timer goroutine
// goleak would report.)
func buildWithPlugins(t *testing.T, root string, plugins ...string) string {
	t.Helper()
	dir := t.TempDir()
	pkgs := []string{"build", "-o", filepath.Join(dir, "plugins") + string(filepath.Separator)}
	for _, p := range plugins {
		pkgs = append(pkgs, "./plugins/"+p)
	}
	for _, args := range [][]string{{"build", "-o", filepath.Join(dir, "parley"), "./cmd/runtime"}, pkgs} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %v\n%s", args, out)
	}
	return dir
}
