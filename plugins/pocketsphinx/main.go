// Command pocketsphinx is the offline speech-to-text plugin: US English
// recognised on this machine by pocketsphinx (Debian libpocketsphinx-dev
// and pocketsphinx-en-us), with no network. options.go lists what an agent
// can set.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

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
	limit, err := maxStreams()
	if err != nil {
		return err
	}
	stt := newRecognizer(provider.Logger("pocketsphinx"))
	defer stt.Close()
	stt.Warm()
	return provider.Serve(provider.ServeConfig{Name: "pocketsphinx", Version: version, STT: stt, Validator: stt, MaxStreams: limit, Languages: []string{language}})
}

// streamsPerCore is how many live calls one core recognises in time. A
// caller who talks three quarters of the time costs pocketsphinx 16-23 %
// of a core, measured with bench/callload on the default agent
// (bench/RESULTS.md, "Admission and overload"); three per core leave
// about a third of the core to the runtime's media and the other plugins.
const streamsPerCore = 3

// maxStreamsEnv overrides the declared limit (1-10000), for a machine
// whose callers talk less, or whose cores are faster, than measured.
const maxStreamsEnv = "POCKETSPHINX_MAX_STREAMS"

// maxStreams is the stream limit the plugin declares: past it the runtime
// refuses new calls rather than let every call's replies fall behind.
func maxStreams() (int, error) {
	v := os.Getenv(maxStreamsEnv)
	if v == "" {
		return streamsPerCore * runtime.GOMAXPROCS(0), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, fmt.Errorf("%s=%q: want a whole number from 1 to 10000", maxStreamsEnv, v)
	}
	return n, nil
}
