package media

import "errors"

var (
	// ErrNoCodec is returned by Peer.Answer when the offer has no audio
	// section with a codec the agent peer speaks (Opus or PCMU).
	ErrNoCodec = errors.New("offer has no supported audio codec (need opus or PCMU)")
	// ErrAnswered is returned by a second Peer.Answer: renegotiation is not
	// supported, callers make a new Peer instead.
	ErrAnswered = errors.New("peer already answered an offer")
	// ErrClosed is returned by operations on a closed Peer or Player.
	ErrClosed = errors.New("closed")
	// ErrNotReady is returned (wrapped or not) by a FrameWriter that cannot
	// send yet, for example before the WebRTC connection is up. The Player
	// keeps the frame queued and offers it again on the next tick.
	ErrNotReady = errors.New("frame writer not ready")
	// ErrInvalidRate is returned for a sample rate that is not positive, or
	// for a Player rate that does not divide into 20 ms frames.
	ErrInvalidRate = errors.New("invalid sample rate")
	// ErrCandidateBlocked is returned (wrapped) by Peer.AddCandidate for a
	// candidate whose address the agent peer never sends to (link-local,
	// metadata, multicast, unspecified, loopback outside loopback mode) or
	// that is not an IP address. The candidate is dropped; the call goes on.
	ErrCandidateBlocked = errors.New("candidate address not allowed")
	// ErrInvalidConfig is returned by NewEngine for a Config it cannot use.
	ErrInvalidConfig = errors.New("invalid media config")
)
