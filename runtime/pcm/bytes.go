package pcm

import (
	"encoding/binary"
	"fmt"
)

// AppendBytesLE appends samples to dst as little-endian 16-bit bytes, the
// form of WAV data and of the plugin wire, and returns the extended slice.
func AppendBytesLE(dst []byte, samples []int16) []byte {
	for _, s := range samples {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(s))
	}
	return dst
}

// AppendSamplesLE appends the little-endian 16-bit samples in b to dst and
// returns the extended slice. An odd length is an error wrapping
// ErrOddLength, and nothing is appended.
func AppendSamplesLE(dst []int16, b []byte) ([]int16, error) {
	if len(b)%2 != 0 {
		return dst, fmt.Errorf("%d bytes: %w", len(b), ErrOddLength)
	}
	for i := 0; i+1 < len(b); i += 2 {
		dst = append(dst, int16(binary.LittleEndian.Uint16(b[i:])))
	}
	return dst, nil
}
