package textcall

import (
	"context"
	"path/filepath"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
)

// Start returns the agent's chat and sentiment providers from h once their
// plugins have started and accepted the agent's options; otherwise the
// problems. Text needs no speech: the STT and TTS plugins are not started.
func Start(ctx context.Context, h *host.Host, spec *agent.Spec) (Providers, []host.Problem) {
	kinds := []provider.Kind{provider.KindChat}
	if spec.Providers.Sentiment != nil {
		kinds = append(kinds, provider.KindSentiment)
	}
	if ps := h.Problems(ctx, spec, kinds...); len(ps) > 0 {
		return Providers{}, ps
	}
	var out Providers
	base := filepath.Dir(spec.File)
	p, err := h.Plugin(spec.Providers.Chat.Plugin, base)
	if err != nil {
		return Providers{}, []host.Problem{{Kind: provider.KindChat, Key: "providers.chat", Err: err}}
	}
	out.Chat = p.Chat()
	if ref := spec.Providers.Sentiment; ref != nil {
		p, err := h.Plugin(ref.Plugin, base)
		if err != nil {
			return Providers{}, []host.Problem{{Kind: provider.KindSentiment, Key: "providers.sentiment", Err: err}}
		}
		out.Sentiment = p.Sentiment()
	}
	return out, nil
}
