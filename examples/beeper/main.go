// Command beeper is the example third-party plugin of docs/plugins.md: a
// text-to-speech provider that beeps once per character.
package main

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

type beeper struct{}

func (beeper) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		for range req.Text { // one 50 ms beep per character, each sent as soon as it is made
			beep := make([]int16, 800)
			for i := range beep {
				beep[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/16000))
			}
			if err := send(pcm.Audio{Samples: beep, Rate: 16000}); err != nil {
				return err // the runtime cancelled: stop
			}
		}
		return nil
	}), nil
}

func main() {
	if err := provider.Serve(provider.ServeConfig{Name: "beeper", Version: "1.0.0", TTS: beeper{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
