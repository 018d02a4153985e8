// Package flite wraps the flite C library (Debian flite1-dev) with its
// US English voices slt, rms, awb and kal: text in, 16 kHz 16-bit mono PCM
// out, streamed piece by piece through flite's audio streaming callback.
//
// flite is not documented as thread-safe (its lexicon and voices are
// shared): Synthesize runs one synthesis at a time, per sentence, and
// concurrent calls take turns between sentences.
package flite

/*
#cgo LDFLAGS: -lflite_cmu_us_slt -lflite_cmu_us_rms -lflite_cmu_us_awb -lflite_cmu_us_kal16 -lflite_usenglish -lflite_cmulex -lflite -lm
#include <stdint.h>
#include <stdlib.h>
#include <flite/flite.h>

cst_voice *parley_flite_voice(const char *name);
int parley_flite_synth(cst_voice *v, const char *text, uintptr_t job, int min_samples, float speed, float pitch);
*/
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// SampleRate is the rate of every voice's audio.
const SampleRate = 16000

// chunkSamples is the smallest piece of audio the callback gets (50 ms).
const chunkSamples = SampleRate / 20

// NormalRate is flite's speed in words per minute, roughly.
const NormalRate = 175

// Voices are the voices linked in: slt (female), rms and awb (male,
// awb Scottish), kal (male, diphone, more robotic).
var Voices = []string{"slt", "rms", "awb", "kal"}

// Voice is how to speak.
type Voice struct {
	Name string // one of Voices
	// Rate is the speed in words per minute; 0 keeps NormalRate.
	Rate int
	// Pitch multiplies the voice's mean pitch; 0 keeps it.
	Pitch float64
}

// sem serialises use of the library; a channel so that waiting can end
// with the context.
var sem = make(chan struct{}, 1)

// voices are the loaded voices, by name; guarded by sem.
var voices = map[string]*C.cst_voice{}

// job is one synthesis, reached from the C callback through a cgo.Handle.
type job struct {
	ctx  context.Context
	emit func([]int16) error
	err  error // why the synthesis was stopped
}

// Synthesize speaks text with v, sentence by sentence, calling emit with
// each piece of audio as flite produces it (at SampleRate); emit owns the
// slice. Cancelling ctx or an error from emit stops the synthesis at its
// next piece and is returned.
func Synthesize(ctx context.Context, text string, v Voice, emit func([]int16) error) error {
	if !known(v.Name) {
		return fmt.Errorf("%w: %q (flite has %v)", ErrVoice, v.Name, Voices)
	}
	for _, s := range Sentences(text) {
		if err := synthesize(ctx, s, v, emit); err != nil {
			return err
		}
	}
	return nil
}

func known(name string) bool {
	for _, n := range Voices {
		if n == name {
			return true
		}
	}
	return false
}

// synthesize speaks one sentence.
func synthesize(ctx context.Context, sentence string, v Voice, emit func([]int16) error) error {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	voice, err := load(v.Name)
	if err != nil {
		return err
	}
	speed, pitch := 1.0, 1.0
	if v.Rate > 0 {
		speed = float64(v.Rate) / NormalRate
	}
	if v.Pitch > 0 {
		pitch = v.Pitch
	}
	j := &job{ctx: ctx, emit: emit}
	h := cgo.NewHandle(j)
	defer h.Delete()
	ctext := C.CString(sentence)
	defer C.free(unsafe.Pointer(ctext))
	rc := C.parley_flite_synth(voice, ctext, C.uintptr_t(h), chunkSamples, C.float(speed), C.float(pitch))
	if j.err != nil {
		return j.err
	}
	if rc != 0 {
		return fmt.Errorf("%w: %q", ErrSynth, sentence)
	}
	return nil
}

// load returns a voice, loading it on first use; the caller holds sem.
func load(name string) (*C.cst_voice, error) {
	if v, ok := voices[name]; ok {
		return v, nil
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	v := C.parley_flite_voice(cname)
	if v == nil {
		return nil, fmt.Errorf("%w: %q does not load", ErrVoice, name)
	}
	voices[name] = v
	return v, nil
}
