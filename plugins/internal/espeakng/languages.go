package espeakng

/*
#include <espeak-ng/speak_lib.h>

const espeak_VOICE **parley_espeak_voices(void);
*/
import "C"

import (
	"sort"
	"unsafe"
)

// maxVoices bounds the walk over the library's voice list.
const maxVoices = 4096

// Languages lists the languages espeak-ng's installed voices speak, as
// espeak-ng names them (lower-case BCP-47-like tags: en, en-gb, pt-br,
// ko ...), sorted and without duplicates. It starts the library.
func Languages() ([]string, error) {
	if err := start(); err != nil {
		return nil, err
	}
	sem <- struct{}{}
	defer func() { <-sem }()
	voices := C.parley_espeak_voices()
	if voices == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	list := unsafe.Slice(voices, maxVoices)
	for _, v := range list {
		if v == nil {
			break
		}
		for _, l := range voiceLanguages(v.languages) {
			seen[l] = true
		}
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out, nil
}

// voiceLanguages reads an espeak_VOICE's languages field: pairs of a
// priority byte and a NUL-terminated language name, ended by a zero
// priority.
func voiceLanguages(p *C.char) []string {
	var out []string
	if p == nil {
		return nil
	}
	b := unsafe.Pointer(p)
	for i := 0; i < 64; i++ { // a voice names a handful of languages
		if *(*byte)(b) == 0 {
			break
		}
		name := C.GoString((*C.char)(unsafe.Add(b, 1)))
		if name == "" {
			break
		}
		out = append(out, name)
		b = unsafe.Add(b, 1+len(name)+1)
	}
	return out
}
