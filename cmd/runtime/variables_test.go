package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLiveCallGreetsWithVariables: a call created over REST with variables
// is greeted, over WebRTC, with its own values, and the greeting is stored
// rendered.
func TestLiveCallGreetsWithVariables(t *testing.T) {
	agents := t.TempDir()
	def, err := os.ReadFile(filepath.Join(repoAgents(t), "default.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(agents, "default.yaml"), def, 0o600))
	// The default agent's own tests: give no customer_name: leave them out.
	base, _, _ := strings.Cut(string(def), "\ntests:")
	greeter := strings.Replace(base+"\n", "name: default", "name: greeter", 1)
	greeter = strings.Replace(greeter, "greeting: Thank you for calling Juniper and Company. How can I help you today?",
		"greeting: Hello {{customer_name}}, order {{order_id}} ships on {{weekday}}.\n"+
			"timezone: Asia/Seoul\n"+
			"variables:\n  customer_name: {type: string, required: true}\n  order_id: {type: integer}\n", 1)
	require.Contains(t, greeter, "{{customer_name}}")
	require.NoError(t, os.WriteFile(filepath.Join(agents, "greeter.yaml"), []byte(greeter), 0o600))

	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true", "PARLEY_AGENTS_DIR="+agents)
	a := dialAgentWith(t, p, `{"callerNumber":"01012345678","agent":"greeter","variables":{"customer_name":"Ada","order_id":12345}}`)
	seoul, err := time.LoadLocation("Asia/Seoul")
	require.NoError(t, err)
	want := "Hello Ada, order 12345 ships on " + time.Now().In(seoul).Weekday().String() + "."
	var texts []string
	require.Eventually(t, func() bool {
		texts = texts[:0]
		for _, turn := range p.call(t, http.MethodGet, "/api/v1/calls/"+a.id+"/history", "")["turns"].([]any) {
			texts = append(texts, turn.(map[string]any)["text"].(string))
		}
		return len(texts) > 0
	}, 20*time.Second, 100*time.Millisecond, "no greeting stored")
	require.Equal(t, want, texts[0], "the stored greeting (a call across midnight in Seoul may see another weekday)")
	require.Greater(t, a.heard.loud(), time.Duration(0), "the greeting was heard")
	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")
}
