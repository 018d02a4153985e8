package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

var (
	_ provider.STT       = (*stt)(nil)
	_ provider.Validator = (*stt)(nil)
)

// Limits of the audio sent in one request.
const (
	minRate = 8000
	maxRate = 48000
	// maxUtterance is the longest utterance a stream buffers: the agent's
	// turn_taking.max_turn allows up to 5 minutes.
	maxUtterance = 5 * time.Minute
	// maxUploadBytes is OpenAI's limit on an uploaded audio file.
	maxUploadBytes = 25 << 20
)

// stt is the openai-stt provider.
type stt struct {
	backend *oai.Backend
	log     hclog.Logger
}

func newSTT(log hclog.Logger) *stt {
	return &stt{backend: oai.NewBackend(log), log: log}
}

// Transcribe implements provider.STT: one request for the whole recording.
// Empty audio gives an empty final transcript without a request.
func (s *stt) Transcribe(ctx context.Context, req provider.TranscribeRequest) (provider.Transcript, error) {
	o, err := s.parseOptions(req.Options, req.Language)
	if err != nil {
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	if err := checkAudio(len(req.Audio.Samples), req.Audio.Rate); err != nil {
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	return s.transcribe(ctx, o, req.Audio.Samples, req.Audio.Rate)
}

// checkAudio rejects a rate out of range and audio the API cannot take.
func checkAudio(samples, rate int) error {
	if rate < minRate || rate > maxRate {
		return fmt.Errorf("%w: sample rate %d Hz (want %d to %d)", provider.ErrInvalidInput, rate, minRate, maxRate)
	}
	if wavHeaderSize+2*samples > maxUploadBytes {
		return fmt.Errorf("%w: %s of audio is over the API's 25 MB upload limit", provider.ErrInvalidInput,
			time.Duration(samples)*time.Second/time.Duration(rate))
	}
	return nil
}

// transcribe sends samples as a WAV file and returns the final transcript.
func (s *stt) transcribe(ctx context.Context, o options, samples []int16, rate int) (provider.Transcript, error) {
	if len(samples) == 0 {
		return provider.Transcript{Final: true, Language: o.whisperLanguage()}, nil
	}
	areq := openai.AudioRequest{
		Model:    o.model,
		Reader:   bytes.NewReader(encodeWAV(samples, rate)),
		FilePath: "utterance.wav",
		Prompt:   o.prompt,
		Language: o.whisperLanguage(),
		Format:   openai.AudioResponseFormatVerboseJSON,
	}
	if strings.HasPrefix(o.model, "gpt-") {
		// OpenAI's gpt-4o-*transcribe models only answer json.
		areq.Format = openai.AudioResponseFormatJSON
	}
	start := time.Now()
	resp, err := s.backend.Client(o.cfg).CreateTranscription(ctx, areq)
	if err != nil {
		err = oai.MapError(ctx, err, o.cfg, o.model)
		if ctx.Err() == nil {
			s.log.Warn("transcription failed", "model", o.model, "error", err.Error())
		}
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	lang := languageCode(resp.Language)
	if lang == "" {
		lang = o.whisperLanguage()
	}
	s.log.Debug("transcribed", "model", o.model, "audio", (pcm.Audio{Samples: samples, Rate: rate}).Duration().String(),
		"took", time.Since(start).String(), "language", lang)
	return provider.Transcript{Text: strings.TrimSpace(resp.Text), Final: true, Confidence: confidence(resp), Language: lang}, nil
}

// confidence estimates 0..1 from Whisper's segments: the probability of
// the average token, exp(avg_logprob), weighted by segment length. 0 when
// the server gives no segments.
func confidence(resp openai.AudioResponse) float64 {
	var sum, weight float64
	for _, seg := range resp.Segments {
		w := max(seg.End-seg.Start, 0.01)
		sum += w * seg.AvgLogprob
		weight += w
	}
	if weight == 0 {
		return 0
	}
	return min(max(math.Exp(sum/weight), 0), 1)
}
