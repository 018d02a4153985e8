package auth

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/parleyhq/parley/runtime/datadir"
)

// SecretFile is the name of the generated token secret in the data directory.
const SecretFile = "token.secret"

// LoadSecret returns the token secret: configured when set (every instance
// behind one load balancer needs the same one), otherwise the one in
// dir/SecretFile, created with 32 random bytes and mode 0600 on first use so
// that tokens outlive a restart.
func LoadSecret(configured, dir string) ([]byte, error) {
	if configured != "" {
		if len(configured) < MinSecretLength {
			return nil, fmt.Errorf("token secret is %d bytes; use at least %d (for example: openssl rand -hex 32)", len(configured), MinSecretLength)
		}
		return []byte(configured), nil
	}
	s, err := datadir.Value(dir, SecretFile, func() string {
		var raw [32]byte
		_, _ = rand.Read(raw[:])
		return hex.EncodeToString(raw[:])
	}, func(s string) error {
		if len(s) < MinSecretLength {
			return fmt.Errorf("the token secret is %d bytes", len(s))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return []byte(s), nil
}
