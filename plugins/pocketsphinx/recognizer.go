package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
	"github.com/parleyhq/parley/runtime/provider"
)

// language is what every transcript reports: the models are US English.
const language = "en"

// transcribeChunk is how much audio Transcribe decodes between two looks
// at its context (0.5 s).
const transcribeChunk = sphinx.SampleRate / 2

// recognizer serves provider.STT and provider.Validator with pocketsphinx.
type recognizer struct {
	log  hclog.Logger
	pool *pool
}

var (
	_ provider.STT       = (*recognizer)(nil)
	_ provider.Validator = (*recognizer)(nil)
)

// newRecognizer routes pocketsphinx's warnings and errors to log (its info
// lines are dropped) and starts with an empty decoder pool.
func newRecognizer(log hclog.Logger) *recognizer {
	sphinx.SetLogger(func(level sphinx.Level, msg string) {
		if level == sphinx.LevelWarn {
			log.Warn(msg, "source", "pocketsphinx")
			return
		}
		log.Error(msg, "source", "pocketsphinx", "level", level.String())
	})
	return &recognizer{log: log, pool: newPool(sphinx.New)}
}

// Warm loads a decoder for the default options in the background, so that
// the first call does not wait for the language model.
func (r *recognizer) Warm() { r.pool.warm(sphinx.DefaultConfig()) }

// Close frees the ready decoders and waits for background loads.
func (r *recognizer) Close() { r.pool.close() }

// ValidateOptions checks the options and the agent's language, then loads
// a decoder for the options: a grammar that does not compile or keywords
// missing from the dictionary show up here, and the loaded decoder stays
// ready for the agent's first call.
func (r *recognizer) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	cfg, problems := parseOptions(req.Options)
	if req.Kind != "" && req.Kind != provider.KindSTT {
		problems = append(problems, provider.OptionProblem{Message: fmt.Sprintf("pocketsphinx serves %s, not %s", provider.KindSTT, req.Kind)})
	}
	if err := checkLanguage(req.Language); err != nil {
		problems = append(problems, provider.OptionProblem{Message: err.Error()})
	}
	if len(problems) > 0 {
		return problems, nil
	}
	return r.tryLoad(cfg), nil
}

// tryLoad loads a decoder for cfg and gives it to the pool; a failure is
// a problem with the options.
func (r *recognizer) tryLoad(cfg sphinx.Config) []provider.OptionProblem {
	d, err := r.pool.get(cfg)
	if err != nil {
		return []provider.OptionProblem{{Option: blame(cfg), Message: err.Error()}}
	}
	r.pool.put(cfg, d)
	return nil
}

// blame names the option a load failure is most likely about.
func blame(cfg sphinx.Config) string {
	switch {
	case cfg.Grammar != "":
		return optGrammar
	case len(cfg.Keyphrases) > 0:
		return optKeywords
	default:
		return ""
	}
}

// config checks a request's language, rate and options.
func config(lang string, rate int, opts provider.Options) (sphinx.Config, error) {
	if rate != sphinx.SampleRate {
		return sphinx.Config{}, fmt.Errorf("%w: sample rate %d Hz: pocketsphinx needs %d Hz", provider.ErrInvalidInput, rate, sphinx.SampleRate)
	}
	if err := checkLanguage(lang); err != nil {
		return sphinx.Config{}, fmt.Errorf("%w: %w", provider.ErrInvalidOptions, err)
	}
	cfg, problems := parseOptions(opts)
	if len(problems) > 0 {
		return sphinx.Config{}, fmt.Errorf("%w: %s", provider.ErrInvalidOptions, problems[0])
	}
	return cfg, nil
}

// decoder takes a decoder for cfg from the pool.
func (r *recognizer) decoder(cfg sphinx.Config) (*sphinx.Decoder, error) {
	d, err := r.pool.get(cfg)
	switch {
	case errors.Is(err, sphinx.ErrConfig):
		return nil, fmt.Errorf("%w: %w", provider.ErrInvalidOptions, err)
	case errors.Is(err, errPoolClosed):
		return nil, fmt.Errorf("%w: %w", provider.ErrUnavailable, err)
	case err != nil:
		return nil, err
	}
	return d, nil
}

// StreamSTT opens a recognition stream on a ready decoder.
func (r *recognizer) StreamSTT(ctx context.Context, c provider.STTConfig) (provider.STTStream, error) {
	cfg, err := config(c.Language, c.SampleRate, c.Options)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	d, err := r.decoder(cfg)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	return newStream(ctx, d, func(d *sphinx.Decoder) { r.pool.put(cfg, d) }), nil
}

// Transcribe decodes a whole recording as one utterance, exactly as a
// stream that gets it and then EndUtterance would.
func (r *recognizer) Transcribe(ctx context.Context, req provider.TranscribeRequest) (provider.Transcript, error) {
	cfg, err := config(req.Language, req.Audio.Rate, req.Options)
	if err != nil {
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	d, err := r.decoder(cfg)
	if err != nil {
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	defer r.pool.put(cfg, d)
	pcm := req.Audio.Samples
	for len(pcm) > 0 {
		if err := ctx.Err(); err != nil {
			return provider.Transcript{}, err
		}
		n := min(len(pcm), transcribeChunk)
		if err := d.Process(pcm[:n]); err != nil {
			return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
		}
		pcm = pcm[n:]
	}
	res, err := d.End()
	if err != nil {
		return provider.Transcript{}, fmt.Errorf("transcribe: %w", err)
	}
	return provider.Transcript{Text: res.Text, Final: true, Confidence: res.Confidence, Language: language}, nil
}
