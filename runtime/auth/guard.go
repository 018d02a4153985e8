package auth

import (
	"fmt"
	"strings"
)

// Principal is who presented a credential.
type Principal struct {
	// Key is true for an API key holder, who may do anything.
	Key bool
	// Token is the call token's claims when a token was presented.
	Token Claims
}

// IsToken reports whether the principal holds a call token.
func (p Principal) IsToken() bool { return p.Token.ID != "" }

// Guard tells keys from tokens and checks either.
type Guard struct {
	keys   *Keys
	tokens *Signer
}

// NewGuard returns a Guard over keys (none: open mode) and tokens.
func NewGuard(keys *Keys, tokens *Signer) *Guard { return &Guard{keys: keys, tokens: tokens} }

// KeyMode reports whether credentials are required.
func (g *Guard) KeyMode() bool { return g != nil && g.keys.Enabled() }

// Keys returns how many API keys are configured (never the keys).
func (g *Guard) Keys() int {
	if g == nil {
		return 0
	}
	return g.keys.Len()
}

// Signer returns the call token signer.
func (g *Guard) Signer() *Signer { return g.tokens }

// Identify checks an API key or a call token. Every failure wraps
// ErrUnauthorized; the message never repeats the credential.
func (g *Guard) Identify(credential string) (Principal, error) {
	switch {
	case credential == "":
		return Principal{}, fmt.Errorf("%w: no API key or call token", ErrUnauthorized)
	case g.keys.Valid(credential):
		return Principal{Key: true}, nil
	case IsToken(credential) && g.tokens != nil:
		c, err := g.tokens.Verify(credential)
		if err != nil {
			return Principal{}, err
		}
		return Principal{Token: c}, nil
	}
	return Principal{}, fmt.Errorf("%w: the API key or call token is not valid", ErrUnauthorized)
}

// Bearer returns the credential of an Authorization header value
// "Bearer <credential>" (the scheme is case-insensitive).
func Bearer(header string) (string, bool) {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}
