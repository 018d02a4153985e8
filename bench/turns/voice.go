package main

import "time"

// voicedBytes is the Opus payload size above which an agent packet carries
// voice: the runtime's encoder codes the silence it sends between
// utterances in 17 bytes (measured), the fake provider's voice in 68 to
// 119.
const voicedBytes = 40

// voiceHang is how long after the agent's last voiced packet the caller
// knows its voice ended: the detector's hang of 5 packets, and a margin.
const voiceHang = 150 * time.Millisecond

// voiceKind says whether a voiceEvent starts or ends the agent's voice.
type voiceKind int

const (
	voiceUnknown voiceKind = iota
	voiceStart
	voiceEnd
)

func (k voiceKind) String() string {
	switch k {
	case voiceStart:
		return "start"
	case voiceEnd:
		return "end"
	}
	return "unknown"
}

// voiceEvent is the agent's voice starting (At: its first voiced packet
// arrived) or ending (At: its last voiced packet arrived).
type voiceEvent struct {
	Kind voiceKind
	At   time.Time
}

// voiceDetector finds where the agent's voice starts and stops in the
// packets it receives, each marked voiced or not. A start needs minRun
// voiced packets in a row (it is dated by the first); an end needs hang
// unvoiced packets in a row (it is dated by the last voiced packet before
// them), so the codec's occasional small packet inside speech does not
// split it.
type voiceDetector struct {
	minRun, hang int

	voicing    bool
	run        int // voiced packets in a row while not voicing
	runStart   time.Time
	silent     int // unvoiced packets in a row while voicing
	lastVoiced time.Time
}

func newVoiceDetector(minRun, hang int) *voiceDetector {
	return &voiceDetector{minRun: max(minRun, 1), hang: max(hang, 1)}
}

// Push takes the next packet; ok is true when it completes an event.
func (d *voiceDetector) Push(at time.Time, voiced bool) (ev voiceEvent, ok bool) {
	if !d.voicing {
		if !voiced {
			d.run = 0
			return voiceEvent{}, false
		}
		if d.run == 0 {
			d.runStart = at
		}
		d.run++
		d.lastVoiced = at
		if d.run < d.minRun {
			return voiceEvent{}, false
		}
		d.voicing, d.run, d.silent = true, 0, 0
		return voiceEvent{Kind: voiceStart, At: d.runStart}, true
	}
	if voiced {
		d.silent = 0
		d.lastVoiced = at
		return voiceEvent{}, false
	}
	d.silent++
	if d.silent < d.hang {
		return voiceEvent{}, false
	}
	d.voicing, d.silent = false, 0
	return voiceEvent{Kind: voiceEnd, At: d.lastVoiced}, true
}
