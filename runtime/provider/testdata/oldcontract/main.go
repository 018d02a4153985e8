// Command oldcontract is built against proto v1 as it was before tools
// (the frozen providerv1 beside it) and imports nothing else of parley, as
// a plugin or host compiled then would. It has two modes:
//
//	oldcontract              serve chat as a plugin: each reply lists the
//	                         messages it received ("role:content", one per
//	                         delta), then ends the call when the last says bye
//	oldcontract host PLUGIN  act as an old runtime: start PLUGIN, ask chat
//	                         for a reply to "hello there bye" and print each
//	                         delta as a line "text|end_call"
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/parleyhq/parley/runtime/provider/testdata/oldcontract/providerv1"
)

// handshake is provider.Handshake, copied: an old binary carries its own.
var handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "PARLEY_PLUGIN",
	MagicCookieValue: "voice-agent-provider-6b1f0c2e",
}

func main() {
	var err error
	if len(os.Args) == 3 && os.Args[1] == "host" {
		err = host(os.Args[2])
	} else {
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig: handshake,
			VersionedPlugins: map[int]plugin.PluginSet{1: {
				"info": &grpcPlugin{register: func(s *grpc.Server) { pb.RegisterInfoServer(s, info{}) }},
				"chat": &grpcPlugin{register: func(s *grpc.Server) { pb.RegisterChatServer(s, chat{}) }},
			}},
			GRPCServer: plugin.DefaultGRPCServer,
		})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	register func(*grpc.Server)
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.register(s)
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}

type info struct{ pb.UnimplementedInfoServer }

func (info) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Name: "oldcontract", Version: "0.9.0", Kinds: []string{"chat"}}, nil
}

func (info) ValidateOptions(context.Context, *pb.ValidateOptionsRequest) (*pb.ValidateOptionsResponse, error) {
	return &pb.ValidateOptionsResponse{}, nil
}

type chat struct{ pb.UnimplementedChatServer }

func (chat) Complete(req *pb.ChatRequest, srv pb.Chat_CompleteServer) error {
	msgs := req.GetMessages()
	for _, m := range msgs {
		if err := srv.Send(&pb.ChatDelta{Text: m.GetRole() + ":" + m.GetContent()}); err != nil {
			return err
		}
	}
	bye := len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].GetContent(), "bye")
	return srv.Send(&pb.ChatDelta{EndCall: bye})
}

// host starts bin as the runtime did before tools and prints its reply.
func host(bin string) error {
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: handshake,
		VersionedPlugins: map[int]plugin.PluginSet{1: {
			"info": &grpcPlugin{}, "chat": &grpcPlugin{},
		}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "oldhost", Output: os.Stderr, Level: hclog.Warn}),
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	raw, err := rpc.Dispense("chat")
	if err != nil {
		return fmt.Errorf("dispense chat: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := pb.NewChatClient(raw.(*grpc.ClientConn)).Complete(ctx, &pb.ChatRequest{
		SystemPrompt: "old host", Messages: []*pb.ChatMessage{{Role: "user", Content: "hello there bye"}}, Language: "en",
	})
	if err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	for {
		d, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("recv: %w", err)
		}
		fmt.Printf("%s|%t\n", d.GetText(), d.GetEndCall())
	}
}
