package signaling

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

// AgentPeerID is the peerId the runtime's agent uses in the events it
// sends (answer, ice-candidate, audio-data).
const AgentPeerID = "agent"

// Agent answers the sessions of calls without a receiverNumber: the
// runtime itself is the other party. Its methods run on the client's
// socket event queue, one at a time per client, so they should return
// quickly; an error is sent to the client as an `error` event (an *Error
// keeps its code, anything else becomes INTERNAL).
type Agent interface {
	// Offer answers a WebRTC offer ({type, sdp}) of p.
	Offer(ctx context.Context, p Peer, offer map[string]any) error
	// Candidate adds a trickled ICE candidate ({candidate, sdpMid,
	// sdpMLineIndex}) of p.
	Candidate(p Peer, candidate map[string]any) error
	// Audio takes a chunk of p's audio from an audio-data event.
	Audio(p Peer, a AudioData) error
	// Leave says p left the session (leave-session) or, with disconnected
	// true, lost its connection.
	Leave(p Peer, disconnected bool)
}

// Client sends events to one connected client.
type Client interface {
	// Emit sends event with payload to the client. It is safe for
	// concurrent use and returns at once.
	Emit(event string, payload map[string]any)
	// Connected reports whether the client is still connected.
	Connected() bool
}

// Peer is a client joined to an agent session.
type Peer struct {
	SessionID string
	PeerID    string
	CallID    string
	Client    Client
}

func (s *Server) agentPeer(c member, p *peer) Peer {
	return Peer{SessionID: p.sessionID, PeerID: p.peerID, CallID: p.callID, Client: c}
}

// agentError turns what the Agent returned into the client's error.
func (s *Server) agentError(event string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	s.log.Error("agent failed", "event", event, "err", err)
	return errorf(CodeInternal, "%s failed", event)
}

// AudioSampleRate is the sample rate of audio-data unless the event says
// otherwise.
const AudioSampleRate = 16000

// AudioSampleRates are the sample rates audio-data may have.
var AudioSampleRates = []int{8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000}

// audioRateChangeEvery is how often a socket's audio-data may change its
// sampleRate: each change makes the receiver build a new resampler.
const audioRateChangeEvery = time.Second

// AudioData is one audio-data event: base64 little-endian 16-bit mono PCM
// in audioData, at sampleRate (one of AudioSampleRates, default 16000), with the
// client's timestamp (a JSON number or string, passed through as is).
type AudioData struct {
	PCM       pcm.Audio
	Timestamp any

	base64 string // audioData as received: relayed as is, not encoded again
}

// relayed is the event a person-to-person session's other peers get.
func (a AudioData) relayed(peerID string) map[string]any {
	if a.base64 == "" {
		return AudioEvent(peerID, a.PCM, a.Timestamp)
	}
	return map[string]any{"peerId": peerID, "audioData": a.base64, "sampleRate": a.PCM.Rate, "timestamp": a.Timestamp}
}

// AudioEvent is the payload of an audio-data event sent to a client.
func AudioEvent(peerID string, speech pcm.Audio, timestamp any) map[string]any {
	return map[string]any{
		"peerId":     peerID,
		"audioData":  base64.StdEncoding.EncodeToString(speech.Bytes()),
		"sampleRate": speech.Rate,
		"timestamp":  timestamp,
	}
}

func parseAudioData(obj map[string]any) (AudioData, *Error) {
	const event = "audio-data"
	raw, ok := obj["audioData"].(string)
	if !ok {
		return AudioData{}, errorf(CodeInvalidPayload, "%s: audioData must be a base64 string of 16-bit PCM", event)
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return AudioData{}, errorf(CodeInvalidPayload, "%s: audioData is not base64: %v", event, err)
	}
	if len(b) == 0 || len(b)%2 != 0 {
		return AudioData{}, errorf(CodeInvalidPayload, "%s: audioData must hold a whole, non-zero number of 16-bit samples", event)
	}
	rate := AudioSampleRate
	if v, present := obj["sampleRate"]; present {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || !slices.Contains(AudioSampleRates, int(f)) {
			return AudioData{}, errorf(CodeInvalidPayload, "%s: sampleRate must be one of %v", event, AudioSampleRates)
		}
		rate = int(f)
	}
	ts := obj["timestamp"]
	switch ts.(type) {
	case nil, float64, string:
	default:
		return AudioData{}, errorf(CodeInvalidPayload, "%s: timestamp must be a number or a string", event)
	}
	samples, err := pcm.AppendSamplesLE(make([]int16, 0, len(b)/2), b)
	if err != nil {
		return AudioData{}, errorf(CodeInvalidPayload, "%s: %v", event, err)
	}
	return AudioData{PCM: pcm.Audio{Samples: samples, Rate: rate}, Timestamp: ts, base64: raw}, nil
}

// String describes the chunk for logs.
func (a AudioData) String() string {
	return fmt.Sprintf("%d samples at %d Hz", len(a.PCM.Samples), a.PCM.Rate)
}

// checkAudioRate lets audio-data change its sampleRate at most once every
// audioRateChangeEvery (the first rate is not a change).
func (p *peer) checkAudioRate(rate int, now time.Time) *Error {
	switch {
	case p.audioRate == rate:
		return nil
	case p.audioRate == 0:
		p.audioRate = rate
		return nil
	case !p.audioRateSet.IsZero() && now.Sub(p.audioRateSet) < audioRateChangeEvery:
		return errorf(CodeSampleRate, "audio-data: sampleRate changed again (%d to %d Hz) within %v; keep one rate", p.audioRate, rate, audioRateChangeEvery)
	}
	p.audioRate, p.audioRateSet = rate, now
	return nil
}
