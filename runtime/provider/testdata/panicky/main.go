// Command panicky is a provider plugin for the recovery tests: each
// capability panics when asked to ("panic" in the text, a first sample of
// 7 in the audio), and answers normally otherwise.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/parleyhq/parley/runtime/provider"
)

func main() {
	if err := provider.Serve(provider.ServeConfig{Name: "panicky", Version: "1.0.0", STT: stt{}, Chat: chat{}, Sentiment: sentiment{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type sentiment struct{}

func (sentiment) Analyze(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if req.Text == "panic" {
		var m map[string]int
		m["boom"]++ // a runtime panic in a unary method
	}
	return provider.SentimentResult{Label: provider.Neutral, Score: 0.5}, nil
}

type chat struct{}

func (chat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	last := req.Messages[len(req.Messages)-1].Content
	if last == "panic" {
		panic("chat panicked before streaming") // in the stream handler
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		if err := send(provider.ChatDelta{Text: "one"}); err != nil {
			return err
		}
		if last == "panic later" {
			panic("chat panicked mid-stream") // in the producer's goroutine
		}
		return send(provider.ChatDelta{Text: " two"})
	}), nil
}

type stt struct{}

func (stt) StreamSTT(context.Context, provider.STTConfig) (provider.STTStream, error) {
	return &sttStream{out: make(chan provider.Transcript, 4), closed: make(chan struct{})}, nil
}

func (stt) Transcribe(context.Context, provider.TranscribeRequest) (provider.Transcript, error) {
	return provider.Transcript{Final: true, Text: "fine"}, nil
}

type sttStream struct {
	out       chan provider.Transcript
	closed    chan struct{}
	closeOnce sync.Once
}

func (s *sttStream) SendAudio(pcm []int16) error {
	if len(pcm) > 0 && pcm[0] == 7 {
		panic("stt panicked on audio") // in the STT stream's audio loop
	}
	s.out <- provider.Transcript{Text: "heard"}
	return nil
}

func (s *sttStream) EndUtterance() error { return nil }

func (s *sttStream) Recv() (provider.Transcript, error) {
	select {
	case t := <-s.out:
		return t, nil
	case <-s.closed:
		return provider.Transcript{}, io.EOF
	}
}

func (s *sttStream) CloseSend() error { return s.Close() }

func (s *sttStream) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}
