package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// The options an agent sets under providers.tts.options. All are optional:
//
//	engine: espeak (default; English and Korean, 22.05 kHz) or flite (US English only, 16 kHz, more natural)
//	rate:   speed in words per minute, 80..450 (default: the voice's, about 175)
//	pitch:  base pitch 0..100, 50 normal (default: the voice's)
//
// The voice is the agent's voice: one of alloy, echo, fable, onyx, nova,
// shimmer (voices.go), or flite's own slt, rms, awb, kal with engine flite.
const (
	optEngine = "engine"
	optRate   = "rate"
	optPitch  = "pitch"
)

var knownOptions = []string{optEngine, optRate, optPitch}

// engine is a synthesiser.
type engine string

// The engines.
const (
	engineEspeak engine = "espeak"
	engineFlite  engine = "flite"
)

// options are the parsed options; rate 0 and pitch -1 mean the voice's.
type options struct {
	engine engine
	rate   int
	pitch  int
}

// parseOptions reads an agent's options and reports every problem in them.
func parseOptions(o provider.Options) (options, []provider.OptionProblem) {
	out := options{engine: engineEspeak, pitch: -1}
	var problems []provider.OptionProblem
	bad := func(opt, format string, a ...any) {
		problems = append(problems, provider.OptionProblem{Option: opt, Message: fmt.Sprintf(format, a...)})
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := o[k]
		switch k {
		case optEngine:
			s, _ := v.(string)
			switch e := engine(strings.ToLower(s)); e {
			case engineEspeak, engineFlite:
				out.engine = e
			default:
				bad(k, "must be %s or %s", engineEspeak, engineFlite)
			}
		case optRate:
			n, ok := integer(v)
			if !ok || n < 80 || n > 450 {
				bad(k, "must be a whole number of words per minute from 80 to 450")
				continue
			}
			out.rate = n
		case optPitch:
			n, ok := integer(v)
			if !ok || n < 0 || n > 100 {
				bad(k, "must be a whole number from 0 to 100 (50 is normal)")
				continue
			}
			out.pitch = n
		default:
			bad(k, "unknown option (known: %s)", strings.Join(knownOptions, ", "))
		}
	}
	return out, problems
}

// integer reads a whole number (JSON numbers arrive as float64).
func integer(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		if n != math.Trunc(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return int(n), true
	default:
		return 0, false
	}
}
