// Command pocketsphinx is the offline speech-to-text plugin: US English
// recognised on this machine by pocketsphinx (Debian libpocketsphinx-dev
// and pocketsphinx-en-us), with no network. options.go lists what an agent
// can set.
package main

import (
	"fmt"
	"os"
	"runtime"

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
	return provider.Serve(provider.ServeConfig{Name: "pocketsphinx", Version: version, STT: stt, Validator: stt, MaxStreams: maxStreams()})
}

// streamsPerCore is how many live calls one core recognises in time. A
// caller who talks three quarters of the time costs pocketsphinx about a
// sixth of a core, measured with bench/callload on the default agent
// (bench/RESULTS.md, "Admission and overload"); four per core leave a
// third of the core to the runtime's media and the other plugins.
const streamsPerCore = 4

// maxStreams is the stream limit the plugin declares: past it the runtime
// refuses new calls rather than let every call's replies fall behind.
func maxStreams() int { return streamsPerCore * runtime.GOMAXPROCS(0) }
