// Command scripted is the offline chat provider plugin: a deterministic
// dialog read from the agent's providers.chat.options. The caller's last
// words are matched against each intent's keywords (exactly, as phrases,
// or fuzzily, since speech recognisers garble words) and the best intent's
// reply is streamed back; a fallback answers anything else, and a hang-up
// intent ends the call. The runtime starts it; run by hand it only says so.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	c := newChat()
	if err := provider.Serve(provider.ServeConfig{Name: "scripted", Version: version, Chat: c, Validator: c}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
