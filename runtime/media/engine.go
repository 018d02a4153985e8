package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// Config says how agent peers reach callers.
type Config struct {
	// ICEServers are the STUN/TURN servers the agent peer itself uses.
	ICEServers []webrtc.ICEServer
	// UDPPortMin and UDPPortMax bound the ephemeral UDP ports of ICE
	// candidates; 0, 0 means any port.
	UDPPortMin, UDPPortMax uint16
	// NAT1To1IPs are public IPs advertised instead of the private ones as
	// host candidates, for servers behind a 1:1 NAT (cloud elastic IPs).
	NAT1To1IPs []string
	// Loopback gathers loopback host candidates only (UDP4, loopback
	// addresses), for tests and CI on hosts without another network.
	Loopback bool
	// FrameSent, when set, is told the time since the previous frame each
	// time a peer sends a frame of the agent's voice (silence included):
	// the pacing the callers get, for metrics. It runs on the pacing
	// goroutine and must be cheap.
	FrameSent func(interval time.Duration)
	// ICEDisconnectedTimeout and ICEFailedTimeout are how long without
	// connectivity before a peer is disconnected, then failed; zero keeps
	// Pion's defaults (5 s and 25 s).
	ICEDisconnectedTimeout, ICEFailedTimeout time.Duration
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if (c.UDPPortMin == 0) != (c.UDPPortMax == 0) || c.UDPPortMin > c.UDPPortMax {
		errs = append(errs, fmt.Errorf("udp port range %d-%d: set both bounds, min <= max", c.UDPPortMin, c.UDPPortMax))
	}
	for _, ip := range c.NAT1To1IPs {
		if net.ParseIP(ip) == nil {
			errs = append(errs, fmt.Errorf("nat 1:1 ip %q is not an IP address", ip))
		}
	}
	for i, s := range c.ICEServers {
		if len(s.URLs) == 0 {
			errs = append(errs, fmt.Errorf("ice server %d has no urls", i))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

// Engine holds the one webrtc.API all agent peers share: the codecs (Opus,
// preferred, payload type 111, opus/48000/2 with minptime=10;useinbandfec=1,
// and PCMU, payload type 0, as fallback), RTCP reports and the ICE settings
// of Config. An Engine is
// safe for concurrent use and holds no goroutines or sockets itself.
type Engine struct {
	api         *webrtc.API
	cfg         Config
	opusSilence []byte
	// blockRemote tells which caller candidate addresses are never used
	// (blockedRemote; tests add more).
	blockRemote func(netip.Addr) bool
}

// NewEngine returns an Engine for cfg.
func NewEngine(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("media engine: %w", err)
	}
	m := &webrtc.MediaEngine{}
	codecs := []webrtc.RTPCodecParameters{
		{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeOpus, ClockRate: opusRate, Channels: 2, SDPFmtpLine: opusFmtp,
			},
			PayloadType: opusPayloadType,
		},
		{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: pcmuRate},
			PayloadType:        pcmuPayloadType,
		},
	}
	for _, c := range codecs {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("media engine: register %s: %w", c.MimeType, err)
		}
	}
	// RTCP sender and receiver reports only. Pion's other defaults are
	// for video (NACK and transport-wide congestion control are negotiated
	// for video only) or for getStats (the stats interceptor, which costs
	// a lock and bookkeeping on every packet of every call).
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, fmt.Errorf("media engine: interceptors: %w", err)
	}

	s := webrtc.SettingEngine{}
	// A server has no use for mDNS: callers reach it on public or NAT 1:1
	// addresses, and their own .local candidates become peer-reflexive once
	// their checks arrive. Off also saves a multicast socket per call.
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// Receive queues bounded to seconds of audio, not Pion's megabyte a
	// stream (buffers.go).
	s.BufferFactory = newBoundedQueue
	if cfg.UDPPortMin != 0 {
		if err := s.SetEphemeralUDPPortRange(cfg.UDPPortMin, cfg.UDPPortMax); err != nil {
			return nil, fmt.Errorf("media engine: udp ports: %w", err)
		}
	}
	if len(cfg.NAT1To1IPs) > 0 {
		err := s.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External:        cfg.NAT1To1IPs,
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		})
		if err != nil {
			return nil, fmt.Errorf("media engine: nat 1:1 ips: %w", err)
		}
	}
	if cfg.ICEDisconnectedTimeout > 0 || cfg.ICEFailedTimeout > 0 {
		disc, failed := cfg.ICEDisconnectedTimeout, cfg.ICEFailedTimeout
		if disc <= 0 {
			disc = 5 * time.Second
		}
		if failed <= 0 {
			failed = 25 * time.Second
		}
		s.SetICETimeouts(disc, failed, min(2*time.Second, disc/2))
	}
	if cfg.Loopback {
		// Measured (DESIGN.md): without all of these Pion gathers no
		// loopback candidate.
		s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
		s.SetIncludeLoopbackCandidate(true)
		s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	}

	silence, err := opusSilencePacket()
	if err != nil {
		return nil, fmt.Errorf("media engine: %w", err)
	}
	return &Engine{
		api: webrtc.NewAPI(
			webrtc.WithMediaEngine(m),
			webrtc.WithInterceptorRegistry(reg),
			webrtc.WithSettingEngine(s),
		),
		cfg:         cfg,
		opusSilence: silence,
		blockRemote: func(a netip.Addr) bool { return blockedRemote(a, cfg.Loopback) },
	}, nil
}
