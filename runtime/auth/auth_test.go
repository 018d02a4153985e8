package auth

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseKeys(t *testing.T) {
	k, err := ParseKeys("aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb", "# a comment, not a key\ncccccccccccccccc\n\n")
	require.NoError(t, err)
	require.True(t, k.Enabled())
	require.Equal(t, 3, k.Len())
	for _, key := range []string{"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"} {
		require.True(t, k.Valid(key), key)
	}
	for _, key := range []string{"", "aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaa", "Aaaaaaaaaaaaaaaa", "# a comment"} {
		require.False(t, k.Valid(key), key)
	}

	_, err = ParseKeys("aaaaaaaaaaaaaaaa,short-secret")
	require.ErrorContains(t, err, "API key #2 is 12 characters")
	require.NotContains(t, err.Error(), "short-secret")

	none, err := ParseKeys("", " , \n")
	require.NoError(t, err)
	require.False(t, none.Enabled())
	require.False(t, none.Valid(""))
	var nilKeys *Keys
	require.False(t, nilKeys.Enabled())
	require.False(t, nilKeys.Valid("aaaaaaaaaaaaaaaa"))
}

func newSigner(t *testing.T, now time.Time) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(strings.Repeat("s", MinSecretLength)))
	require.NoError(t, err)
	s.now = func() time.Time { return now }
	return s
}

func TestTokenRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s := newSigner(t, now)
	tok, c, err := s.Mint("default", 5*time.Minute)
	require.NoError(t, err)
	require.True(t, IsToken(tok))
	require.Equal(t, "default", c.Agent)
	require.Equal(t, now.Add(5*time.Minute), c.ExpiresAt)

	got, err := s.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, c, got)

	_, c2, err := s.Mint("default", time.Minute)
	require.NoError(t, err)
	require.NotEqual(t, c.ID, c2.ID, "every token has its own id")

	s.now = func() time.Time { return now.Add(5 * time.Minute) }
	_, err = s.Verify(tok)
	require.ErrorIs(t, err, ErrExpired)
	require.ErrorIs(t, err, ErrUnauthorized)
}

func TestTokenLifetimeBounds(t *testing.T) {
	s := newSigner(t, time.Now())
	for _, ttl := range []time.Duration{0, -time.Second, MaxTTL + time.Second} {
		_, _, err := s.Mint("default", ttl)
		require.ErrorIs(t, err, ErrTTL, ttl)
	}
	_, _, err := s.Mint("default", MaxTTL)
	require.NoError(t, err)
	_, _, err = s.Mint("", time.Minute)
	require.Error(t, err)
}

// TestTokenTampering changes each part of a valid token: none verifies.
func TestTokenTampering(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s := newSigner(t, now)
	tok, _, err := s.Mint("default", time.Minute)
	require.NoError(t, err)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)

	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	otherAgent := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), `"default"`, `"admin"`, 1)))

	other, err := NewSigner([]byte(strings.Repeat("x", MinSecretLength)))
	require.NoError(t, err)
	foreign, _, err := other.Mint("default", time.Minute)
	require.NoError(t, err)

	for name, bad := range map[string]string{
		"empty":         "",
		"api key":       "aaaaaaaaaaaaaaaa",
		"other agent":   parts[0] + "." + otherAgent + "." + parts[2],
		"no mac":        parts[0] + "." + parts[1] + ".",
		"mac cut":       tok[:len(tok)-2],
		"other secret":  foreign,
		"not base64":    parts[0] + ".!!!." + parts[2],
		"huge":          "pt1." + strings.Repeat("A", 4096) + "." + parts[2],
		"version":       "pt2." + parts[1] + "." + parts[2],
		"extra segment": tok + ".x",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Verify(bad)
			require.ErrorIs(t, err, ErrUnauthorized)
		})
	}
}

func TestTokenTooLongLifeIsRefused(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s := newSigner(t, now)
	body := `{"jti":"x","agt":"default","iat":` + strconv.FormatInt(now.Unix(), 10) + `,"exp":` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`
	signed := tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(body))
	tok := signed + "." + base64.RawURLEncoding.EncodeToString(s.mac(signed))
	_, err := s.Verify(tok)
	require.ErrorIs(t, err, ErrUnauthorized)
}

func TestGuard(t *testing.T) {
	keys, err := ParseKeys("kkkkkkkkkkkkkkkk")
	require.NoError(t, err)
	s := newSigner(t, time.Now())
	g := NewGuard(keys, s)
	require.True(t, g.KeyMode())

	p, err := g.Identify("kkkkkkkkkkkkkkkk")
	require.NoError(t, err)
	require.True(t, p.Key)
	require.False(t, p.IsToken())

	tok, c, err := s.Mint("default", time.Minute)
	require.NoError(t, err)
	p, err = g.Identify(tok)
	require.NoError(t, err)
	require.False(t, p.Key)
	require.Equal(t, c, p.Token)

	for _, bad := range []string{"", "wrong-key-wrong-key", "pt1.x.y"} {
		_, err := g.Identify(bad)
		require.ErrorIs(t, err, ErrUnauthorized)
		if bad != "" {
			require.NotContains(t, err.Error(), bad)
		}
	}
	require.False(t, NewGuard(nil, s).KeyMode())
	var nilGuard *Guard
	require.False(t, nilGuard.KeyMode())
}

func TestBearer(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer abc":    "abc",
		"bearer  abc  ": "abc",
		"BEARER abc":    "abc",
		"Basic abc":     "",
		"Bearer":        "",
		"Bearer ":       "",
		"abc":           "",
	} {
		got, ok := Bearer(in)
		require.Equal(t, want, got, in)
		require.Equal(t, want != "", ok, in)
	}
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadSecret("short", dir)
	require.Error(t, err)
	configured := strings.Repeat("c", 40)
	got, err := LoadSecret(configured, dir)
	require.NoError(t, err)
	require.Equal(t, configured, string(got))
	_, err = os.Stat(filepath.Join(dir, SecretFile))
	require.True(t, errors.Is(err, os.ErrNotExist), "a configured secret writes no file")

	first, err := LoadSecret("", filepath.Join(dir, "data"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(first), MinSecretLength)
	fi, err := os.Stat(filepath.Join(dir, "data", SecretFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	again, err := LoadSecret("", filepath.Join(dir, "data"))
	require.NoError(t, err)
	require.Equal(t, first, again, "the generated secret is kept")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", SecretFile), []byte("tiny\n"), 0o600))
	_, err = LoadSecret("", filepath.Join(dir, "data"))
	require.ErrorContains(t, err, "delete it")
}
