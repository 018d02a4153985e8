package signaling

import (
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

// WithRecovery turns on Socket.IO connection state recovery for window
// (the runtime uses its disconnect grace): a client whose connection drops
// (transport closed, ping timeout; not a disconnect it asked for) and
// comes back within window with the private id the server gave it at
// connection (socket.io-client 4.8 does this by itself) gets the same
// socket id back, its session membership and the events it missed. That
// id is never broadcast, so it proves the client is the same. Every event
// the server emits is kept for about window and a half to be replayed;
// off (0) by default.
func WithRecovery(window time.Duration) Option { return func(o *options) { o.recovery = window } }

// recoverable reports whether a socket that disconnected for reason may
// come back with its state.
func (s *Server) recoverable(reason any) bool {
	r, _ := reason.(string)
	return s.opts.recovery > 0 && socket.RECOVERABLE_DISCONNECT_REASONS.Has(r)
}

// awaitRecovery keeps p, whose socket id dropped, for the recovery window.
func (s *Server) awaitRecovery(id socket.SocketId, p *peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.away[id] = p
	time.AfterFunc(s.opts.recovery, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.away[id] == p {
			delete(s.away, id)
		}
	})
}

// recover gives a recovered socket its membership back: its peerId in the
// session and, for a caller, its seat, unless another socket took them
// meanwhile (a caller with its resume token). Otherwise the socket leaves
// the rooms the library restored and is told why.
func (s *Server) recover(c *socket.Socket) {
	id := c.Id()
	s.mu.Lock()
	p := s.away[id]
	delete(s.away, id)
	var e *Error
	switch {
	case p == nil:
		e = errorf(CodeNotJoined, "the connection came back too late: join-session again")
	case s.rooms[p.sessionID][p.peerID] != "":
		e = errorf(CodePeerIDTaken, "peer %q is in session %q again on another connection", p.peerID, p.sessionID)
	case p.caller:
		st := s.seats[p.sessionID]
		if st == nil || st.socket != "" || st.peerID != p.peerID {
			e = errorf(CodeBusy, "session %q has its caller back on another connection", p.sessionID)
			break
		}
		st.socket = id
	}
	if e == nil {
		room := s.rooms[p.sessionID]
		if room == nil {
			room = map[string]socket.SocketId{}
			s.rooms[p.sessionID] = room
		}
		room[p.peerID] = id
		p.conn = localMember{c} // the recovered socket is a new object
		s.joined[id] = p
	}
	s.mu.Unlock()

	if e != nil {
		for _, r := range c.Rooms().Keys() {
			if r != socket.Room(id) {
				c.Leave(r)
			}
		}
		_ = c.Emit("error", e.payload())
		return
	}
	s.toRoom(p.sessionID, id, "peer-joined", map[string]any{"peerId": p.peerID})
	s.log.Info("peer recovered", "session", p.sessionID, "call", p.callID, "peer", p.peerID)
}
