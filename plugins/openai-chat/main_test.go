package main

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is the API key of the tests; it must never show up in an error
// or a log line.
const testKey = "sk-test-9f8e7d6c5b4a39281706SECRET"

// fixture is a plugin connected in-process to a fake OpenAI server.
type fixture struct {
	srv    *oaifake.Server
	client *provider.Client
	logs   *oaifake.Logs
}

func newFixture(t *testing.T, env oaifake.Env) *fixture {
	t.Helper()
	srv := oaifake.New(t)
	log, logs := oaifake.NewLogger(name)
	c := newChat(log)
	if env == nil {
		env = oaifake.Env{"TEST_OPENAI_KEY": testKey}
	}
	c.backend.Getenv = env.Getenv
	c.backend.Backoff = 20 * time.Millisecond
	t.Cleanup(c.backend.CloseIdleConnections)
	client := providertest.Connect(t, provider.ServeConfig{Name: name, Version: version, Chat: c, Validator: c})
	return &fixture{srv: srv, client: client, logs: logs}
}

// opts are options pointing at the fake, with extra ones on top.
func (f *fixture) opts(extra provider.Options) provider.Options {
	o := provider.Options{"base_url": f.srv.URL, "api_key_env": "TEST_OPENAI_KEY"}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// complete runs one completion to its end.
func (f *fixture) complete(ctx context.Context, opts provider.Options, msgs ...provider.Message) ([]provider.ChatDelta, error) {
	if len(msgs) == 0 {
		msgs = []provider.Message{{Role: provider.RoleUser, Content: "hi"}}
	}
	st, err := f.client.Chat.Complete(ctx, provider.ChatRequest{SystemPrompt: "Be brief.", Messages: msgs, Language: "en", Options: opts})
	if err != nil {
		return nil, err
	}
	return provider.Collect(st)
}
