package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTokenVariables(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s := newSigner(t, now)
	tok, c, err := s.Mint("default", time.Minute, WithVariables(map[string]any{"name": "Ada", "order": int64(9007199254740993), "vip": true}))
	require.NoError(t, err)
	got, err := s.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, c.ID, got.ID)
	require.Equal(t, map[string]any{"name": "Ada", "order": json.Number("9007199254740993"), "vip": true}, got.Variables,
		"numbers come back exactly, as json.Number")

	// Changing a signed variable breaks the signature.
	parts := strings.Split(tok, ".")
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	forged := strings.Replace(string(body), `"Ada"`, `"Eve"`, 1)
	require.NotEqual(t, string(body), forged)
	_, err = s.Verify(parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2])
	require.ErrorIs(t, err, ErrUnauthorized)

	// The largest variables still make a token under maxTokenLength.
	big := map[string]any{"v": strings.Repeat("é", (MaxTokenVariables-8)/2)}
	tok, _, err = s.Mint("a-long-agent-name-of-sixty-three-characters-at-most-xxxxxxxxxxx", MaxTTL, WithVariables(big))
	require.NoError(t, err)
	require.LessOrEqual(t, len(tok), maxTokenLength)
	_, err = s.Verify(tok)
	require.NoError(t, err)

	big["w"] = "x"
	_, _, err = s.Mint("default", time.Minute, WithVariables(big))
	require.ErrorIs(t, err, ErrTokenVariables)

	// No variables: no "var" claim at all.
	tok, _, err = s.Mint("default", time.Minute, WithVariables(nil))
	require.NoError(t, err)
	body, _ = base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	require.NotContains(t, string(body), `"var"`)
}
