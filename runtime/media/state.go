package media

import "github.com/pion/webrtc/v4"

// State is the connection state of a Peer (the PeerConnection state).
type State int

// States of a Peer, in the order a call normally passes through them.
// Disconnected may go back to Connected; Failed and Closed are final for
// the call (a failed peer still needs Close).
const (
	StateUnknown State = iota
	StateNew
	StateConnecting
	StateConnected
	StateDisconnected
	StateFailed
	StateClosed
)

// String returns the lower-case name of s, as Pion and browsers spell it.
func (s State) String() string {
	switch s {
	case StateNew:
		return "new"
	case StateConnecting:
		return "connecting"
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateFailed:
		return "failed"
	case StateClosed:
		return "closed"
	default:
		return "unknown"
	}
}

func stateOf(s webrtc.PeerConnectionState) State {
	switch s {
	case webrtc.PeerConnectionStateNew:
		return StateNew
	case webrtc.PeerConnectionStateConnecting:
		return StateConnecting
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	case webrtc.PeerConnectionStateClosed:
		return StateClosed
	default:
		return StateUnknown
	}
}
