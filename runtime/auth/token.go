package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxTTL is the longest a call token may live.
const MaxTTL = 15 * time.Minute

// MinSecretLength is the shortest token secret accepted, in bytes.
const MinSecretLength = 32

// tokenPrefix starts every call token, and names the format's version.
const tokenPrefix = "pt1."

// maxTokenLength bounds what Verify decodes: the claims with
// MaxTokenVariables of variables, base64-encoded, and the signature. It
// keeps a token well inside Fiber's 4 KiB request header buffer.
const maxTokenLength = 2048

// MaxTokenVariables is the most a token's variables may take, in bytes of
// JSON.
const MaxTokenVariables = 1024

// Claims is what a call token grants: one call to one agent until Expires.
type Claims struct {
	ID    string `json:"jti"` // unique; the call created with it records it
	Agent string `json:"agt"`
	// Variables are the values of the agent's variables the call takes
	// (see POST /api/v1/tokens); numbers decode as json.Number. They are
	// signed, not encrypted: the holder can read them.
	Variables map[string]any `json:"var,omitempty"`
	IssuedAt  time.Time      `json:"-"`
	ExpiresAt time.Time      `json:"-"`
}

type wireClaims struct {
	Claims
	IAT int64 `json:"iat"`
	EXP int64 `json:"exp"`
}

// Signer mints and verifies call tokens with one secret.
type Signer struct {
	secret []byte
	now    func() time.Time
}

// NewSigner returns a Signer over secret, which must hold at least
// MinSecretLength bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("token secret is %d bytes; it must have at least %d", len(secret), MinSecretLength)
	}
	return &Signer{secret: append([]byte(nil), secret...), now: time.Now}, nil
}

// IsToken reports whether s has the shape of a call token (as opposed to an
// API key); it says nothing of its validity.
func IsToken(s string) bool { return strings.HasPrefix(s, tokenPrefix) }

// MintOption adds to the claims of a token.
type MintOption func(*Claims)

// WithVariables signs the values of agent variables into the token: the
// call it creates takes exactly these (they are checked against the
// agent's declarations again then). Their JSON may take at most
// MaxTokenVariables bytes (ErrTokenVariables).
func WithVariables(v map[string]any) MintOption {
	return func(c *Claims) {
		if len(v) > 0 {
			c.Variables = v
		}
	}
}

// Mint returns a token for one call to agent, valid for ttl (at most MaxTTL).
func (s *Signer) Mint(agent string, ttl time.Duration, opts ...MintOption) (string, Claims, error) {
	if ttl <= 0 || ttl > MaxTTL {
		return "", Claims{}, fmt.Errorf("%w: %s is not in (0, %s]", ErrTTL, ttl, MaxTTL)
	}
	if agent == "" {
		return "", Claims{}, errors.New("mint call token: no agent")
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	now := s.now().Truncate(time.Second)
	c := Claims{ID: base64.RawURLEncoding.EncodeToString(id[:]), Agent: agent, IssuedAt: now.UTC(), ExpiresAt: now.Add(ttl).UTC()}
	for _, o := range opts {
		o(&c)
	}
	if c.Variables != nil {
		v, err := json.Marshal(c.Variables)
		if err != nil {
			return "", Claims{}, fmt.Errorf("mint call token: variables: %w", err)
		}
		if len(v) > MaxTokenVariables {
			return "", Claims{}, fmt.Errorf("%w: they take %d bytes of JSON; the limit is %d", ErrTokenVariables, len(v), MaxTokenVariables)
		}
	}
	body, err := json.Marshal(wireClaims{Claims: c, IAT: c.IssuedAt.Unix(), EXP: c.ExpiresAt.Unix()})
	if err != nil {
		return "", Claims{}, fmt.Errorf("mint call token: %w", err)
	}
	signed := tokenPrefix + base64.RawURLEncoding.EncodeToString(body)
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.mac(signed)), c, nil
}

// Verify checks a token's signature and lifetime and returns its claims. An
// invalid token is ErrUnauthorized; a valid one past its expiry is
// ErrExpired (which wraps ErrUnauthorized too).
func (s *Signer) Verify(token string) (Claims, error) {
	if len(token) > maxTokenLength || !IsToken(token) {
		return Claims{}, ErrUnauthorized
	}
	dot := strings.LastIndexByte(token, '.')
	signed, macText := token[:dot], token[dot+1:]
	mac, err := base64.RawURLEncoding.DecodeString(macText)
	if err != nil || !hmac.Equal(mac, s.mac(signed)) {
		return Claims{}, ErrUnauthorized
	}
	body, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(signed, tokenPrefix))
	if err != nil {
		return Claims{}, ErrUnauthorized
	}
	var w wireClaims
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // variables keep their exact numbers
	if err := dec.Decode(&w); err != nil || w.ID == "" || w.Agent == "" {
		return Claims{}, ErrUnauthorized
	}
	c := w.Claims
	c.IssuedAt, c.ExpiresAt = time.Unix(w.IAT, 0).UTC(), time.Unix(w.EXP, 0).UTC()
	// A token signed with this secret but claiming a longer life than any
	// Mint gives is not one of ours (or the secret leaked): refuse it.
	if life := c.ExpiresAt.Sub(c.IssuedAt); life <= 0 || life > MaxTTL {
		return Claims{}, ErrUnauthorized
	}
	if !s.now().Before(c.ExpiresAt) {
		return Claims{}, fmt.Errorf("%w (%w at %s)", ErrUnauthorized, ErrExpired, c.ExpiresAt.Format(time.RFC3339))
	}
	return c, nil
}

func (s *Signer) mac(signed string) []byte {
	h := hmac.New(sha256.New, s.secret)
	h.Write([]byte(signed))
	return h.Sum(nil)
}
