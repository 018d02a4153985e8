package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/provider"
)

// Defaults of the options.
const (
	defaultSTTFinal       = 100 * time.Millisecond
	defaultChatFirstToken = 200 * time.Millisecond
	defaultTTSFirstAudio  = 50 * time.Millisecond
	defaultCharDuration   = 60 * time.Millisecond
	defaultText           = "What are your opening hours?"
	defaultReply          = "We are open from nine to six. Is there anything else?"
	maxDelay              = 10 * time.Second
)

// sttOptions are providers.stt.options.
type sttOptions struct {
	Final time.Duration // stt_final: EndUtterance -> final transcript
	Text  string        // text: the final transcript of every utterance
}

// chatOptions are providers.chat.options.
type chatOptions struct {
	FirstToken time.Duration // chat_first_token: request -> first sentence
	Reply      string        // reply: the answer to everything
}

// ttsOptions are providers.tts.options.
type ttsOptions struct {
	FirstAudio   time.Duration // tts_first_audio: request -> first chunk
	CharDuration time.Duration // char_duration: audio per character of text
}

// parser collects every problem of an options map with its key.
type parser struct {
	opts     map[string]any
	problems []provider.OptionProblem
}

func (p *parser) add(key, format string, args ...any) {
	p.problems = append(p.problems, provider.OptionProblem{Option: key, Message: fmt.Sprintf(format, args...)})
}

// known reports the keys of the options that are not in keys.
func (p *parser) known(keys ...string) {
	for _, k := range slices.Sorted(maps.Keys(p.opts)) {
		if !slices.Contains(keys, k) {
			p.add(k, "unknown option (known: %s)", strings.Join(keys, ", "))
		}
	}
}

// duration reads a Go duration string ("150ms") between 0 and maxDelay.
func (p *parser) duration(key string, def, lowest time.Duration) time.Duration {
	raw, ok := p.opts[key]
	if !ok {
		return def
	}
	s, isText := raw.(string)
	d, err := time.ParseDuration(s)
	if !isText || err != nil || d < lowest || d > maxDelay {
		p.add(key, "must be a duration such as 150ms, from %s to %s, not %v", lowest, maxDelay, raw)
		return def
	}
	return d
}

// text reads a non-blank string.
func (p *parser) text(key, def string) string {
	raw, ok := p.opts[key]
	if !ok {
		return def
	}
	s, isText := raw.(string)
	if !isText || strings.TrimSpace(s) == "" {
		p.add(key, "must be non-empty text, not %v", raw)
		return def
	}
	return s
}

func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	msgs := make([]string, len(p.problems))
	for i, pr := range p.problems {
		msgs[i] = pr.String()
	}
	return fmt.Errorf("%w: %s", provider.ErrInvalidOptions, strings.Join(msgs, "; "))
}

func parseSTT(opts provider.Options) (sttOptions, *parser) {
	p := &parser{opts: opts}
	p.known("stt_final", "text")
	return sttOptions{Final: p.duration("stt_final", defaultSTTFinal, 0), Text: p.text("text", defaultText)}, p
}

func parseChat(opts provider.Options) (chatOptions, *parser) {
	p := &parser{opts: opts}
	p.known("chat_first_token", "reply")
	return chatOptions{FirstToken: p.duration("chat_first_token", defaultChatFirstToken, 0), Reply: p.text("reply", defaultReply)}, p
}

func parseTTS(opts provider.Options) (ttsOptions, *parser) {
	p := &parser{opts: opts}
	p.known("tts_first_audio", "char_duration")
	return ttsOptions{
		FirstAudio:   p.duration("tts_first_audio", defaultTTSFirstAudio, 0),
		CharDuration: p.duration("char_duration", defaultCharDuration, time.Millisecond),
	}, p
}

// validator checks the options of each kind when an agent loads.
type validator struct{}

var _ provider.Validator = validator{}

func (validator) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	var p *parser
	switch req.Kind {
	case provider.KindSTT:
		_, p = parseSTT(req.Options)
	case provider.KindChat:
		_, p = parseChat(req.Options)
	case provider.KindTTS:
		_, p = parseTTS(req.Options)
	default:
		p = &parser{opts: req.Options}
		p.known()
	}
	return p.problems, nil
}
