package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
)

// MinKeyLength is the shortest API key accepted: a key is a password that
// guards the whole runtime, and short ones can be guessed online.
const MinKeyLength = 16

// Keys is the set of valid API keys. The zero value (and nil) holds none:
// open mode.
type Keys struct {
	sums [][sha256.Size]byte
}

// ParseKeys reads comma- or newline-separated keys (the format of
// PARLEY_API_KEYS and of PARLEY_API_KEYS_FILE; lines starting with # are
// comments). Keys are kept only as SHA-256 sums, so a heap dump shows none.
// An error names a key by its position, never by its value.
func ParseKeys(lists ...string) (*Keys, error) {
	k := &Keys{}
	n := 0
	for _, list := range lists {
		for _, line := range strings.Split(list, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, key := range strings.Split(line, ",") {
				key = strings.TrimSpace(key)
				if key == "" {
					continue
				}
				n++
				if len(key) < MinKeyLength {
					return nil, fmt.Errorf("API key #%d is %d characters; use at least %d (for example: openssl rand -hex 32)", n, len(key), MinKeyLength)
				}
				k.sums = append(k.sums, sha256.Sum256([]byte(key)))
			}
		}
	}
	return k, nil
}

// Enabled reports whether any key is configured (key mode).
func (k *Keys) Enabled() bool { return k != nil && len(k.sums) > 0 }

// Len returns the number of keys.
func (k *Keys) Len() int {
	if k == nil {
		return 0
	}
	return len(k.sums)
}

// Valid reports whether presented is one of the keys. It compares fixed-size
// sums in constant time and looks at every key, so neither the position of a
// match nor the length of a key shows in its timing.
func (k *Keys) Valid(presented string) bool {
	if !k.Enabled() || presented == "" {
		return false
	}
	sum := sha256.Sum256([]byte(presented))
	found := 0
	for i := range k.sums {
		found |= subtle.ConstantTimeCompare(sum[:], k.sums[i][:])
	}
	return found == 1
}
