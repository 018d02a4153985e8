package main

import (
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/e2e"
)

// talk sends pcm (48 kHz) and then silence as 20 ms Opus frames in real
// time, as a browser does: RTP never stops.
func talk(t *testing.T, track *webrtc.TrackLocalStaticSample, pcm []int16, silence time.Duration) {
	t.Helper()
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	require.NoError(t, err)
	pcm = append(pcm, make([]int16, int(silence/(20*time.Millisecond))*960)...)
	buf := make([]byte, 1500)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i+960 <= len(pcm); i += 960 {
		n, err := enc.Encode(pcm[i:i+960], buf)
		require.NoError(t, err)
		require.NoError(t, track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: 20 * time.Millisecond}))
		<-tick.C
	}
}

// TestSpokenConversationOffline holds a spoken conversation with the
// offline default agent over WebRTC: pocketsphinx hears the caller, the
// scripted dialog answers, espeak speaks. Transcript and reply arrive as
// live events, and the turns with their timings are in history.
func TestSpokenConversationOffline(t *testing.T) {
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true")
	a := dialAgent(t, p)
	// Silence until the greeting has been spoken.
	go talk(t, a.mic, nil, 500*time.Millisecond)
	a.wait("agent-speaking", func(m map[string]any) bool { return m["state"] == "stop" })

	greeted := a.heard.loud()
	talk(t, a.mic, e2e.Speech48k(t, "Where is my order? It has not arrived yet."), 2*time.Second)
	final := a.wait("transcript", func(m map[string]any) bool { return m["final"] == true })
	require.Contains(t, strings.ToLower(final["text"].(string)), "order")
	reply := a.wait("agent-response", func(m map[string]any) bool {
		return m["final"] == true && m["text"] != "Thank you for calling Juniper and Company. How can I help you today?"
	})
	require.Contains(t, reply["text"], "three to five working days", "the scripted order_status intent answers")
	a.wait("sentiment", nil)
	// The final agent-response comes once the reply has been played.
	require.Greater(t, a.heard.loud(), greeted+2*time.Second, "the reply was heard")

	require.Eventually(t, func() bool {
		return len(p.call(t, http.MethodGet, "/api/v1/calls/"+a.id+"/history", "")["turns"].([]any)) >= 3
	}, 20*time.Second, 50*time.Millisecond, "turns stored")
	turns := p.call(t, http.MethodGet, "/api/v1/calls/"+a.id+"/history", "")["turns"].([]any)
	greeting, user, answer := turns[0].(map[string]any), turns[1].(map[string]any), turns[2].(map[string]any)
	require.Equal(t, "assistant", greeting["role"])
	require.Equal(t, "user", user["role"])
	require.Equal(t, final["text"], user["text"])
	require.Equal(t, reply["text"], answer["text"])
	require.NotNil(t, user["sentiment"])
	tm := user["timings"].(map[string]any)
	for _, k := range []string{"speechStartedAt", "speechEndedAt", "sttFinalMs", "chatFirstTokenMs", "ttsFirstAudioMs", "firstPacketAt", "runtimeOverheadMs"} {
		require.Contains(t, tm, k, "timings %v", tm)
	}
	t.Logf("timings: %v", tm)

	// The turn shows in /metrics.
	res, err := http.Get(p.base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	body := string(raw)
	require.Contains(t, body, `parley_turns_total{agent="default"} 1`)
	require.Contains(t, body, "parley_turn_overhead_seconds_bucket")
	require.Regexp(t, `parley_webrtc_frame_interval_seconds_count [1-9]`, body, "frames sent are timed")
	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")
}

// TestOfflineAgentTransfers: asked for a person, the offline default agent
// calls its transfer tool over a live WebRTC call. The tool call is a live
// event, the call ends with reason transferred, and the call is in the
// history and in /metrics.
func TestOfflineAgentTransfers(t *testing.T) {
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true")
	a := dialAgent(t, p)
	go talk(t, a.mic, nil, 500*time.Millisecond)
	a.wait("agent-speaking", func(m map[string]any) bool { return m["state"] == "stop" })

	go talk(t, a.mic, e2e.Speech48k(t, "I want to talk to someone."), 6*time.Second)
	running := a.wait("tool-call", func(m map[string]any) bool { return m["state"] == "running" })
	require.Equal(t, "transfer_to_team", running["name"])
	require.JSONEq(t, `{"destination":"team"}`, running["arguments"].(string))
	done := a.wait("tool-call", func(m map[string]any) bool { return m["state"] == "succeeded" })
	require.Contains(t, done["result"], "+15555550100")
	moved := a.wait("call-transferred", nil)
	require.Equal(t, "team", moved["destination"])
	require.Equal(t, "+15555550100", moved["target"])
	a.wait("call-status", func(m map[string]any) bool { return m["status"] == "ENDED" })
	c := p.call(t, http.MethodGet, "/api/v1/calls/"+a.id, "")["call"].(map[string]any)
	require.Equal(t, "transferred", c["endReason"])

	require.Eventually(t, func() bool {
		turns := p.call(t, http.MethodGet, "/api/v1/calls/"+a.id+"/history", "")["turns"].([]any)
		last := turns[len(turns)-1].(map[string]any)
		calls, _ := last["toolCalls"].([]any)
		return len(calls) == 1 && calls[0].(map[string]any)["name"] == "transfer_to_team" &&
			strings.Contains(last["text"].(string), "member of our team")
	}, 10*time.Second, 50*time.Millisecond, "the tool call in the history")

	res, err := http.Get(p.base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Contains(t, string(raw), `parley_tool_calls_total{agent="default",outcome="ok",tool="transfer_to_team"} 1`)
}

// TestPluginCrashMidTurn kills the speech recogniser at the end of the
// caller's sentence, before its turn is over: the call survives, the
// caller hears the apology, and the next turn is answered by the restarted
// plugin. (Killed mid-sentence, the apology is cut off by the caller's own
// speech, a barge-in, and the rest of the sentence becomes the next turn.)
// The agent waits a fixed 700 ms: with the default agent's adaptive wait
// and speculative replies the final transcript is asked for 200 ms after
// the speech, and a kill at that moment may come after it.
func TestPluginCrashMidTurn(t *testing.T) {
	agents := turnAgents(t, map[string]any{"end_of_turn_silence": "700ms", "barge_in": true}, map[string]string{"fixed": "Hello."})
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true", "PARLEY_AGENTS_DIR="+agents)
	a := dialAgentWith(t, p, `{"callerNumber":"01012345678","agent":"fixed"}`)
	go talk(t, a.mic, nil, 500*time.Millisecond)
	a.wait("agent-speaking", func(m map[string]any) bool { return m["state"] == "stop" })

	question := e2e.Speech48k(t, "Where is my order? It has not arrived yet.")
	pid := pluginPID(t, p, "pocketsphinx")
	spoken := time.Duration(len(question)) * time.Second / 48000
	go func() {
		time.Sleep(spoken + 200*time.Millisecond) // in the end-of-turn silence
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}()
	talk(t, a.mic, question, 2*time.Second)
	apology := "Sorry, something went wrong on my side. Could you say that again?"
	a.wait("agent-response", func(m map[string]any) bool { return m["final"] == true && m["text"] == apology })
	require.Eventually(t, func() bool { return pluginPID(t, p, "pocketsphinx") != pid }, 10*time.Second, 50*time.Millisecond, "plugin restarted")
	require.Equal(t, "IN_PROGRESS", a.status(), "the call survived")

	talk(t, a.mic, question, 2*time.Second)
	a.wait("agent-response", func(m map[string]any) bool {
		s, _ := m["text"].(string)
		return m["final"] == true && strings.Contains(s, "three to five working days")
	})
	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")
}

// pluginPID returns the process id of a healthy plugin, or 0.
func pluginPID(t *testing.T, p *process, name string) int {
	t.Helper()
	for _, v := range p.call(t, http.MethodGet, "/api/v1/plugins", "")["plugins"].([]any) {
		pl := v.(map[string]any)
		if pl["name"] == name && pl["state"] == "healthy" {
			if pid, ok := pl["pid"].(float64); ok {
				return int(pid)
			}
		}
	}
	return 0
}
