package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"

	"github.com/parleyhq/parley/runtime/api"
	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
)

// newGuard builds the credentials of key mode from the configuration: the
// keys of PARLEY_API_KEYS and PARLEY_API_KEYS_FILE (none: open mode), and
// the call token signer.
func newGuard(cfg *config.Config) (*auth.Guard, error) {
	lists := []string{cfg.Auth.APIKeys.Reveal()}
	if f := cfg.Auth.APIKeysFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read API keys file: %w", err)
		}
		lists = append(lists, string(b))
	}
	keys, err := auth.ParseKeys(lists...)
	if err != nil {
		return nil, fmt.Errorf("API keys: %w", err)
	}
	secret, err := auth.LoadSecret(cfg.Auth.TokenSecret.Reveal(), cfg.DataDir)
	if err != nil {
		return nil, err
	}
	signer, err := auth.NewSigner(secret)
	if err != nil {
		return nil, err
	}
	return auth.NewGuard(keys, signer), nil
}

// listen opens the runtime's port: TLS when a certificate is configured,
// with at most PARLEY_HTTP_MAX_CONNS_PER_IP connections per client.
func listen(cfg *config.Config) (net.Listener, error) {
	var cert tls.Certificate
	if cfg.TLS.Enabled() {
		var err error
		if cert, err = tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile); err != nil {
			return nil, fmt.Errorf("TLS certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr(), err)
	}
	ln = api.LimitConns(ln, cfg.HTTP.MaxConnsPerIP, cfg.HTTP.Proxies(), !cfg.TLS.Enabled())
	if cfg.TLS.Enabled() {
		ln = tls.NewListener(ln, &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
			// HTTP/1.1 only: Fiber (fasthttp) and the Socket.IO
			// websocket upgrade speak nothing else.
			NextProtos: []string{"http/1.1"},
		})
	}
	return ln, nil
}

// warnIfExposed logs, once and loudly, that an open-mode runtime listens
// beyond this machine.
func warnIfExposed(log *slog.Logger, cfg *config.Config, guard *auth.Guard) {
	if guard.KeyMode() || loopbackOnly(cfg.Host) {
		return
	}
	log.Warn("OPEN MODE ON A NETWORK ADDRESS: anyone who can reach port "+fmt.Sprint(cfg.Port)+
		" can list calls with their session ids, read transcripts, end calls and spend the providers' keys. "+
		"Set PARLEY_API_KEYS (or PARLEY_API_KEYS_FILE) to require keys, or listen on 127.0.0.1 with PARLEY_HOST; see docs/security.md",
		"addr", cfg.Addr())
}

// loopbackOnly reports whether host (PARLEY_HOST) is a loopback address or
// name; empty means every interface.
func loopbackOnly(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
