// Command openai-stt is the speech-to-text provider plugin for OpenAI's
// Whisper API and any OpenAI-compatible transcription server. Streams are
// buffered per utterance and transcribed at its end: no partial results.
//
// Options (providers.stt.options):
//
//	base_url, api_key_env, timeout, max_retries   as for every OpenAI plugin
//	model       default whisper-1
//	language    ko, en or auto (default: the agent's language; auto lets
//	            Whisper detect it)
//	prompt      text that guides the transcription (names, terms)
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

const (
	name    = "openai-stt"
	version = "1.0.0"
)

func main() {
	s := newSTT(provider.Logger(name))
	if err := provider.Serve(provider.ServeConfig{Name: name, Version: version, STT: s, Validator: s}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
