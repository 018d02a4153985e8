package main

import (
	"context"
	"sync"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/webhook"
)

// settledConversations tells settle when each call's conversation has
// stopped (and so stored its last turns), for the call-ended webhook.
type settledConversations struct {
	inner  live.Conversations
	settle *webhook.Settle
}

// Start implements live.Conversations.
func (s settledConversations) Start(ctx context.Context, c *call.Call, spec *agent.Spec, line live.Line) (live.Conversation, error) {
	done := s.settle.Begin(c.ID)
	conv, err := s.inner.Start(ctx, c, spec, line)
	if err != nil {
		done()
		return nil, err
	}
	return &settledConversation{Conversation: conv, done: done}, nil
}

type settledConversation struct {
	live.Conversation
	once sync.Once
	done func()
}

// Close implements live.Conversation: the inner Close returns once the
// conversation's turns are stored.
func (c *settledConversation) Close() {
	c.Conversation.Close()
	c.once.Do(c.done)
}
