package main

import (
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey must never show up in an error or a log line.
const testKey = "sk-test-0a1b2c3d4e5f60718293SECRET"

type fixture struct {
	srv    *oaifake.Server
	stt    *stt
	client *provider.Client
	logs   *oaifake.Logs
}

func newFixture(t *testing.T, env oaifake.Env) *fixture {
	t.Helper()
	srv := oaifake.New(t)
	log, logs := oaifake.NewLogger(name)
	s := newSTT(log)
	if env == nil {
		env = oaifake.Env{"TEST_OPENAI_KEY": testKey}
	}
	s.backend.Getenv = env.Getenv
	s.backend.Backoff = 20 * time.Millisecond
	t.Cleanup(s.backend.CloseIdleConnections)
	client := providertest.Connect(t, provider.ServeConfig{Name: name, Version: version, STT: s, Validator: s})
	return &fixture{srv: srv, stt: s, client: client, logs: logs}
}

func (f *fixture) opts(extra provider.Options) provider.Options {
	o := provider.Options{"base_url": f.srv.URL, "api_key_env": "TEST_OPENAI_KEY"}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// tone is d of a 440 Hz tone at rate.
func tone(d time.Duration, rate int) []int16 {
	n := int(d.Seconds() * float64(rate))
	pcm := make([]int16, n)
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
	}
	return pcm
}
