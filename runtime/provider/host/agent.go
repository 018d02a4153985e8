package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// Providers are the capabilities one agent uses, served by its plugins.
type Providers struct {
	STT       provider.STT
	Chat      provider.Chat
	TTS       provider.TTS
	Sentiment provider.Sentiment // nil when the agent scores no sentiment
}

type use struct {
	kind provider.Kind
	ref  *agent.Provider
}

func uses(s *agent.Spec) []use {
	u := []use{
		{provider.KindSTT, &s.Providers.STT},
		{provider.KindChat, &s.Providers.Chat},
		{provider.KindTTS, &s.Providers.TTS},
	}
	if s.Providers.Sentiment != nil {
		u = append(u, use{provider.KindSentiment, s.Providers.Sentiment})
	}
	return u
}

// For returns the providers of an agent, starting its plugins if needed.
func (h *Host) For(s *agent.Spec) (Providers, error) {
	var out Providers
	for _, u := range uses(s) {
		p, err := h.Plugin(u.ref.Plugin, filepath.Dir(s.File))
		if err != nil {
			return Providers{}, fmt.Errorf("providers.%s: %w", u.kind, err)
		}
		switch u.kind {
		case provider.KindSTT:
			out.STT = p.STT()
		case provider.KindChat:
			out.Chat = p.Chat()
		case provider.KindTTS:
			out.TTS = p.TTS()
		case provider.KindSentiment:
			out.Sentiment = p.Sentiment()
		}
	}
	return out, nil
}

// CheckAgent starts the plugins an agent needs (waiting up to the start
// timeout for each), checks that each supports the agent's language (as
// its description declares) and has each validate its options. It returns every
// problem, each naming the provider and option, so the agent registry can
// report the agent unavailable with reasons a person can act on.
func (h *Host) CheckAgent(ctx context.Context, s *agent.Spec) error {
	var errs []error
	for _, u := range uses(s) {
		if err := h.checkUse(ctx, s, u); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Host) checkUse(ctx context.Context, s *agent.Spec, u use) error {
	p, err := h.Plugin(u.ref.Plugin, filepath.Dir(s.File))
	if err != nil {
		return fmt.Errorf("providers.%s: %w", u.kind, err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.StartTimeout)
	defer cancel()
	conn, err := p.WaitHealthy(ctx)
	if err != nil {
		return fmt.Errorf("providers.%s: %w", u.kind, err)
	}
	if !conn.Serves(u.kind) {
		return fmt.Errorf("providers.%s: plugin %s does not serve %s (it serves %v)", u.kind, p.name, u.kind, conn.Description.Kinds)
	}
	if !conn.Description.SupportsLanguage(string(s.Language)) {
		return fmt.Errorf("providers.%s: plugin %s does not support %s (it supports %s)", u.kind, p.name, s.Language, strings.Join(conn.Description.Languages, ", "))
	}
	problems, err := conn.Validator.ValidateOptions(ctx, provider.ValidateRequest{
		Kind: u.kind, Options: u.ref.Options, Language: string(s.Language), Voice: s.Voice,
	})
	if err != nil {
		return fmt.Errorf("providers.%s: plugin %s could not check its options: %w", u.kind, p.name, err)
	}
	var errs []error
	for _, pr := range problems {
		errs = append(errs, fmt.Errorf("providers.%s.%s", u.kind, pr.String()))
	}
	return errors.Join(errs...)
}
