package pcm

import "time"

// Audio is mono signed 16-bit PCM at a sample rate in Hz.
type Audio struct {
	Samples []int16
	Rate    int
}

// Duration returns the playing time of a, or 0 when its rate is not
// positive.
func (a Audio) Duration() time.Duration {
	if a.Rate <= 0 {
		return 0
	}
	return time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)
}

// Bytes returns the samples of a as little-endian 16-bit bytes.
func (a Audio) Bytes() []byte {
	return AppendBytesLE(make([]byte, 0, 2*len(a.Samples)), a.Samples)
}
