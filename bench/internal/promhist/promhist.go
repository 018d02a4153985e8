// Package promhist reads Prometheus histograms from the text exposition
// format, for benchmarks that scrape a runtime's /metrics.
package promhist

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Histogram is one series of a Prometheus histogram from the text
// exposition: cumulative bucket counts by upper bound, sum and count.
type Histogram struct {
	Bounds []float64 // upper bounds, ascending, +Inf last
	Counts []float64 // cumulative
	Sum    float64
	Count  float64
}

// Parse finds histogram name in a text exposition, in the series
// whose labels include every label=value of match (e.g. `agent="bench"`).
func Parse(text, name string, match ...string) (Histogram, error) {
	var h Histogram
	found := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || !strings.HasPrefix(line, name) {
			continue
		}
		metric, value, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		series, labels, _ := strings.Cut(metric, "{")
		if !hasLabels(labels, match) {
			continue
		}
		switch series {
		case name + "_bucket":
			le := labelValue(labels, "le")
			b, err := strconv.ParseFloat(le, 64)
			if err != nil {
				return h, fmt.Errorf("%s: bucket bound %q", name, le)
			}
			h.Bounds, h.Counts = append(h.Bounds, b), append(h.Counts, v)
			found = true
		case name + "_sum":
			h.Sum = v
		case name + "_count":
			h.Count = v
		}
	}
	if !found {
		return h, fmt.Errorf("no histogram %s{%s} in the exposition", name, strings.Join(match, ","))
	}
	return h, sc.Err()
}

func hasLabels(labels string, match []string) bool {
	for _, m := range match {
		if !strings.Contains(labels, m) {
			return false
		}
	}
	return true
}

// labelValue returns the value of label key in `a="x",le="0.5"}`.
func labelValue(labels, key string) string {
	i := strings.Index(labels, key+`="`)
	if i < 0 {
		return ""
	}
	rest := labels[i+len(key)+2:]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return rest[:j]
}

// Sub is h minus an earlier scrape of the same series (before may be
// empty).
func (h Histogram) Sub(before Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: make([]float64, len(h.Counts)), Sum: h.Sum - before.Sum, Count: h.Count - before.Count}
	for i, c := range h.Counts {
		out.Counts[i] = c
		if i < len(before.Counts) {
			out.Counts[i] -= before.Counts[i]
		}
	}
	return out
}

// Quantile is the upper bound of the bucket that holds the nearest-rank
// p-th percentile (so it errs high, by up to a bucket): +Inf past the last
// finite bound, NaN when empty.
func (h Histogram) Quantile(p float64) float64 {
	if h.Count <= 0 || len(h.Counts) == 0 {
		return math.NaN()
	}
	rank := math.Ceil(p/100*h.Count - 1e-9)
	for i, c := range h.Counts {
		if c >= rank {
			return h.Bounds[i]
		}
	}
	return math.Inf(1)
}

// Mean is sum / count, NaN when empty.
func (h Histogram) Mean() float64 {
	if h.Count <= 0 {
		return math.NaN()
	}
	return h.Sum / h.Count
}
