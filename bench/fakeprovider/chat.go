package main

import (
	"context"

	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/runtime/provider"
)

// chat answers everything with the same reply.
type chat struct{}

var _ provider.Chat = chat{}

func (chat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	o, p := parseChat(req.Options)
	if err := p.err(); err != nil {
		return nil, err
	}
	first, rest := splitFirstSentence(o.Reply)
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		if err := ctxtime.Sleep(ctx, o.FirstToken); err != nil {
			return err
		}
		if err := send(provider.ChatDelta{Text: first}); err != nil {
			return err
		}
		if rest == "" {
			return nil
		}
		return send(provider.ChatDelta{Text: rest})
	}), nil
}

// splitFirstSentence cuts s after its first sentence and the space that
// follows it: a sentence ends for the runtime's chunker only once the
// character after its mark is known, so the first token carries it.
func splitFirstSentence(s string) (first, rest string) {
	for i := 0; i+1 < len(s); i++ {
		switch s[i] {
		case '.', '!', '?':
			if s[i+1] == ' ' {
				return s[:i+2], s[i+2:]
			}
		}
	}
	return s, ""
}
