// Package loopback is the Pion set-up of every caller that tests and
// benchmarks run against the runtime on one machine: peers that gather
// loopback host candidates only, without which Pion gathers none on a host
// with only loopback. It depends on Pion alone, so a package's unit tests
// (runtime/media) can use it without the rest of the test kit
// (internal/caller builds its callers on it).
package loopback

import (
	"fmt"
	"net"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// NewAPI returns a Pion API whose peers gather loopback host candidates
// only (no mDNS, UDP4, loopback IPs, no ICE servers needed), with the
// codecs of me (nil: Pion's defaults) and the interceptors of ir (nil:
// none).
func NewAPI(me *webrtc.MediaEngine, ir *interceptor.Registry) (*webrtc.API, error) {
	if me == nil {
		me = &webrtc.MediaEngine{}
		if err := me.RegisterDefaultCodecs(); err != nil {
			return nil, fmt.Errorf("loopback api: %w", err)
		}
	}
	if ir == nil {
		ir = &interceptor.Registry{}
	}
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir)), nil
}
