package live

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
)

// ProviderSource gives the providers of an agent; *host.Host implements it.
type ProviderSource interface {
	For(*agent.Spec) (host.Providers, error)
}

// Greeter is the simplest Conversations: the agent speaks its greeting
// through its TTS provider and counts what the caller says. The
// conversation loop replaces it.
type Greeter struct {
	providers ProviderSource
	log       *slog.Logger
}

// NewGreeter returns a Greeter speaking through providers.
func NewGreeter(providers ProviderSource, log *slog.Logger) *Greeter {
	if log == nil {
		log = slog.Default()
	}
	return &Greeter{providers: providers, log: log}
}

// Start speaks spec's greeting on the line.
func (g *Greeter) Start(ctx context.Context, c *call.Call, spec *agent.Spec, line Line) (Conversation, error) {
	prov, err := g.providers.For(spec)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	gr := &greeting{cancel: cancel}
	if spec.Greeting == "" {
		return gr, nil
	}
	gr.wg.Add(1)
	go func() {
		defer gr.wg.Done()
		if err := Speak(ctx, prov.TTS, spec, spec.Greeting, line.Player); err != nil && !errors.Is(err, context.Canceled) {
			g.log.Error("greeting failed", "call", c.ID, "agent", spec.Name, "err", err)
		}
	}()
	return gr, nil
}

// greeting is the Conversation of a Greeter.
type greeting struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	frames atomic.Int64
}

func (g *greeting) WriteFrame([]int16) { g.frames.Add(1) }

func (g *greeting) Close() {
	g.cancel()
	g.wg.Wait()
}

// Speak synthesises text with tts in spec's voice and queues each chunk on
// out as it arrives, so playing starts with the first chunk.
func Speak(ctx context.Context, tts provider.TTS, spec *agent.Spec, text string, out *media.Player) error {
	st, err := tts.Synthesize(ctx, provider.TTSRequest{Text: text, Voice: spec.Voice, Language: string(spec.Language), Options: spec.Providers.TTS.Options})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(chunk.PCM) == 0 {
			continue
		}
		if err := out.Enqueue(audio.PCM{Samples: chunk.PCM, Rate: chunk.SampleRate}); err != nil {
			return err
		}
	}
}
