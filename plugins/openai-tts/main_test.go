package main

import (
	"encoding/binary"
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
const testKey = "sk-test-77aa66bb55cc44dd33eeSECRET"

type fixture struct {
	srv    *oaifake.Server
	client *provider.Client
	logs   *oaifake.Logs
}

func newFixture(t *testing.T, env oaifake.Env) *fixture {
	t.Helper()
	srv := oaifake.New(t)
	log, logs := oaifake.NewLogger(name)
	s := newTTS(log)
	if env == nil {
		env = oaifake.Env{"TEST_OPENAI_KEY": testKey}
	}
	s.backend.Getenv = env.Getenv
	s.backend.Backoff = 20 * time.Millisecond
	t.Cleanup(s.backend.CloseIdleConnections)
	client := providertest.Connect(t, provider.ServeConfig{Name: name, Version: version, TTS: s, Validator: s})
	return &fixture{srv: srv, client: client, logs: logs}
}

func (f *fixture) opts(extra provider.Options) provider.Options {
	o := provider.Options{"base_url": f.srv.URL, "api_key_env": "TEST_OPENAI_KEY"}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// tonePCM is d of a 440 Hz tone at rate, as samples and as wire bytes.
func tonePCM(d time.Duration, rate int) ([]int16, []byte) {
	n := int(d.Seconds() * float64(rate))
	pcm := make([]int16, n)
	b := make([]byte, 0, 2*n)
	for i := range pcm {
		pcm[i] = int16(12000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		b = binary.LittleEndian.AppendUint16(b, uint16(pcm[i]))
	}
	return pcm, b
}
