package signaling

import (
	"crypto/rand"
	"crypto/subtle"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

// maxPeersPerSession bounds the sockets joined to one session, callers and
// observers together.
const maxPeersPerSession = 16

// seat is the caller's place in an agent session: one socket at a time. It
// outlives its socket, so that a caller whose connection dropped can take
// the call back with the resume token it got in joined-session, which is
// sent to that socket only and never broadcast (a peerId is).
type seat struct {
	peerID string
	socket socket.SocketId // "" while the caller's socket is gone
	resume string
}

// takeSeat makes socket id the caller of sessionID and returns its new
// resume token. A session whose caller is connected is BUSY; one whose
// caller dropped is taken back only with that caller's peerId and resume
// token. Called with s.mu held.
func (s *Server) takeSeat(sessionID string, m message, id socket.SocketId) (string, *Error) {
	st := s.seats[sessionID]
	switch {
	case st == nil:
	case st.socket != "":
		return "", errorf(CodeBusy, "join-session: session %q already has its caller; join with observer: true to watch", sessionID)
	case m.Resume == "":
		return "", errorf(CodeBusy, "join-session: the caller of session %q lost its connection; only that caller can take the call back, with its resumeToken", sessionID)
	case subtle.ConstantTimeCompare([]byte(m.Resume), []byte(st.resume)) != 1 || m.PeerID != st.peerID:
		return "", errorf(CodeForbidden, "join-session: the resumeToken and peerId are not those of this session's caller")
	}
	tok := rand.Text()
	s.seats[sessionID] = &seat{peerID: m.PeerID, socket: id, resume: tok}
	return tok, nil
}

// dropSeat records that the caller's socket id is gone: its seat waits
// for it, or, with release, is freed (the caller left the session).
// Called with s.mu held.
func (s *Server) dropSeat(sessionID string, id socket.SocketId, release bool) {
	st := s.seats[sessionID]
	if st == nil || st.socket != id {
		return
	}
	if release {
		delete(s.seats, sessionID)
		return
	}
	st.socket = ""
}

// SessionEnded frees what the server keeps of sessionID once its call has
// ended: the caller's seat. The live call manager calls it.
func (s *Server) SessionEnded(sessionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seats, sessionID)
}
