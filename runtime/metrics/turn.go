package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Providers names the plugins that served a turn, as agents refer to them
// (e.g. "openai-stt", "scripted", "espeak").
type Providers struct {
	STT, Chat, TTS string
}

// TurnTimings are the measured latencies of one turn. A zero field was not
// measured and is not observed.
type TurnTimings struct {
	// STTFinal runs from the end of the caller's speech to the final
	// transcript.
	STTFinal time.Duration
	// ChatFirstToken runs from the request to the chat plugin to its first
	// token.
	ChatFirstToken time.Duration
	// TTSFirstAudio runs from the request to the TTS plugin to its first
	// audio.
	TTSFirstAudio time.Duration
	// ResponseLatency runs from the end of the caller's speech to the first
	// packet of the agent's audio.
	ResponseLatency time.Duration
	// Overhead is ResponseLatency minus provider time minus the agent's
	// end-of-turn silence. Stages can overlap, so it can come out negative:
	// that is observed as 0.
	Overhead time.Duration
	// EndOfTurnWait is the silence waited after the caller's speech before
	// the turn was taken as over: the agent's fixed end_of_turn_silence, or
	// the adaptive wait decided for this turn.
	EndOfTurnWait time.Duration
}

// turnKey is what TurnCompleted is called with, minus the measurements.
type turnKey struct {
	agent string
	Providers
}

// turnSeries holds the collectors of one agent and its providers.
type turnSeries struct {
	agent                         *agentSeries
	sttFinal, chatFirst, ttsFirst prometheus.Observer
}

func (m *Metrics) newTurnSeries(k turnKey) *turnSeries {
	a := m.agents.get(k.agent)
	return &turnSeries{
		agent:     a,
		sttFinal:  m.sttFinal.WithLabelValues(a.label, m.pluginNames.clamp(pluginName(k.STT))),
		chatFirst: m.chatFirstToken.WithLabelValues(a.label, m.pluginNames.clamp(pluginName(k.Chat))),
		ttsFirst:  m.ttsFirstAudio.WithLabelValues(a.label, m.pluginNames.clamp(pluginName(k.TTS))),
	}
}

// TurnCompleted records a turn of agent's call served by providers: its
// timings, and whether the caller interrupted the agent's answer.
func (m *Metrics) TurnCompleted(agent string, providers Providers, t TurnTimings, interrupted bool) {
	if m == nil {
		return
	}
	s := m.turnSeries.get(turnKey{agent: agent, Providers: providers})
	s.agent.turns.Inc()
	if interrupted {
		s.agent.interruptions.Inc()
	}
	observe(s.sttFinal, t.STTFinal)
	observe(s.chatFirst, t.ChatFirstToken)
	observe(s.ttsFirst, t.TTSFirstAudio)
	observe(s.agent.response, t.ResponseLatency)
	observe(s.agent.endWait, t.EndOfTurnWait)
	if t.Overhead != 0 {
		s.agent.overhead.Observe(max(t.Overhead, 0).Seconds())
	}
}

// Outcomes of a speculative reply (Speculation).
const (
	SpeculationStarted   = "started"
	SpeculationConfirmed = "confirmed"
	SpeculationDiscarded = "discarded"
)

// Speculation records a speculative reply of agent starting, being
// confirmed (played) or discarded (the caller went on): one of the
// Speculation constants; any other outcome is ignored.
func (m *Metrics) Speculation(agent, outcome string) {
	if m == nil {
		return
	}
	if c, ok := m.agents.get(agent).speculative[outcome]; ok {
		c.Inc()
	}
}

// Backchannel records an acknowledgement the caller said over agent's
// voice, which paused it and let it resume.
func (m *Metrics) Backchannel(agent string) {
	if m == nil {
		return
	}
	m.agents.get(agent).backchannels.Inc()
}

// observe records d unless it was not measured.
func observe(o prometheus.Observer, d time.Duration) {
	if d > 0 {
		o.Observe(d.Seconds())
	}
}

// Sentiment counts a caller turn of agent scored as label: positive,
// neutral or negative (anything else counts as "other").
func (m *Metrics) Sentiment(agent, label string) {
	if m == nil {
		return
	}
	a := m.agents.get(agent)
	c, ok := a.sentiment[label]
	if !ok {
		c = a.sentiment[other]
	}
	c.Inc()
}
