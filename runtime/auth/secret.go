package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < MinSecretLength {
			return nil, fmt.Errorf("token secret %s is %d bytes; delete it to have a new one made", path, len(s))
		}
		return []byte(s), nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("read token secret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create token secret: %w", err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	s := hex.EncodeToString(raw[:])
	// O_EXCL: when two processes race (serve and `parley token`), one
	// creates the file and the other reads it.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadSecret("", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("create token secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write token secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write token secret: %w", err)
	}
	return []byte(s), nil
}
