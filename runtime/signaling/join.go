package signaling

import (
	"context"
	"errors"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

// join handles join-session: in key mode the credential first, then the
// session (live, and this credential's), then the room (peerId free, not
// full) and, for the caller of an agent session, its seat.
func (s *Server) join(c member, m message) *Error {
	if reservedPeerID(m.PeerID) {
		return errorf(CodeReservedPeerID, "join-session: peerId %q is the runtime's own; choose another", m.PeerID)
	}
	// A remote member was let in by its own instance, which forwarded the
	// join only once its credential was checked.
	local, isLocal := c.(localMember)
	gate := s.opts.gate != nil && isLocal
	var id Identity
	if gate {
		var e *Error
		if id, e = s.identify(local.s, m); e != nil {
			return e
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.lookupTimeout)
	defer cancel()
	sess, err := s.sessions.Lookup(ctx, m.SessionID)
	callID := sess.CallID
	switch {
	case errors.Is(err, ErrSessionNotFound) || (err == nil && callID == ""):
		return errorf(CodeSessionNotFound, "session %q does not exist", m.SessionID)
	case err != nil:
		s.log.Error("session lookup failed", "session", m.SessionID, "err", err)
		return errorf(CodeInternal, "session lookup failed")
	case !sess.Live:
		s.SessionEnded(m.SessionID)
		return errorf(CodeSessionNotJoinable, "session %q has ended", m.SessionID)
	}
	if gate {
		if e := s.admit(id, sess, m); e != nil {
			return e
		}
	}
	if isLocal && s.remote != nil && sess.Owner != "" && sess.Owner != s.remote.self {
		return s.joinRemote(local.s, m, sess.Owner)
	}
	agent := sess.Agent && s.opts.agent != nil

	s.mu.Lock()
	if p := s.joined[c.ID()]; p != nil {
		s.mu.Unlock()
		if p.sessionID == m.SessionID && p.peerID == m.PeerID && p.observer == m.Observer {
			return nil // already there; idempotent
		}
		return errorf(CodeAlreadyJoined, "this connection already joined session %q as %q; leave it first", p.sessionID, p.peerID)
	}
	room := s.rooms[m.SessionID]
	if _, taken := room[m.PeerID]; taken {
		s.mu.Unlock()
		return errorf(CodePeerIDTaken, "peer %q is already in session %q", m.PeerID, m.SessionID)
	}
	if len(room) >= maxPeersPerSession {
		s.mu.Unlock()
		return errorf(CodeSessionFull, "session %q already has %d peers", m.SessionID, maxPeersPerSession)
	}
	var resume string
	if agent && !m.Observer {
		var e *Error
		if resume, e = s.takeSeat(m.SessionID, m, c.ID()); e != nil {
			s.mu.Unlock()
			return e
		}
	}
	if room == nil {
		room = map[string]socket.SocketId{}
		s.rooms[m.SessionID] = room
	}
	room[m.PeerID] = c.ID()
	s.joined[c.ID()] = &peer{conn: c, sessionID: m.SessionID, peerID: m.PeerID, callID: callID, agent: agent, caller: resume != "", observer: m.Observer}
	s.mu.Unlock()

	c.enter(m.SessionID)
	if !c.Connected() {
		// Disconnected during the lookup: its disconnect handler may have
		// run before the peer was recorded. It never got its resume
		// token, so its seat is freed.
		s.forget(c.ID(), true)
		return nil
	}
	joined := map[string]any{"sessionId": m.SessionID, "peerId": m.PeerID}
	if resume != "" {
		joined["resumeToken"] = resume
	}
	if m.Observer {
		joined["observer"] = true
	}
	c.Emit("joined-session", joined)
	s.toRoom(m.SessionID, c.ID(), "peer-joined", map[string]any{"peerId": m.PeerID})
	s.log.Info("peer joined", "session", m.SessionID, "call", callID, "peer", m.PeerID, "observer", m.Observer)
	return nil
}
