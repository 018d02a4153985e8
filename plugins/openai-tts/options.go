package main

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

// The options of openai-tts beyond the common ones.
const (
	optSpeed      = "speed"
	optVoice      = "voice"
	optSampleRate = "sample_rate"
)

const (
	defaultModel = "tts-1"
	defaultVoice = "alloy"
	// defaultRate is the rate of OpenAI's pcm format.
	defaultRate = 24000
)

// openAIVoices are the voices OpenAI's tts-1 models speak with.
var openAIVoices = []string{"alloy", "echo", "fable", "onyx", "nova", "shimmer"}

func knownKeys() []string {
	return append(oai.CommonKeys(), oai.OptModel, optSpeed, optVoice, optSampleRate)
}

// options are one request's parsed options.
type options struct {
	cfg   oai.Config
	model string
	voice string
	speed float64 // 0: the server's default (1.0)
	rate  int
}

// readOptions parses opts; agentVoice is the agent's voice, which the voice
// option overrides. On OpenAI the voice must be one of its six; a
// compatible server may have any.
func (s *tts) readOptions(r *oai.OptionReader, agentVoice string) options {
	o := options{
		cfg:   s.backend.ReadConfig(r),
		model: r.String(oai.OptModel, defaultModel),
		rate:  r.Int(optSampleRate, defaultRate, 8000, 48000),
	}
	if strings.TrimSpace(o.model) == "" {
		r.Problemf(oai.OptModel, "must not be empty")
	}
	if sp, ok := r.Float(optSpeed, 0.25, 4); ok {
		o.speed = sp
	}
	def := agentVoice
	if def == "" {
		def = defaultVoice
	}
	override := r.Has(optVoice)
	o.voice = r.String(optVoice, def)
	if o.cfg.IsOpenAI() && !slices.Contains(openAIVoices, o.voice) {
		list := strings.Join(openAIVoices, ", ")
		if override {
			r.Problemf(optVoice, "%q is not an OpenAI voice (%s)", o.voice, list)
		} else {
			r.Problemf("", "voice %q is not an OpenAI voice (%s): change the agent's voice or set options.voice", o.voice, list)
		}
	}
	r.RejectUnknown(knownKeys()...)
	return o
}

func (s *tts) parseOptions(opts provider.Options, agentVoice string) (options, error) {
	r := oai.NewOptionReader(opts)
	o := s.readOptions(r, agentVoice)
	return o, r.Err()
}

// ValidateOptions implements provider.Validator; it checks the agent's voice too.
func (s *tts) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	r := oai.NewOptionReader(req.Options)
	s.readOptions(r, req.Voice)
	return r.Problems(), nil
}
