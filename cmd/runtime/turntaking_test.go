package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/internal/caller"
	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/test/turns"
)

// The end-to-end tests of adaptive turn-taking (issue 13): the runtime
// binary with the offline plugins (pocketsphinx with partials, scripted
// chat, espeak), a loopback Pion caller whose microphone says items of the
// turn-taking test set (test/turns), and what the caller hears measured
// on its side.

// longGreeting lasts about ten seconds in espeak: long enough to be spoken
// over. Commas only: no sentence break leaves a long silence in it.
const longGreeting = "Thank you for calling Juniper and Company, the little homeware shop on Elm Street, " +
	"where we sell lamps, rugs, cushions, teapots and candles, and where every order over fifty dollars " +
	"ships for free, so tell me, how can I help you today?"

// adaptiveTurnTaking is the turn_taking of the agents of these tests: the
// adaptive wait with speculative replies and backchannels.
func adaptiveTurnTaking() map[string]any {
	return map[string]any{
		"min_silence": "200ms",
		"max_silence": "1.5s",
		"eagerness":   "medium",
		"speculate":   true,
		"barge_in":    true,
		"backchannel": map[string]any{"enabled": true},
	}
}

// turnAgents writes an agents directory: the repository's default agent,
// and for each name in greetings an agent of that name with the default
// agent's providers, tools and scripted dialog, that greeting, and
// turnTaking as its turn_taking.
func turnAgents(t *testing.T, turnTaking map[string]any, greetings map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	def, err := os.ReadFile(filepath.Join(repoAgents(t), "default.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), def, 0o600))
	for name, greeting := range greetings {
		var spec map[string]any
		require.NoError(t, yaml.Unmarshal(def, &spec))
		delete(spec, "tests") // the default agent's conversations, not this one's
		spec["name"], spec["greeting"], spec["turn_taking"] = name, greeting, turnTaking
		out, err := yaml.Marshal(spec)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), out, 0o600))
	}
	return dir
}

// turnCall starts the runtime on an agents directory written by
// turnAgents (greetings "adaptive": a short one, "adaptive-long":
// longGreeting) and calls agent over WebRTC; the caller's microphone sends
// silence from the start, and the test's utterances on it.
func turnCall(t *testing.T, turnTaking map[string]any, agentName string) (*process, *agentCall, *e2e.Mic) {
	t.Helper()
	agents := turnAgents(t, turnTaking, map[string]string{"adaptive": "Hello.", "adaptive-long": longGreeting})
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true", "PARLEY_AGENTS_DIR="+agents)
	a := dialAgentWith(t, p, fmt.Sprintf(`{"callerNumber":"01012345678","agent":%q}`, agentName))
	return p, a, e2e.StartMic(t, a.mic)
}

// turnClip returns the test-set item id spoken (cached in bin/cache/turns)
// and its audio at 48 kHz, for the microphone.
func turnClip(t *testing.T, id string) (turns.Clip, []int16) {
	t.Helper()
	set, err := turns.Load()
	require.NoError(t, err)
	it, ok := set.Item(id)
	require.True(t, ok, "no item %s in the test set", id)
	cache, err := filepath.Abs("../../bin/cache/turns")
	require.NoError(t, err)
	clip, err := turns.SynthesizeCached(it, cache)
	require.NoError(t, err)
	hi, err := audio.Resample(clip.Audio, 48000)
	require.NoError(t, err)
	return clip, hi.Samples
}

// said waits (20 s at most) until the microphone has sent u, and returns
// when the clip's sample i was sent.
func said(t *testing.T, u *caller.Utterance[[]int16], clip turns.Clip) func(i int) time.Time {
	t.Helper()
	select {
	case <-u.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the microphone did not send the utterance within 20 s")
	}
	return func(i int) time.Time { return u.Onset.Add(clip.Time(i)) }
}

// history returns the call's stored turns.
func (a *agentCall) history() []map[string]any {
	var out []map[string]any
	for _, v := range a.p.call(a.t, http.MethodGet, "/api/v1/calls/"+a.id+"/history", "")["turns"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// count returns how many events called name match accepts.
func (a *agentCall) count(name string, match func(map[string]any) bool) int {
	n := 0
	for {
		if _, ok, _ := a.events.Find(name, n+1, match); !ok {
			return n
		}
		n++
	}
}

// transcripts lists the transcript events so far, partial ones marked
// with "~", for a test's log.
func (a *agentCall) transcripts() []string {
	var out []string
	for n := 1; ; n++ {
		m, ok, _ := a.events.Find("transcript", n, nil)
		if !ok {
			return out
		}
		text, _ := m["text"].(string)
		if m["final"] != true {
			text = "~" + text
		}
		out = append(out, text)
	}
}

// speaking matches agent-speaking events of state.
func speaking(state string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["state"] == state }
}

// finalTranscript matches final transcripts; backchannel tells which.
func finalTranscript(backchannel bool) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["final"] == true && (m["backchannel"] == true) == backchannel }
}

// TestPausedSentenceAnsweredOnce: a caller pauses 900 ms after "My order
// number is" (en-paused-37): the agent waits through the pause and
// answers once, at the end. One final transcript holds both halves, one
// reply follows, and nothing of the agent is heard while the caller speaks
// or pauses.
func TestPausedSentenceAnsweredOnce(t *testing.T) {
	_, a, mic := turnCall(t, adaptiveTurnTaking(), "adaptive")
	a.wait("agent-speaking", speaking("stop")) // "Hello." has been played

	clip, pcm := turnClip(t, "en-paused-37")
	at := said(t, mic.Speak(pcm), clip)
	pause := clip.Pauses[0]
	final := a.wait("transcript", finalTranscript(false))
	reply := a.wait("agent-response", func(m map[string]any) bool { return m["final"] == true && m["text"] != "Hello." })
	a.events.Wait(t, "agent-speaking", 2, speaking("stop"), 20*time.Second) // the reply has been played

	t.Logf("pause %v after %q; transcript %q; reply %q",
		clip.Time(pause.Len()), clip.Item.Segments[0].Text, final["text"], reply["text"])
	heard := a.heard.loudIn(at(clip.Speech.Start), at(clip.Speech.End))
	t.Logf("agent heard while the caller spoke or paused: %v", heard)
	require.Zero(t, heard, "the agent spoke into the caller's pause")
	require.Equal(t, 1, a.count("transcript", finalTranscript(false)), "one final transcript: %v", a.events.Names())
	require.Equal(t, 1, a.count("agent-response", func(m map[string]any) bool { return m["final"] == true && m["text"] != "Hello." }),
		"one reply: %v", a.events.Names())

	var users []map[string]any
	require.Eventually(t, func() bool {
		h := a.history()
		users = users[:0]
		for _, turn := range h {
			if turn["role"] == "user" {
				users = append(users, turn)
			}
		}
		return len(h) >= 3
	}, 10*time.Second, 50*time.Millisecond, "greeting, caller and reply stored")
	require.Len(t, users, 1, "one caller turn")
	text := strings.ToLower(users[0]["text"].(string))
	require.Contains(t, text, "order", "the words before the pause")
	require.Regexp(t, regexp.MustCompile(`four|five|six|seven|4|5|6|7`), text, "the words after the pause")
	tm := users[0]["timings"].(map[string]any)
	require.Contains(t, tm, "endOfTurnWaitMs")
	t.Logf("stored %q; end-of-turn wait %v ms; reply after the end of speech: agent heard %v later",
		users[0]["text"], tm["endOfTurnWaitMs"], firstLoudAfter(a, at(clip.Speech.End)))
}

// overLongGreeting places an adaptive call whose agent greets at length,
// and returns once a second of the greeting has been heard.
func overLongGreeting(t *testing.T) (*agentCall, *e2e.Mic) {
	t.Helper()
	_, a, mic := turnCall(t, adaptiveTurnTaking(), "adaptive-long")
	a.wait("agent-speaking", speaking("start"))
	require.Eventually(t, func() bool { return a.heard.loud() >= time.Second }, 15*time.Second, 20*time.Millisecond, "greeting heard")
	return a, mic
}

// TestBackchannelDoesNotStopAgent: "sure" (en-backchannel-06) said over
// the agent's long greeting pauses it, and it resumes where it paused: no
// interruption, its voice heard again, the greeting stored whole, and the
// acknowledgement stored as a backchannel, not answered.
func TestBackchannelDoesNotStopAgent(t *testing.T) {
	// pocketsphinx's first partial of a one-word acknowledgement is often
	// another word ("shoo" for "sure", "bump" for "mm-hmm"): a partial
	// decides an interruption only by a cue word or four words, so the
	// final decides this one.
	a, mic := overLongGreeting(t)

	clip, pcm := turnClip(t, "en-backchannel-06")
	u := mic.Speak(pcm)
	t.Cleanup(func() { t.Logf("transcripts: %q", a.transcripts()) })
	a.wait("agent-speaking", speaking("paused"))
	a.wait("agent-speaking", speaking("resumed"))
	resumed := time.Now()
	at := said(t, u, clip)
	require.Eventually(t, func() bool { return a.heard.loudIn(resumed, resumed.Add(time.Minute)) >= time.Second },
		10*time.Second, 20*time.Millisecond, "the agent's voice after the acknowledgement")
	bc := a.wait("transcript", finalTranscript(true))
	a.wait("agent-speaking", speaking("stop")) // the greeting was played to its end
	t.Logf("backchannel %q (%v of speech); agent resumed %v after the caller's speech ended; heard while paused: %v",
		bc["text"], clip.Time(clip.Speech.Len()), resumed.Sub(at(clip.Speech.End)).Round(time.Millisecond),
		a.heard.loudIn(at(clip.Speech.Start).Add(500*time.Millisecond), resumed))
	t.Logf("agent heard (s from the caller's speech onset): %s",
		loudRuns(a.heard.loudTimes(), at(0), resumed.Add(time.Second), at(clip.Speech.Start)))
	require.Zero(t, a.count("agent-speaking", speaking("interrupted")), "events: %v", a.events.Names())
	require.Zero(t, a.count("transcript", finalTranscript(false)), "the acknowledgement is not a turn: %v", a.events.Names())

	var h []map[string]any
	require.Eventually(t, func() bool { h = a.history(); return len(h) >= 2 }, 10*time.Second, 50*time.Millisecond, "turns stored")
	require.Len(t, h, 2, "the greeting and the backchannel, nothing answered: %v", h)
	require.Equal(t, "assistant", h[0]["role"])
	require.Equal(t, longGreeting, h[0]["text"], "the greeting stored whole")
	require.NotEqual(t, true, h[0]["interrupted"])
	require.Equal(t, "user", h[1]["role"])
	require.Equal(t, true, h[1]["backchannel"], "stored as a backchannel: %v", h[1])
	require.Equal(t, bc["text"], h[1]["text"])
}

// TestInterruptionStopsAgent: "No, that's not what I asked."
// (en-interruption-02) said over the agent's long greeting stops it: the
// caller stops hearing it within a second of its speech onset, the greeting
// is stored interrupted, and the interruption is answered as a turn.
func TestInterruptionStopsAgent(t *testing.T) {
	a, mic := overLongGreeting(t)

	clip, pcm := turnClip(t, "en-interruption-02")
	u := mic.Speak(pcm)
	a.wait("agent-speaking", speaking("interrupted"))
	at := said(t, u, clip)
	onset, end := at(clip.Speech.Start), at(clip.Speech.End)
	final := a.wait("transcript", finalTranscript(false))
	reply := a.wait("agent-response", func(m map[string]any) bool {
		return m["final"] == true && m["interrupted"] != true && m["text"] != longGreeting
	})

	stopped := lastLoudBeforeGap(a.heard.loudTimes(), onset, 500*time.Millisecond)
	t.Logf("interruption %q answered %q; agent last heard %v after the caller's speech onset; heard during the rest of the speech: %v",
		final["text"], reply["text"], stopped.Sub(onset).Round(time.Millisecond), a.heard.loudIn(onset.Add(time.Second), end))
	require.LessOrEqual(t, stopped.Sub(onset), time.Second, "the agent's voice went on after the caller spoke")
	require.Zero(t, a.heard.loudIn(onset.Add(time.Second), end), "the agent was heard over the caller")

	var h []map[string]any
	require.Eventually(t, func() bool { h = a.history(); return len(h) >= 3 }, 15*time.Second, 50*time.Millisecond, "turns stored")
	require.Equal(t, "assistant", h[0]["role"])
	require.Equal(t, true, h[0]["interrupted"], "the greeting stored interrupted: %v", h[0])
	require.NotEqual(t, longGreeting, h[0]["text"], "only what was played is stored")
	require.Equal(t, "user", h[1]["role"])
	require.NotEqual(t, true, h[1]["backchannel"])
	require.Equal(t, final["text"], h[1]["text"])
	require.Equal(t, "assistant", h[2]["role"])
	require.Equal(t, reply["text"], h[2]["text"])
}

// lastLoudBeforeGap returns when the agent's voice stopped after from:
// the last loud frame from from on that is followed by at least gap
// without one, or from itself when the first gap starts there.
func lastLoudBeforeGap(times []time.Time, from time.Time, gap time.Duration) time.Time {
	last := from
	for _, at := range times {
		if at.Before(from) {
			continue
		}
		if at.Sub(last) >= gap {
			break
		}
		last = at
	}
	return last
}

// firstLoudAfter returns how long after from the caller first heard the
// agent (0 when it has not).
func firstLoudAfter(a *agentCall, from time.Time) time.Duration {
	for _, at := range a.heard.loudTimes() {
		if at.After(from) {
			return at.Sub(from).Round(time.Millisecond)
		}
	}
	return 0
}

// loudRuns describes when the caller heard the agent between from and
// to, as runs of loud frames in seconds from ref: "-1.00..+0.22 +2.80..+4.96".
func loudRuns(times []time.Time, from, to, ref time.Time) string {
	var b strings.Builder
	var start, last time.Time
	flush := func() {
		if !start.IsZero() {
			fmt.Fprintf(&b, " %+.2f..%+.2f", start.Sub(ref).Seconds(), last.Add(20*time.Millisecond).Sub(ref).Seconds())
		}
	}
	for _, at := range times {
		if at.Before(from) || !at.Before(to) {
			continue
		}
		if !start.IsZero() && at.Sub(last) > 60*time.Millisecond {
			flush()
			start = time.Time{}
		}
		if start.IsZero() {
			start = at
		}
		last = at
	}
	flush()
	return strings.TrimSpace(b.String())
}
