// Command fakeprovider is a provider plugin for benchmarks: it serves STT,
// chat, TTS and sentiment with fixed, known latencies (set by options in
// the agent file), so that what a benchmark measures beyond them is the
// runtime's own time. The runtime starts it; agents name it by path:
//
//	providers:
//	  stt:  {plugin: ../../bin/plugins/fakeprovider, options: {stt_final: 100ms, text: What are your opening hours?}}
//	  chat: {plugin: ../../bin/plugins/fakeprovider, options: {chat_first_token: 200ms, reply: We open at nine. ...}}
//	  tts:  {plugin: ../../bin/plugins/fakeprovider, options: {tts_first_audio: 50ms, char_duration: 60ms}}
//
// STT answers a partial every half second of audio and the final text
// exactly stt_final after EndUtterance. Chat sends the reply's first
// sentence (with the space after it, so the runtime's chunker knows it
// ended) as its first token after chat_first_token, then the rest at once.
// TTS sends its first chunk after tts_first_audio, then the rest as fast
// as the runtime takes it: a 16 kHz voiced tone with a syllable envelope,
// char_duration per character of text. Sentiment answers neutral at once.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := provider.Serve(provider.ServeConfig{
		Name: "fakeprovider", Version: version,
		STT: stt{}, Chat: chat{}, TTS: tts{}, Sentiment: sentiment{}, Validator: validator{},
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
