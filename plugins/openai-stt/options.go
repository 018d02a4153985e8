package main

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

// The options of openai-stt beyond the common ones.
const (
	optLanguage = "language"
	optPrompt   = "prompt"
)

const (
	defaultModel = "whisper-1"
	languageAuto = "auto"
)

func knownKeys() []string {
	return append(oai.CommonKeys(), oai.OptModel, optLanguage, optPrompt)
}

// options are one request's parsed options.
type options struct {
	cfg      oai.Config
	model    string
	language string // a BCP-47 tag (ko, en, pt-BR ...) or auto
	prompt   string
}

// readOptions parses opts; agentLanguage (a BCP-47 tag or auto) is the default
// of the language option.
func (s *stt) readOptions(r *oai.OptionReader, agentLanguage string) options {
	def := agentLanguage
	if def == "" {
		def = languageAuto
	}
	o := options{
		cfg:      s.backend.ReadConfig(r),
		model:    r.String(oai.OptModel, defaultModel),
		language: r.String(optLanguage, def),
		prompt:   r.String(optPrompt, ""),
	}
	if o.language != languageAuto {
		if _, ok := provider.CanonicalLanguage(o.language); !ok {
			r.Problemf(optLanguage, "must be a BCP-47 language tag such as en, ko or pt-BR, or auto, not %q", o.language)
			o.language = languageAuto
		}
	}
	if strings.TrimSpace(o.model) == "" {
		r.Problemf(oai.OptModel, "must not be empty")
	}
	r.RejectUnknown(knownKeys()...)
	return o
}

func (s *stt) parseOptions(opts provider.Options, agentLanguage string) (options, error) {
	r := oai.NewOptionReader(opts)
	o := s.readOptions(r, agentLanguage)
	return o, r.Err()
}

// ValidateOptions implements provider.Validator.
func (s *stt) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	r := oai.NewOptionReader(req.Options)
	s.readOptions(r, req.Language)
	return r.Problems(), nil
}

// whisperLanguage is the language field to send: none for auto, so that
// Whisper detects it.
func (o options) whisperLanguage() string {
	if o.language == languageAuto {
		return ""
	}
	return provider.BaseLanguage(o.language) // Whisper takes ISO 639-1: pt, not pt-BR
}
