package turn

import (
	"context"
	"errors"
	"io"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
)

// Speak synthesises text with the agent's TTS provider in language and
// hands each chunk of audio to each as it comes (empty chunks skipped).
func Speak(ctx context.Context, tts provider.TTS, spec *agent.Spec, language, text string, each func(pcm.Audio) error) error {
	st, err := tts.Synthesize(ctx, TTSRequest(spec, language, text))
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	for {
		a, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(a.Samples) == 0 {
			continue
		}
		if err := each(a); err != nil {
			return err
		}
	}
}

// Score rates the caller's words with the agent's sentiment provider.
func Score(ctx context.Context, s provider.Sentiment, spec *agent.Spec, language, text string) (*store.Sentiment, error) {
	r, err := s.Analyze(ctx, SentimentRequest(spec, language, text))
	if err != nil {
		return nil, err
	}
	return &store.Sentiment{Label: r.Label, Score: r.Score}, nil
}
