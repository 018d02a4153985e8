// Command pocketsphinx is the offline speech-to-text plugin: US English
// recognised on this machine by pocketsphinx (Debian libpocketsphinx-dev
// and pocketsphinx-en-us), with no network. options.go lists what an agent
// can set.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

var version = "dev"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	stt := newRecognizer(provider.Logger("pocketsphinx"))
	defer stt.Close()
	stt.Warm()
	return provider.Serve(provider.ServeConfig{Name: "pocketsphinx", Version: version, STT: stt, Validator: stt})
}
