package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/parleyhq/parley/runtime/provider/proto/v1"
)

// ProtocolVersion is the plugin protocol this runtime speaks. A plugin
// built against a later contract serves v2 beside v1 in its
// VersionedPlugins, and go-plugin picks the highest both sides know.
const ProtocolVersion = 1

// Handshake is shared by the runtime and every plugin. The cookie only
// keeps a plugin binary from being run by hand by mistake; it is not a
// security measure.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "PARLEY_PLUGIN",
	MagicCookieValue: "voice-agent-provider-6b1f0c2e",
}

// The names of the plugins in a plugin set.
const (
	pluginInfo      = "info"
	pluginSTT       = string(KindSTT)
	pluginChat      = string(KindChat)
	pluginTTS       = string(KindTTS)
	pluginSentiment = string(KindSentiment)
)

// grpcPlugin adapts one service to go-plugin: register on the server side,
// wrap the connection on the client side.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	register func(*grpc.Server)
	client   func(*grpc.ClientConn) any
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.register == nil {
		return fmt.Errorf("%w: server side of a client-only plugin", ErrUnsupported)
	}
	p.register(s)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return p.client(c), nil
}

// VersionedPlugins is what the runtime asks a plugin process for.
func VersionedPlugins() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{1: pluginSetV1(nil)}
}

// ServerPlugins is the v1 plugin set that serves cfg. Serve uses it; tests
// use it with go-plugin's in-process TestPluginGRPCConn (see providertest).
func ServerPlugins(cfg ServeConfig) plugin.PluginSet { return pluginSetV1(&cfg) }

// pluginSetV1 is the v1 set; with cfg nil it is the client side.
func pluginSetV1(cfg *ServeConfig) plugin.PluginSet {
	set := plugin.PluginSet{
		pluginInfo: &grpcPlugin{client: func(c *grpc.ClientConn) any { return &infoClient{c: pb.NewInfoClient(c)} }},
		pluginSTT:  &grpcPlugin{client: func(c *grpc.ClientConn) any { return &sttClient{c: pb.NewSTTClient(c)} }},
		pluginChat: &grpcPlugin{client: func(c *grpc.ClientConn) any { return &chatClient{c: pb.NewChatClient(c)} }},
		pluginTTS:  &grpcPlugin{client: func(c *grpc.ClientConn) any { return &ttsClient{c: pb.NewTTSClient(c)} }},
		pluginSentiment: &grpcPlugin{client: func(c *grpc.ClientConn) any {
			return &sentimentClient{c: pb.NewSentimentClient(c)}
		}},
	}
	if cfg == nil {
		return set
	}
	desc := cfg.description()
	set[pluginInfo].(*grpcPlugin).register = func(s *grpc.Server) {
		pb.RegisterInfoServer(s, &infoServer{desc: desc, validate: cfg.Validator})
	}
	if cfg.STT != nil {
		set[pluginSTT].(*grpcPlugin).register = func(s *grpc.Server) { pb.RegisterSTTServer(s, &sttServer{impl: cfg.STT}) }
	}
	if cfg.Chat != nil {
		set[pluginChat].(*grpcPlugin).register = func(s *grpc.Server) { pb.RegisterChatServer(s, &chatServer{impl: cfg.Chat}) }
	}
	if cfg.TTS != nil {
		set[pluginTTS].(*grpcPlugin).register = func(s *grpc.Server) { pb.RegisterTTSServer(s, &ttsServer{impl: cfg.TTS}) }
	}
	if cfg.Sentiment != nil {
		set[pluginSentiment].(*grpcPlugin).register = func(s *grpc.Server) {
			pb.RegisterSentimentServer(s, &sentimentServer{impl: cfg.Sentiment})
		}
	}
	// go-plugin registers every plugin of the set on the server, so a kind
	// this plugin lacks is left out rather than registered empty.
	for name, p := range set {
		if p.(*grpcPlugin).register == nil {
			delete(set, name)
		}
	}
	return set
}

// Client is the runtime's view of one plugin process: its description and
// the capabilities it serves (nil for the others).
type Client struct {
	Description Description
	Validator   Validator
	STT         STT
	Chat        Chat
	TTS         TTS
	Sentiment   Sentiment
}

// Connect asks a started plugin who it is and dispenses the capabilities it
// says it serves.
func Connect(ctx context.Context, rpc plugin.ClientProtocol) (*Client, error) {
	raw, err := rpc.Dispense(pluginInfo)
	if err != nil {
		return nil, fmt.Errorf("dispense info: %w", err)
	}
	info := raw.(*infoClient)
	desc, err := info.Describe(ctx)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	c := &Client{Description: desc, Validator: info}
	for _, k := range desc.Kinds {
		raw, err := rpc.Dispense(string(k))
		if err != nil {
			return nil, fmt.Errorf("plugin %s says it serves %q: %w", desc.Name, k, err)
		}
		switch v := raw.(type) {
		case STT:
			c.STT = v
		case Chat:
			c.Chat = v
		case TTS:
			c.TTS = v
		case Sentiment:
			c.Sentiment = v
		}
	}
	return c, nil
}

// Serves reports whether the plugin serves kind.
func (c *Client) Serves(k Kind) bool {
	for _, have := range c.Description.Kinds {
		if have == k {
			return true
		}
	}
	return false
}
