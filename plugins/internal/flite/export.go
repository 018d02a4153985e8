package flite

// #include <stdint.h>
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// goFliteAudio copies one piece of audio out of flite's wave and hands it
// to the job. It returns 1 (stop) when the job is gone, its context ended
// or emit failed.
//
//export goFliteAudio
func goFliteAudio(h C.uintptr_t, samples *C.short, n C.int) C.int {
	if h == 0 {
		return 1
	}
	j, ok := cgo.Handle(h).Value().(*job)
	if !ok || j.err != nil {
		return 1
	}
	if err := j.ctx.Err(); err != nil {
		j.err = err
		return 1
	}
	if n <= 0 {
		return 0
	}
	pcm := make([]int16, int(n))
	copy(pcm, unsafe.Slice((*int16)(unsafe.Pointer(samples)), int(n)))
	if err := j.emit(pcm); err != nil {
		j.err = err
		return 1
	}
	return 0
}
