package sphinx

// #cgo pkg-config: pocketsphinx sphinxbase
// #include <sphinxbase/err.h>
// void parley_sphinx_route_log(void);
import "C"

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Level is the severity of a pocketsphinx log line.
type Level int

// The levels that reach a LogFunc; pocketsphinx's INFO and DEBUG lines are
// dropped.
const (
	LevelUnknown Level = iota
	LevelWarn
	LevelError
	LevelFatal
)

// String names the level.
func (l Level) String() string {
	switch l {
	case LevelWarn:
		return "warn"
	case LevelError:
		return "error"
	case LevelFatal:
		return "fatal"
	default:
		return "unknown"
	}
}

// LogFunc receives pocketsphinx's warnings and errors, one line each.
type LogFunc func(level Level, msg string)

var (
	logFunc   atomic.Pointer[LogFunc]
	routeOnce sync.Once
)

// SetLogger sends pocketsphinx's warnings and errors to f instead of
// standard error. It applies process-wide, because pocketsphinx's logger is
// global.
func SetLogger(f LogFunc) {
	if f == nil {
		logFunc.Store(nil)
		return
	}
	logFunc.Store(&f)
}

// routeLog replaces pocketsphinx's logger (every line to stderr) with ours,
// once, before the first decoder is made.
func routeLog() { routeOnce.Do(func() { C.parley_sphinx_route_log() }) }

//export goSphinxLog
func goSphinxLog(level C.int, msg *C.char) {
	text := strings.TrimSpace(C.GoString(msg))
	if text == "" || isNoise(text) {
		return
	}
	l := LevelUnknown
	switch level {
	case C.ERR_WARN:
		l = LevelWarn
	case C.ERR_ERROR:
		l = LevelError
	case C.ERR_FATAL:
		l = LevelFatal
	}
	if f := logFunc.Load(); f != nil {
		(*f)(l, text)
		return
	}
	fmt.Fprintf(os.Stderr, "pocketsphinx %s: %s\n", l, text)
}

// isNoise tells the error lines that are not errors apart: pocketsphinx
// reports an utterance in which its voice activity detector found no
// speech (any silent turn) as an ERROR.
func isNoise(msg string) bool {
	return strings.Contains(msg, "Couldn't find <s> in first frame")
}
