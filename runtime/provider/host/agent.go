package host

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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
	for _, p := range h.Problems(ctx, s) {
		errs = append(errs, p)
	}
	return errors.Join(errs...)
}

// Problem is one problem of an agent's provider: its plugin did not start,
// does not serve the capability, or refuses an option.
type Problem struct {
	Kind provider.Kind
	// Key is the agent file's key: providers.<kind>, or
	// providers.<kind>.options.<option> for an option.
	Key string
	Err error
}

// Error implements error: "key: message".
func (p Problem) Error() string { return p.Key + ": " + p.Err.Error() }

// Unwrap returns the cause.
func (p Problem) Unwrap() error { return p.Err }

// Problems is CheckAgent's check, one Problem each, for the agent's
// providers of kinds (every provider it has when none are given).
func (h *Host) Problems(ctx context.Context, s *agent.Spec, kinds ...provider.Kind) []Problem {
	var out []Problem
	for _, u := range uses(s) {
		if len(kinds) == 0 || slices.Contains(kinds, u.kind) {
			out = append(out, h.checkUse(ctx, s, u)...)
		}
	}
	return out
}

func (h *Host) checkUse(ctx context.Context, s *agent.Spec, u use) []Problem {
	key := "providers." + string(u.kind)
	fail := func(err error) []Problem { return []Problem{{Kind: u.kind, Key: key, Err: err}} }
	p, err := h.Plugin(u.ref.Plugin, filepath.Dir(s.File))
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.StartTimeout)
	defer cancel()
	conn, err := p.WaitHealthy(ctx)
	if err != nil {
		return fail(err)
	}
	if !conn.Serves(u.kind) {
		return fail(fmt.Errorf("plugin %s does not serve %s (it serves %v)", p.name, u.kind, conn.Description.Kinds))
	}
	if !conn.Description.SupportsLanguage(string(s.Language)) {
		return fail(fmt.Errorf("plugin %s does not support %s (it supports %s)", p.name, s.Language, strings.Join(conn.Description.Languages, ", ")))
	}
	problems, err := conn.Validator.ValidateOptions(ctx, provider.ValidateRequest{
		Kind: u.kind, Options: u.ref.Options, Language: string(s.Language), Voice: s.Voice,
	})
	if err != nil {
		return fail(fmt.Errorf("plugin %s could not check its options: %w", p.name, err))
	}
	var out []Problem
	for _, pr := range problems {
		k, msg := key, pr.Message
		if pr.Option != "" {
			k += ".options." + pr.Option
		}
		out = append(out, Problem{Kind: u.kind, Key: k, Err: errors.New(msg)})
	}
	return out
}
