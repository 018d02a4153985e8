// Command espeak is the offline text-to-speech plugin: espeak-ng (English,
// Korean and the hundred or so other languages of its voices, Debian
// libespeak-ng-dev) or, with the option engine: flite,
// flite's more natural US English voices (Debian flite1-dev), both through
// their C libraries, with no network. options.go lists what an agent can
// set; voices.go how the OpenAI voice names sound.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

var version = "dev"

func main() {
	tts := &speaker{}
	_, langs := voiceLanguages()
	if err := provider.Serve(provider.ServeConfig{Name: "espeak", Version: version, TTS: tts, Validator: tts, Languages: langs}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
