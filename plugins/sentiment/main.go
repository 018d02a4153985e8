// Command sentiment is the sentiment provider plugin: it scores a caller's
// words offline with a lexicon (VADER for English, a lexicon of our own for
// Korean), or, in llm mode, with a chat model. The runtime starts it; run
// by hand it only says so.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	a := newAnalyzer()
	if err := provider.Serve(provider.ServeConfig{Name: "sentiment", Version: version, Sentiment: a, Validator: a}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
