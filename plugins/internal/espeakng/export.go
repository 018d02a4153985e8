package espeakng

// #include <stdint.h>
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// lookup finds the job of a handle; nil for none (0, or not a job).
func lookup(h C.uintptr_t) *job {
	if h == 0 {
		return nil
	}
	j, _ := cgo.Handle(h).Value().(*job)
	return j
}

// goEspeakAudio copies one piece of audio out of espeak-ng's buffer and
// hands it to the job. It returns 1 (abort) when the job is gone, its
// context ended or emit failed.
//
//export goEspeakAudio
func goEspeakAudio(h C.uintptr_t, wav *C.short, n C.int) C.int {
	j := lookup(h)
	if j == nil {
		return 1
	}
	if j.err != nil {
		return 1
	}
	if err := j.ctx.Err(); err != nil {
		j.err = err
		return 1
	}
	pcm := make([]int16, int(n))
	copy(pcm, unsafe.Slice((*int16)(unsafe.Pointer(wav)), int(n)))
	if err := j.emit(pcm); err != nil {
		j.err = err
		return 1
	}
	return 0
}

// goEspeakAbort answers the callbacks that carry no audio (events only):
// 1 when the job should stop.
//
//export goEspeakAbort
func goEspeakAbort(h C.uintptr_t) C.int {
	j := lookup(h)
	if j == nil || j.err != nil {
		return 1
	}
	if err := j.ctx.Err(); err != nil {
		j.err = err
		return 1
	}
	return 0
}
