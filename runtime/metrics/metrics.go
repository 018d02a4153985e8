package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "parley"

// Bucket bounds in seconds. A voice turn feels slow past ~1 s; the upper
// buckets tell a slow provider from a stuck one.
var (
	latencyBuckets  = []float64{.005, .01, .025, .05, .075, .1, .15, .2, .25, .3, .4, .5, .75, 1, 1.5, 2, 3, 5, 10}
	overheadBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
)

// Metrics records what the runtime does, for Prometheus. The zero value is
// not usable: call New. A nil *Metrics is, and records nothing.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	agentNames  *labelSet
	pluginNames *labelSet

	sttFinal       *prometheus.HistogramVec // agent, provider
	chatFirstToken *prometheus.HistogramVec // agent, provider
	ttsFirstAudio  *prometheus.HistogramVec // agent, provider
	response       *prometheus.HistogramVec // agent
	overhead       *prometheus.HistogramVec // agent
	endWait        *prometheus.HistogramVec // agent
	backchannels   *prometheus.CounterVec   // agent
	speculative    *prometheus.CounterVec   // agent, outcome
	turns          *prometheus.CounterVec   // agent
	interruptions  *prometheus.CounterVec   // agent
	callsFinished  *prometheus.CounterVec   // agent, status
	callsActive    *prometheus.GaugeVec     // agent
	peers          prometheus.Gauge
	pluginErrors   *prometheus.CounterVec // plugin, kind
	pluginRestarts *prometheus.CounterVec // plugin
	refused        *prometheus.CounterVec // reason
	sentiments     *prometheus.CounterVec // agent, sentiment
	frameInterval  prometheus.Histogram
	panics         *prometheus.CounterVec // component
	storeErrors    *prometheus.CounterVec // op
	turnsLost      prometheus.Counter
	tools          toolMetrics
	webhooks       webhookCollectors

	agents     *cache[string, *agentSeries]
	turnSeries *cache[turnKey, *turnSeries]
	plugins    *cache[string, *pluginSeries]
}

// New returns Metrics with its collectors registered in a registry of its
// own (not prometheus.DefaultRegisterer), next to the Go and process
// collectors.
func New() *Metrics {
	hist := func(subsystem, name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: subsystem, Name: name, Help: help, Buckets: buckets,
		}, labels)
	}
	counter := func(subsystem, name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: subsystem, Name: name, Help: help,
		}, labels)
	}
	m := &Metrics{
		reg:         prometheus.NewRegistry(),
		agentNames:  newLabelSet(maxAgents),
		pluginNames: newLabelSet(maxPlugins),

		sttFinal: hist("stt", "final_transcript_delay_seconds",
			"Time from the end of the caller's turn (after the end-of-turn silence) to the final transcript, by agent and STT plugin.",
			latencyBuckets, "agent", "provider"),
		chatFirstToken: hist("chat", "first_token_delay_seconds",
			"Time from a request to the chat plugin to its first token, by agent and chat plugin.",
			latencyBuckets, "agent", "provider"),
		ttsFirstAudio: hist("tts", "first_audio_delay_seconds",
			"Time from a request to the TTS plugin to its first audio, by agent and TTS plugin.",
			latencyBuckets, "agent", "provider"),
		response: hist("turn", "response_latency_seconds",
			"Time from the end of the caller's speech to the first packet of the agent's audio, end-of-turn silence included.",
			latencyBuckets, "agent"),
		overhead: hist("turn", "overhead_seconds",
			"The runtime's own share of the response latency: response latency minus provider time minus the agent's end-of-turn silence.",
			overheadBuckets, "agent"),
		endWait: hist("turn", "end_wait_seconds",
			"The silence waited after the caller's speech before the turn was taken as over (the agent's fixed end_of_turn_silence, or its adaptive wait), by agent.",
			latencyBuckets, "agent"),
		turns:         counter("", "turns_total", "Turns completed (caller speech answered by the agent), by agent.", "agent"),
		interruptions: counter("turn", "interruptions_total", "Turns in which the caller interrupted the agent (barge-in), by agent.", "agent"),
		speculative: counter("", "speculative_replies_total",
			"Replies started before the caller's turn was confirmed (adaptive wait), by agent and outcome: started, confirmed (played), discarded (the caller went on).", "agent", "outcome"),
		backchannels: counter("", "backchannels_total",
			"Acknowledgements the caller said over the agent ('uh-huh'): the agent paused and resumed, by agent.", "agent"),
		callsFinished: counter("calls", "finished_total", "Calls answered by an agent that finished, by agent and final status (ENDED, FAILED).", "agent", "status"),
		callsActive: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "calls", Name: "active",
			Help: "Calls answered by an agent that are in progress, by agent.",
		}, []string{"agent"}),
		peers: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "webrtc", Name: "peers_connected",
			Help: "WebRTC peers (callers' audio connections) connected.",
		}),
		pluginErrors:   counter("plugin", "errors_total", "Errors returned by provider plugins, by plugin and kind.", "plugin", "kind"),
		pluginRestarts: counter("plugin", "restarts_total", "Restarts of provider plugin processes, by plugin.", "plugin"),
		refused: counter("", "refused_total",
			"Calls and conversation/process requests refused with 503 for lack of capacity, by reason (max_calls, stream_limit, draining, processing).", "reason"),
		frameInterval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "webrtc", Name: "frame_interval_seconds",
			Help:    "Time between two consecutive 20 ms frames of the agent's voice sent to one caller (the pacing callers get).",
			Buckets: []float64{.005, .01, .015, .018, .019, .02, .021, .022, .025, .03, .04, .06, .1, .25},
		}),
		sentiments: counter("caller", "sentiment_total", "Caller turns by scored sentiment (positive, neutral, negative), by agent.", "agent", "sentiment"),
	}
	m.panics, m.storeErrors = newFaultCounters()
	m.turnsLost = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "turns_lost_total",
		Help: "Turns of live calls never stored: the store was down for longer than a call's recorder retries (1 min), or it fell far behind.",
	})
	m.tools = newToolMetrics()
	m.webhooks = newWebhookCollectors()
	m.agents = newCache(m.newAgentSeries)
	m.turnSeries = newCache(m.newTurnSeries)
	m.plugins = newCache(m.newPluginSeries)

	// Registering fixed descriptors in a fresh registry fails only on a
	// clash between them: a bug the tests catch, like regexp.MustCompile
	// on a constant.
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.sttFinal, m.chatFirstToken, m.ttsFirstAudio, m.response, m.overhead, m.endWait,
		m.turns, m.interruptions, m.backchannels, m.speculative, m.callsFinished, m.callsActive, m.peers,
		m.pluginErrors, m.pluginRestarts, m.sentiments, m.frameInterval,
		m.panics, m.storeErrors, m.turnsLost, m.refused, m.tools.calls, m.tools.duration,
		m.webhooks.deliveries, m.webhooks.pending,
	)
	m.handler = promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:            m.reg,
		MaxRequestsInFlight: 4, // scrapes are cheap; a flood of them is not
	}))
	return m
}

// Handler serves the metrics in the Prometheus exposition formats, for
// GET /metrics. On a nil *Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return m.handler
}
