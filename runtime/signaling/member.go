package signaling

import (
	"github.com/zishang520/socket.io/servers/socket/v3"
)

// member is a client connection as the session handlers see it: a
// Socket.IO socket of this instance (localMember), or one that another
// instance holds and forwards over the bus (remoteMember, remote.go).
type member interface {
	Client
	// ID is unique among all instances' connections.
	ID() socket.SocketId
	// enter and exit put the connection in a session's Socket.IO room,
	// through which this instance's sockets get its broadcasts; remote
	// members are reached through s.rooms instead (toRoom).
	enter(sessionID string)
	exit(sessionID string)
}

// handler handles one validated client event of c.
type handler func(c member, m message) *Error

// localMember is a socket connected to this instance.
type localMember struct{ s *socket.Socket }

func (c localMember) Emit(event string, payload map[string]any) { _ = c.s.Emit(event, payload) }
func (c localMember) Connected() bool                           { return c.s.Connected() }
func (c localMember) ID() socket.SocketId                       { return c.s.Id() }
func (c localMember) enter(sessionID string)                    { c.s.Join(socket.Room(sessionID)) }
func (c localMember) exit(sessionID string)                     { c.s.Leave(socket.Room(sessionID)) }

// toRoom sends event to every member of sessionID but except (none when
// empty): this instance's sockets through the session's room, the others
// through their instances.
func (s *Server) toRoom(sessionID string, except socket.SocketId, event string, payload map[string]any) {
	op := s.io.Of(Namespace, nil).To(socket.Room(sessionID))
	if except != "" {
		op = op.Except(socket.Room(except)) // every socket is in the room of its own id
	}
	_ = op.Emit(event, payload)
	for _, r := range s.remoteMembers(sessionID, except) {
		r.Emit(event, payload)
	}
}

// remoteMembers returns the members of sessionID held by other instances,
// but except.
func (s *Server) remoteMembers(sessionID string, except socket.SocketId) []*remoteMember {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*remoteMember
	for _, id := range s.rooms[sessionID] {
		if id == except {
			continue
		}
		if p := s.joined[id]; p == nil {
			continue
		} else if r, ok := p.conn.(*remoteMember); ok {
			out = append(out, r)
		}
	}
	return out
}
