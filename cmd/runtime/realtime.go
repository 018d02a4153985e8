package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/pipeline"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/signaling"
	"github.com/parleyhq/parley/runtime/turn"
	"github.com/parleyhq/parley/runtime/vad"
	"github.com/parleyhq/parley/runtime/webhook"
)

// realtime is the live side of the runtime: the WebRTC engine, the
// conversation loop, the live-call manager and the Socket.IO server.
type realtime struct {
	sig   *signaling.Server
	calls *live.Manager
	vad   vad.Model
}

// newRealtime wires the realtime side.
func newRealtime(cfg *config.Config, guard *auth.Guard, calls *service.Calls, providers pipeline.ProviderSource, turns pipeline.TurnStore, turnEngine *turn.Engine, settle *webhook.Settle, m *metrics.Metrics, peers *member, log *slog.Logger) (*realtime, error) {
	mc := mediaConfig(cfg)
	mc.FrameSent = m.FrameSent
	engine, err := media.NewEngine(mc)
	if err != nil {
		return nil, fmt.Errorf("webrtc: %w", err)
	}
	model, err := openVAD(cfg)
	if err != nil {
		log.Warn("voice activity detection falls back to the energy detector: turns are less reliable in noise", "reason", err)
	}
	log.Info("voice activity detection", "model", model.String())
	conv, err := pipeline.New(pipeline.Config{
		Providers:   providers,
		Store:       turns,
		NewVAD:      func() (pipeline.VADStream, error) { return model.NewStream() },
		MaxDuration: cfg.Calls.MaxDuration,
		Metrics:     m,
		Log:         log.With("component", "conversation"),
		Turns:       turnEngine,
	})
	if err != nil {
		return nil, err
	}
	mgr, err := live.New(engine, calls, settledConversations{inner: conv, settle: settle},
		live.Config{MediaTimeout: cfg.Calls.MediaTimeout, DisconnectGrace: cfg.Calls.DisconnectGrace, RingTimeout: cfg.Calls.RingTimeout, Metrics: m}, log)
	if err != nil {
		return nil, err
	}
	if err := peers.observe(calls, mgr.CallChanged); err != nil {
		return nil, err
	}
	opts := []signaling.Option{
		signaling.WithAgent(mgr),
		signaling.WithMaxPayload(int64(cfg.Signaling.MaxPayload)),
		signaling.WithRateLimit(cfg.Signaling.EventRate, cfg.Signaling.ByteRate),
		signaling.WithRecovery(cfg.Calls.DisconnectGrace),
		signaling.WithCORSOrigin(cfg.CORSOrigin),
		signaling.WithAllowedOrigins(strings.Split(cfg.CORSOrigin, ",")),
	}
	if guard.KeyMode() {
		opts = append(opts, signaling.WithGate(signalingGate{guard}))
	}
	if peers.bus != nil {
		opts = append(opts, signaling.WithBus(peers.bus, calls.Instance()))
	}
	sig, err := signaling.New(live.Sessions{Calls: calls}, log, opts...)
	if err != nil {
		return nil, fmt.Errorf("signaling: %w", err)
	}
	mgr.SetBroadcaster(sig)
	return &realtime{sig: sig, calls: mgr, vad: model}, nil
}

// signalingGate checks key-mode credentials for signaling: an API key, or
// the call token that created the session's call.
type signalingGate struct{ g *auth.Guard }

// Identify implements signaling.Gate.
func (s signalingGate) Identify(credential string) (signaling.Identity, error) {
	p, err := s.g.Identify(credential)
	if err != nil {
		return signaling.Identity{}, fmt.Errorf("%w: %w", signaling.ErrUnauthorized, err)
	}
	return signaling.Identity{Key: p.Key, TokenID: p.Token.ID}, nil
}

// openVAD loads Silero from the VAD directory, or returns the energy
// detector and why Silero could not be used.
func openVAD(cfg *config.Config) (vad.Model, error) {
	dir := cfg.VAD.Dir
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return vad.NewEnergy(), fmt.Errorf("find the vad directory: %w", err)
		}
		dir = filepath.Join(filepath.Dir(exe), "vad")
	}
	return vad.Open(filepath.Join(dir, "libonnxruntime.so.1"), filepath.Join(dir, "silero_vad.onnx"), vad.WithEnergyGate())
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
