// Package speechtest helps the speech plugins' tests: it synthesises
// English test sentences with the flite command line tool, reads WAV files
// and scores recognition with the word error rate.
package speechtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// ReadWAV reads a mono 16-bit PCM WAV file.
func ReadWAV(path string) (pcm []int16, rate int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read wav: %w", err)
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("read wav: not a RIFF/WAVE file")
	}
	var channels, bits int
	for i := 12; i+8 <= len(b); {
		id, n := string(b[i:i+4]), int(binary.LittleEndian.Uint32(b[i+4:]))
		body := b[i+8 : min(i+8+n, len(b))]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("read wav: short fmt chunk")
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bits = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if channels != 1 || bits != 16 {
				return nil, 0, fmt.Errorf("read wav: %d channels of %d bits, want mono 16-bit", channels, bits)
			}
			pcm = make([]int16, len(body)/2)
			for j := range pcm {
				pcm[j] = int16(binary.LittleEndian.Uint16(body[2*j:]))
			}
			return pcm, rate, nil
		}
		i += 8 + n + n%2
	}
	return nil, 0, errors.New("read wav: no data chunk")
}
