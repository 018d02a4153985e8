package main

import (
	"fmt"
	"log/slog"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/signaling"
)

// newRealtime wires the realtime side: the WebRTC engine, the live-call
// manager that answers agent calls, and the Socket.IO signaling server.
func newRealtime(cfg *config.Config, calls *service.Calls, providers live.ProviderSource, log *slog.Logger) (*signaling.Server, *live.Manager, error) {
	engine, err := media.NewEngine(mediaConfig(cfg))
	if err != nil {
		return nil, nil, fmt.Errorf("webrtc: %w", err)
	}
	mgr, err := live.New(engine, calls, live.NewGreeter(providers, log.With("component", "greeter")),
		live.Config{MediaTimeout: cfg.Calls.MediaTimeout, DisconnectGrace: cfg.Calls.DisconnectGrace}, log)
	if err != nil {
		return nil, nil, err
	}
	calls.Observe(mgr.CallChanged)
	sig, err := signaling.New(live.Sessions{Calls: calls}, log,
		signaling.WithAgent(mgr),
		signaling.WithMaxPayload(int64(cfg.Signaling.MaxPayload)),
		signaling.WithCORSOrigin(cfg.CORSOrigin))
	if err != nil {
		return nil, nil, fmt.Errorf("signaling: %w", err)
	}
	mgr.SetBroadcaster(sig)
	return sig, mgr, nil
}

// mediaConfig is how the agent peer reaches callers.
func mediaConfig(cfg *config.Config) media.Config {
	w := cfg.WebRTC
	mc := media.Config{
		UDPPortMin: uint16(w.UDPPortMin),
		UDPPortMax: uint16(w.UDPPortMax),
		NAT1To1IPs: w.NATIPs(),
		Loopback:   w.Loopback,
	}
	// Loopback is for tests and single-host demos, where STUN servers are
	// unreachable and only slow gathering down.
	if !w.Loopback {
		if cfg.STUNServerURL != "" {
			mc.ICEServers = append(mc.ICEServers, webrtc.ICEServer{URLs: []string{cfg.STUNServerURL}})
		}
		if w.TURNURL != "" {
			mc.ICEServers = append(mc.ICEServers, webrtc.ICEServer{URLs: []string{w.TURNURL}, Username: w.TURNUsername, Credential: w.TURNCredential.Reveal()})
		}
	}
	return mc
}
