// Command fakeplugin is a provider plugin for the host's tests. It behaves
// according to the name it is built under:
//
//	fake          serves every capability, slowly when asked ("slow" in the text)
//	fake-hang     never finishes its handshake
//	fake-version  speaks protocol version 99 only
//	fake-garbage  answers with values the contract forbids
//	fake-exit     prints nonsense and exits
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/runtime/provider"
)

func main() {
	name := filepath.Base(os.Args[0])
	log := provider.Logger(name)
	switch name {
	case "fake-hang":
		time.Sleep(time.Hour)
		return
	case "fake-exit":
		fmt.Println("this is not a plugin handshake")
		os.Exit(3)
	case "fake-version":
		plugin.Serve(&plugin.ServeConfig{
			HandshakeConfig:  plugin.HandshakeConfig{ProtocolVersion: 99, MagicCookieKey: provider.Handshake.MagicCookieKey, MagicCookieValue: provider.Handshake.MagicCookieValue},
			VersionedPlugins: map[int]plugin.PluginSet{99: provider.ServerPlugins(provider.ServeConfig{Name: name, Sentiment: fake{}})},
			GRPCServer:       plugin.DefaultGRPCServer,
		})
		return
	}
	log.Info("fake plugin starting", "marker", "hello-from-fake")
	f := fake{garbage: name == "fake-garbage"}
	if err := provider.Serve(provider.ServeConfig{Name: name, Version: "9.9.9", Chat: f, TTS: f, Sentiment: f, Validator: f}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type fake struct{ garbage bool }

func (f fake) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	if v, ok := req.Options["model"]; ok {
		if _, isString := v.(string); !isString {
			return []provider.OptionProblem{{Option: "model", Message: "must be a string"}}, nil
		}
	}
	return nil, nil
}

func (f fake) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	last := req.Messages[len(req.Messages)-1].Content
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		for i, w := range strings.Fields(last) {
			if strings.Contains(last, "slow") && i > 0 {
				select {
				case <-time.After(200 * time.Millisecond):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err := send(provider.ChatDelta{Text: w}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

func (f fake) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[provider.Audio], error) {
	rate := 16000
	if f.garbage {
		rate = 0
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.Audio) error) error {
		return send(provider.Audio{PCM: make([]int16, 320), SampleRate: rate})
	}), nil
}

func (f fake) Analyze(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if f.garbage {
		return provider.SentimentResult{Label: "banana", Score: 7}, nil
	}
	return provider.SentimentResult{Label: provider.Neutral, Score: 0.5}, nil
}
