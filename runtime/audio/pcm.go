package audio

import (
	"encoding/binary"
	"fmt"
	"time"
)

// PCM is mono signed 16-bit audio at a sample rate in Hz.
type PCM struct {
	Samples []int16
	Rate    int
}

// Duration returns the playing time of p, or 0 when its rate is not positive.
func (p PCM) Duration() time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	return time.Duration(len(p.Samples)) * time.Second / time.Duration(p.Rate)
}

// Bytes returns the samples of p as little-endian 16-bit bytes.
func (p PCM) Bytes() []byte {
	return AppendBytesLE(make([]byte, 0, 2*len(p.Samples)), p.Samples)
}

// AppendBytesLE appends samples to dst as little-endian 16-bit bytes and
// returns the extended slice.
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

// Downmix appends the mono mix (the mean of the channels) of interleaved
// samples to dst and returns the extended slice. A trailing partial frame
// is dropped; channels < 1 appends nothing.
func Downmix(dst []int16, interleaved []int16, channels int) []int16 {
	switch {
	case channels < 1:
		return dst
	case channels == 1:
		return append(dst, interleaved...)
	}
	for i := 0; i+channels <= len(interleaved); i += channels {
		var sum int32
		for _, s := range interleaved[i : i+channels] {
			sum += int32(s)
		}
		dst = append(dst, int16(sum/int32(channels)))
	}
	return dst
}
