// Package provider is the contract between the runtime and its provider
// plugins: the Go interfaces of the four capabilities (STT, Chat, TTS,
// Sentiment) with plain Go types, the gRPC shims that carry them across a
// process boundary (proto/v1), the go-plugin handshake and plugin sets, and
// Serve, which turns a few lines of main into a plugin binary.
//
// Every method takes a context: cancelling it stops the work promptly and
// makes the method (or the stream's Recv) return the context's error.
// Streams are closed by the caller; Close is safe to call more than once.
//
// Audio crosses the contract as pcm.Audio (runtime/pcm). A plugin links
// this package, pcm and the generated proto code, nothing else of the
// runtime: the catalog of built-in plugins and the agent checks live in
// provider/host.
package provider

import (
	"context"
	"fmt"
)

// Kind is a capability a provider serves.
type Kind string

// The capabilities.
const (
	KindSTT       Kind = "stt"
	KindChat      Kind = "chat"
	KindTTS       Kind = "tts"
	KindSentiment Kind = "sentiment"
)

// Kinds lists every capability in a stable order.
func Kinds() []Kind { return []Kind{KindSTT, KindChat, KindTTS, KindSentiment} }

// ParseKind reads a capability name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown provider kind %q", s)
}

// Options are an agent's free-form options for one provider
// (providers.<kind>.options in the agent YAML).
type Options map[string]any

// Description names a plugin and what it serves.
type Description struct {
	Name    string
	Version string
	Kinds   []Kind
	// MaxStreams is how many calls at once the plugin serves well; the
	// runtime refuses calls past it. 0 means no limit (and is what a
	// plugin built before the field existed reports).
	MaxStreams int
	// Languages are the languages the plugin serves, as BCP-47 tags: a
	// base language (en) covers all its regions. Empty means any language
	// (and is what a plugin built before the field reports).
	Languages []string
}

// ValidateRequest is what a plugin checks when an agent that uses it loads.
type ValidateRequest struct {
	Kind     Kind
	Options  Options
	Language string // the agent's language: a BCP-47 tag (en, pt-BR ...) or auto
	Voice    string // the agent's voice, for TTS
}

// OptionProblem is one invalid option.
type OptionProblem struct {
	Option  string // dotted key within options, e.g. "model"
	Message string
}

// String implements fmt.Stringer: "options.model: must be a string".
func (p OptionProblem) String() string {
	if p.Option == "" {
		return p.Message
	}
	return "options." + p.Option + ": " + p.Message
}

// Validator checks options. A plugin returns every problem it finds; an
// empty slice means the options are valid.
type Validator interface {
	ValidateOptions(ctx context.Context, req ValidateRequest) ([]OptionProblem, error)
}
