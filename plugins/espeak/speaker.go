package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/plugins/internal/espeakng"
	"github.com/parleyhq/parley/plugins/internal/flite"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// speaker serves provider.TTS and provider.Validator with espeak-ng and
// flite. Each library synthesises one request at a time (they are not
// thread-safe), so concurrent requests queue; espeak-ng speaks about 500
// times faster than real time and flite about 30 times, so the wait is
// short.
type speaker struct{}

var (
	_ provider.TTS       = (*speaker)(nil)
	_ provider.Validator = (*speaker)(nil)
)

// speech is a checked request: what to call to speak it.
type speech struct {
	rate  int
	speak func(ctx context.Context, emit func([]int16) error) error
}

// Synthesize streams req's speech: each piece of audio is sent as soon as
// the engine produces it (the first within a millisecond or so with
// espeak-ng, after the first sentence's analysis with flite). Cancelling
// ctx or closing the stream stops synthesis at the next piece.
func (s *speaker) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	sp, err := plan(req)
	if err != nil {
		return nil, fmt.Errorf("synthesize: %w", err)
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		err := sp.speak(ctx, func(samples []int16) error {
			return send(pcm.Audio{Samples: samples, Rate: sp.rate})
		})
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("synthesize: %w", err)
		}
		return err
	}), nil
}

// plan checks a request and chooses the engine and voice. With engine
// flite and no fixed language, text in Korean goes to espeak-ng, the only
// one that can speak it; a fixed language other than English needs
// espeak-ng.
func plan(req provider.TTSRequest) (speech, error) {
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return speech{}, fmt.Errorf("%w: no text to speak", provider.ErrInvalidInput)
	}
	o, problems := parseOptions(req.Options)
	if len(problems) > 0 {
		return speech{}, fmt.Errorf("%w: %s", provider.ErrInvalidOptions, problems[0])
	}
	lang, err := resolveLanguage(req.Language, text)
	if err != nil {
		return speech{}, fmt.Errorf("%w: %w", provider.ErrInvalidOptions, err)
	}
	if o.engine == engineFlite && lang != langEnglish {
		if base(req.Language) != "" && base(req.Language) != provider.LanguageAuto {
			return speech{}, fmt.Errorf("%w: flite speaks English only, not %s", provider.ErrInvalidOptions, req.Language)
		}
		o.engine = engineEspeak
	}
	if o.engine == engineFlite {
		v, ok := fliteVoice(req.Voice, o)
		if !ok {
			return speech{}, unknownVoice(req.Voice, o.engine)
		}
		return speech{rate: flite.SampleRate, speak: func(ctx context.Context, emit func([]int16) error) error {
			return flite.Synthesize(ctx, text, v, emit)
		}}, nil
	}
	v, ok := espeakVoice(req.Voice, lang, o)
	if !ok {
		return speech{}, unknownVoice(req.Voice, o.engine)
	}
	rate, err := espeakng.SampleRate()
	if err != nil {
		return speech{}, fmt.Errorf("%w: %w", provider.ErrUnavailable, err)
	}
	return speech{rate: rate, speak: func(ctx context.Context, emit func([]int16) error) error {
		return espeakng.Synthesize(ctx, text, v, emit)
	}}, nil
}

func unknownVoice(name string, e engine) error {
	return fmt.Errorf("%w: voice %q is unknown: use one of %s", provider.ErrInvalidOptions, name, validVoices(e))
}

// ValidateOptions checks the options, the agent's voice and language.
func (s *speaker) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	o, problems := parseOptions(req.Options)
	if req.Kind != "" && req.Kind != provider.KindTTS {
		problems = append(problems, provider.OptionProblem{Message: fmt.Sprintf("this plugin serves %s, not %s", provider.KindTTS, req.Kind)})
	}
	if _, err := resolveLanguage(req.Language, ""); err != nil {
		problems = append(problems, provider.OptionProblem{Message: err.Error()})
	}
	if b := base(req.Language); o.engine == engineFlite && b != "" && b != provider.LanguageAuto && b != langEnglish {
		problems = append(problems, provider.OptionProblem{Option: optEngine, Message: fmt.Sprintf("flite speaks English only: use engine espeak for language %s", req.Language)})
	}
	_, espeakOK := espeakStyles[orDefault(req.Voice)]
	_, fliteOK := fliteStyles[orDefault(req.Voice)]
	if (o.engine == engineFlite && !fliteOK) || (o.engine == engineEspeak && !espeakOK) {
		problems = append(problems, provider.OptionProblem{Message: fmt.Sprintf("voice %q is unknown: use one of %s", req.Voice, validVoices(o.engine))})
	}
	return problems, nil
}
