package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"time"
)

// bargeLogEnv are the settings -mode taking gives the runtimes it spawns:
// JSON logs at debug level, for the pipeline's "barge-in" lines (when the
// runtime decided to stop the agent).
var bargeLogEnv = []string{"PARLEY_LOG_LEVEL=debug", "PARLEY_LOG_FORMAT=json"}

// maxLogLine bounds one line of the runtime's log as read here.
const maxLogLine = 1 << 20

// bargeLine is one "barge-in" line of the runtime's log: when it was
// written (after the reply was cancelled, its audio flushed and the
// interrupted event sent), and After, from the reply's first packet to
// the arrival of the caller's frame that decided the barge-in.
type bargeLine struct {
	At    time.Time
	After time.Duration
}

// bargeIns returns the runtime's "barge-in" log lines by call id, in
// order. Lines that are not the runtime's JSON are skipped.
func bargeIns(r io.Reader) (map[string][]bargeLine, error) {
	out := map[string][]bargeLine{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLogLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
			Call string    `json:"call"`
			// slog writes a time.Duration as nanoseconds.
			After int64 `json:"after"`
		}
		if json.Unmarshal(line, &l) != nil || l.Msg != "barge-in" || l.Call == "" {
			continue
		}
		out[l.Call] = append(out[l.Call], bargeLine{At: l.Time, After: time.Duration(l.After)})
	}
	return out, sc.Err()
}

// readBargeIns reads the barge-in lines of the log file at path (none
// when path is empty: a runtime not spawned here).
func readBargeIns(path string) (map[string][]bargeLine, error) {
	if path == "" {
		return map[string][]bargeLine{}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return bargeIns(f)
}

// firstBetween returns the first of ls written in [from, to].
func firstBetween(ls []bargeLine, from, to time.Time) (bargeLine, bool) {
	for _, l := range ls {
		if !l.At.Before(from) && !l.At.After(to) {
			return l, true
		}
	}
	return bargeLine{}, false
}
