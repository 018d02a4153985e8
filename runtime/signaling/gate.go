package signaling

import (
	"errors"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

// ErrUnauthorized is wrapped by Gate.Identify for a credential that is not
// valid.
var ErrUnauthorized = errors.New("unauthorized")

// Identity is who presented a credential.
type Identity struct {
	Key     bool   // an API key holder: may join any session, as its caller or as an observer
	TokenID string // a call token's id: may join only the session whose Session.TokenID equals it, as its caller
}

// Gate checks credentials in key mode.
type Gate interface {
	// Identify checks an API key or call token; an error wrapping ErrUnauthorized means it is not valid.
	Identify(credential string) (Identity, error)
}

// WithGate turns key mode on: a join needs an API key or a call token,
// from the Socket.IO handshake's auth.token or the join payload's token.
// Without it the server is in open mode: the sessionId is enough.
func WithGate(g Gate) Option { return func(o *options) { o.gate = g } }

// connCredential is kept in the socket's Data once its handshake
// credential was checked; each join checks it again (a call token may
// have expired since).
type connCredential struct{ cred string }

// handshakeGate is the namespace middleware of key mode: a connection
// whose handshake carries auth.token must carry a valid one, or it is
// refused with a connect_error whose data is {code: UNAUTHORIZED}. A
// connection without one may still present a token when it joins.
func (s *Server) handshakeGate(c *socket.Socket, next func(*socket.ExtendedError)) {
	var cred any
	if hs := c.Handshake(); hs != nil && hs.Auth != nil {
		cred = hs.Auth["token"]
	}
	if cred == nil {
		next(nil)
		return
	}
	str, ok := cred.(string)
	if !ok || str == "" || len(str) > maxCredentialLen {
		next(socket.NewExtendedError("unauthorized: auth.token must be an API key or a call token", (&Error{Code: CodeUnauthorized, Message: "auth.token must be an API key or a call token"}).payload()))
		return
	}
	if _, err := s.opts.gate.Identify(str); err != nil {
		e := s.credentialError(err)
		next(socket.NewExtendedError(e.Code+": "+e.Message, e.payload()))
		return
	}
	c.SetData(&connCredential{cred: str})
	next(nil)
}

// identify returns who joins with m in key mode: the join payload's token
// if it has one, else the connection's handshake credential.
func (s *Server) identify(c *socket.Socket, m message) (Identity, *Error) {
	cred := m.Token
	if cc, ok := c.Data().(*connCredential); ok && cred == "" {
		cred = cc.cred
	}
	if cred != "" {
		id, err := s.opts.gate.Identify(cred)
		if err != nil {
			return Identity{}, s.credentialError(err)
		}
		return id, nil
	}
	return Identity{}, errorf(CodeUnauthorized, "join-session: an API key or a call token is required (Socket.IO auth.token, or token in the join payload)")
}

// credentialError is what a client is told of a credential Identify
// refused; a Gate failing for another reason is INTERNAL.
func (s *Server) credentialError(err error) *Error {
	if errors.Is(err, ErrUnauthorized) {
		return errorf(CodeUnauthorized, "the API key or call token is not valid (or has expired)")
	}
	s.log.Error("credential check failed", "err", err)
	return errorf(CodeInternal, "the credential could not be checked")
}

// admit applies key mode's rules to a join of sess by id: observers need
// a key; a call token joins only the call it created.
func (s *Server) admit(id Identity, sess Session, m message) *Error {
	if id.Key {
		return nil
	}
	if m.Observer {
		return errorf(CodeForbidden, "join-session: observers need an API key; a call token joins its call as the caller")
	}
	if id.TokenID == "" || id.TokenID != sess.TokenID {
		return errorf(CodeForbidden, "join-session: this call token is for another call")
	}
	return nil
}
