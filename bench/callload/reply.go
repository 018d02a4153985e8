package main

import (
	"context"
	"fmt"
	"math"

	"github.com/parleyhq/parley/bench/internal/promhist"
	"github.com/parleyhq/parley/bench/internal/rest"
)

// responseMetric is the runtime's histogram of reply times: end of the
// caller's speech to the first packet of the agent's voice, end-of-turn
// silence included.
const responseMetric = "parley_turn_response_latency_seconds"

// Reply is how long the agent took to answer over the window, from the
// runtime's histogram: the mean is exact, the quantiles are the upper
// bounds of the buckets that hold them.
type Reply struct {
	Turns  int     `json:"turns"`
	MeanMs float64 `json:"meanMs"`
	P50Ms  float64 `json:"p50MsAtMost"`
	P95Ms  float64 `json:"p95MsAtMost"`
	Error  string  `json:"error,omitempty"`
}

// replyMeter scrapes the histogram at the start and the end of the window.
type replyMeter struct {
	rc     *rest.Client
	agent  string
	before promhist.Histogram
}

func newReplyMeter(rc *rest.Client, agent string) *replyMeter {
	if agent == "" {
		agent = "default"
	}
	return &replyMeter{rc: rc, agent: agent}
}

func (m *replyMeter) scrape(ctx context.Context) (promhist.Histogram, error) {
	body, err := m.rc.Get(ctx, "/metrics")
	if err != nil {
		return promhist.Histogram{}, err
	}
	return promhist.Parse(string(body), responseMetric, fmt.Sprintf("agent=%q", m.agent))
}

// start takes the first scrape; no turn yet is not an error (the series
// appears with the first turn).
func (m *replyMeter) start(ctx context.Context) {
	h, err := m.scrape(ctx)
	if err == nil {
		m.before = h
	}
}

// end takes the second scrape and returns the window's figures.
func (m *replyMeter) end(ctx context.Context) *Reply {
	after, err := m.scrape(ctx)
	if err != nil {
		return &Reply{Error: err.Error()}
	}
	h := after.Sub(m.before)
	ms := func(s float64) float64 {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return -1
		}
		return s * 1000
	}
	return &Reply{Turns: int(h.Count), MeanMs: ms(h.Mean()), P50Ms: ms(h.Quantile(50)), P95Ms: ms(h.Quantile(95))}
}
