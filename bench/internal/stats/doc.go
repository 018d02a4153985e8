// Package stats summarises what the load generators in bench/ measure:
// nearest-rank quantiles of durations, a fixed-bucket histogram for
// millions of frame intervals, and RTP loss from sequence-number gaps.
package stats
