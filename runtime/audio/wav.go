package audio

import (
	"encoding/binary"

	"github.com/parleyhq/parley/runtime/pcm"
)

// EncodeWAV returns p as a 16-bit mono PCM WAV file (44-byte header).
func EncodeWAV(p pcm.Audio) []byte {
	n := 2 * len(p.Samples)
	b := make([]byte, 0, 44+n)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(36+n))
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, wavPCM)
	b = binary.LittleEndian.AppendUint16(b, 1) // channels
	b = binary.LittleEndian.AppendUint32(b, uint32(p.Rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(2*p.Rate)) // bytes per second
	b = binary.LittleEndian.AppendUint16(b, 2)                // block align
	b = binary.LittleEndian.AppendUint16(b, 16)               // bits per sample
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	return pcm.AppendBytesLE(b, p.Samples)
}
