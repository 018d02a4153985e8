// Command openai-tts is the text-to-speech provider plugin for OpenAI's
// speech API and any OpenAI-compatible speech server: it streams raw PCM as
// it arrives.
//
// Options (providers.tts.options):
//
//	base_url, api_key_env, timeout, max_retries   as for every OpenAI plugin
//	model        default tts-1 (tts-1-hd, or any name a compatible server knows)
//	voice        overrides the agent's voice; on OpenAI one of alloy, echo,
//	             fable, onyx, nova, shimmer (default alloy)
//	speed        0.25 to 4.0 (default: the server's, 1.0)
//	sample_rate  rate of the server's pcm (default 24000, OpenAI's)
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

const (
	name    = "openai-tts"
	version = "1.0.0"
)

func main() {
	t := newTTS(provider.Logger(name))
	if err := provider.Serve(provider.ServeConfig{Name: name, Version: version, TTS: t, Validator: t}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
