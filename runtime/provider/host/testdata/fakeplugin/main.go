// Command fakeplugin is a provider plugin for the host's tests. It behaves
// according to the name it is built under:
//
//	fake          serves chat, TTS and sentiment, slowly when asked ("slow" in the text)
//	fake-stt      the same plus an STT that echoes one partial per frame (benchmarks),
//	              declaring a limit of 3 streams
//	fake-hang     never finishes its handshake
//	fake-version  speaks protocol version 99 only
//	fake-garbage  answers with values the contract forbids
//	fake-exit     prints nonsense and exits
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/runtime/pcm"
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
	cfg := provider.ServeConfig{Name: name, Version: "9.9.9", Chat: f, TTS: f, Sentiment: f, Validator: f}
	if name == "fake-stt" {
		cfg.STT = echoSTT{}
		cfg.MaxStreams = 3 // as a CPU-heavy recogniser declares
	}
	if name == "fake-en" {
		cfg.STT = echoSTT{}
		cfg.Languages = []string{"en", "ko-kr"} // canonicalised by Serve
	}
	if err := provider.Serve(cfg); err != nil {
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
	if n := benchCount(last); n > 0 {
		return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
			for range n {
				if err := send(provider.ChatDelta{Text: "token "}); err != nil {
					return err
				}
			}
			return nil
		}), nil
	}
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

// In "bench" requests chat and TTS stream N values as fast as they can.
func benchCount(s string) int {
	var n int
	if _, err := fmt.Sscanf(s, "bench %d", &n); err != nil {
		return 0
	}
	return n
}

func (f fake) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	rate := 16000
	if f.garbage {
		rate = 0
	}
	n := max(benchCount(req.Text), 1)
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		chunk := make([]int16, 320) // 20 ms at 16 kHz
		for range n {
			if err := send(pcm.Audio{Samples: chunk, Rate: rate}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

func (f fake) Analyze(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if f.garbage {
		return provider.SentimentResult{Label: "banana", Score: 7}, nil
	}
	return provider.SentimentResult{Label: provider.Neutral, Score: 0.5}, nil
}

// echoSTT answers every frame with a partial at once.
type echoSTT struct{}

func (echoSTT) StreamSTT(context.Context, provider.STTConfig) (provider.STTStream, error) {
	return &echoStream{out: make(chan provider.Transcript, 16)}, nil
}

func (echoSTT) Transcribe(context.Context, provider.TranscribeRequest) (provider.Transcript, error) {
	return provider.Transcript{Final: true}, nil
}

type echoStream struct {
	out    chan provider.Transcript
	closed bool
}

func (s *echoStream) SendAudio(pcm []int16) error {
	s.out <- provider.Transcript{Text: "x"}
	return nil
}

func (s *echoStream) EndUtterance() error {
	s.out <- provider.Transcript{Text: "x", Final: true}
	return nil
}

func (s *echoStream) Recv() (provider.Transcript, error) {
	t, ok := <-s.out
	if !ok {
		return t, io.EOF
	}
	return t, nil
}

func (s *echoStream) CloseSend() error {
	if !s.closed {
		s.closed = true
		close(s.out)
	}
	return nil
}

func (s *echoStream) Close() error { return s.CloseSend() }
