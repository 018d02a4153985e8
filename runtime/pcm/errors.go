package pcm

import "errors"

// ErrOddLength is returned when bytes of 16-bit samples have an odd length.
var ErrOddLength = errors.New("odd number of bytes for 16-bit samples")
