package metrics

import "time"

// PeerConnected records that a caller's WebRTC peer connected. Pair it with
// exactly one PeerDisconnected.
func (m *Metrics) PeerConnected() {
	if m == nil {
		return
	}
	m.peers.Inc()
}

// PeerDisconnected records that a WebRTC peer counted by PeerConnected
// disconnected or was closed.
func (m *Metrics) PeerDisconnected() {
	if m == nil {
		return
	}
	m.peers.Dec()
}

// FrameSent records the interval between two frames sent to one caller.
func (m *Metrics) FrameSent(interval time.Duration) {
	if m == nil {
		return
	}
	m.frameInterval.Observe(interval.Seconds())
}
