// Package espeakng wraps the espeak-ng C library (Debian libespeak-ng-dev)
// through its callback API: text in, 16-bit mono PCM out, piece by piece
// while it is synthesised.
//
// espeak-ng keeps global state and is not thread-safe: Synthesize runs one
// synthesis at a time, and concurrent calls queue (in no particular order)
// until theirs can start or their context ends.
package espeakng

/*
#cgo pkg-config: espeak-ng
#include <stdint.h>
#include <stdlib.h>
#include <espeak-ng/speak_lib.h>

int parley_espeak_init(int buflength_ms);
int parley_espeak_synth(const char *text, size_t size, uintptr_t job);
*/
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// chunkMillis is the longest piece of audio the callback gets: short
// enough that the first audio leaves at once, long enough to keep the
// number of pieces (gRPC messages) low.
const chunkMillis = 60

// Voice is how to speak.
type Voice struct {
	// Name is an espeak-ng voice, optionally with a variant: "en-us",
	// "en-gb+f2", "ko+m3".
	Name string
	// Rate is the speed in words per minute, 80..450; 0 keeps 175.
	Rate int
	// Pitch is the base pitch, 0..100 (50 normal); -1 keeps the voice's.
	Pitch int
	// Range is the pitch range (intonation), 0..100 (50 normal); -1 keeps
	// the voice's.
	Range int
}

var (
	// sem serialises use of the library; a channel so that waiting can
	// end with the context.
	sem = make(chan struct{}, 1)

	initOnce sync.Once
	rate     int
	initErr  error
)

// start initialises the library once.
func start() error {
	initOnce.Do(func() {
		r := int(C.parley_espeak_init(chunkMillis))
		if r <= 0 {
			initErr = fmt.Errorf("%w: espeak_Initialize failed (is espeak-ng-data installed?)", ErrInit)
			return
		}
		rate = r
	})
	return initErr
}

// SampleRate is the rate of the audio Synthesize emits (22050 Hz for
// espeak-ng's own voices).
func SampleRate() (int, error) {
	if err := start(); err != nil {
		return 0, err
	}
	return rate, nil
}

// job is one synthesis, reached from the C callback through a cgo.Handle.
type job struct {
	ctx  context.Context
	emit func([]int16) error
	err  error // why the synthesis was aborted
}

// Synthesize speaks text (UTF-8) with v, calling emit with each piece of
// audio as espeak-ng produces it (at SampleRate); emit owns the slice.
// Cancelling ctx or an error from emit aborts the synthesis at its next
// piece and is returned.
func Synthesize(ctx context.Context, text string, v Voice, emit func([]int16) error) error {
	if err := start(); err != nil {
		return err
	}
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := setVoice(v); err != nil {
		return err
	}
	j := &job{ctx: ctx, emit: emit}
	h := cgo.NewHandle(j)
	defer h.Delete()
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	rc := C.parley_espeak_synth(ctext, C.size_t(len(text)+1), C.uintptr_t(h))
	if j.err != nil {
		return j.err
	}
	if rc != C.EE_OK {
		return fmt.Errorf("%w: espeak_Synth returned %d", ErrSynth, int(rc))
	}
	return nil
}

// setVoice selects the voice and its parameters; the library keeps them
// until the next call.
func setVoice(v Voice) error {
	name := C.CString(v.Name)
	defer C.free(unsafe.Pointer(name))
	if C.espeak_SetVoiceByName(name) != C.EE_OK {
		return fmt.Errorf("%w: %q", ErrVoice, v.Name)
	}
	params := []struct {
		p     C.espeak_PARAMETER
		value int
	}{
		{C.espeakRATE, v.Rate},
		{C.espeakPITCH, v.Pitch},
		{C.espeakRANGE, v.Range},
	}
	for _, p := range params {
		value := p.value
		if p.p == C.espeakRATE && value == 0 {
			value = C.espeakRATE_NORMAL
		}
		if value < 0 {
			continue
		}
		if C.espeak_SetParameter(p.p, C.int(value), 0) != C.EE_OK {
			return fmt.Errorf("%w: cannot set parameter %d to %d", ErrSynth, int(p.p), value)
		}
	}
	return nil
}
