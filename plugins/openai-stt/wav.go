package main

import "encoding/binary"

// wavHeaderSize is the size of the canonical 44-byte RIFF/WAVE header.
const wavHeaderSize = 44

// encodeWAV wraps mono 16-bit PCM at rate in a WAV file.
func encodeWAV(pcm []int16, rate int) []byte {
	dataSize := uint32(2 * len(pcm))
	b := make([]byte, 0, wavHeaderSize+int(dataSize))
	le := binary.LittleEndian
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, 36+dataSize)
	b = append(b, "WAVE"...)
	b = append(b, "fmt "...)
	b = le.AppendUint32(b, 16)             // fmt chunk size
	b = le.AppendUint16(b, 1)              // PCM
	b = le.AppendUint16(b, 1)              // mono
	b = le.AppendUint32(b, uint32(rate))   // sample rate
	b = le.AppendUint32(b, uint32(rate*2)) // byte rate
	b = le.AppendUint16(b, 2)              // block align
	b = le.AppendUint16(b, 16)             // bits per sample
	b = append(b, "data"...)
	b = le.AppendUint32(b, dataSize)
	for _, s := range pcm {
		b = le.AppendUint16(b, uint16(s))
	}
	return b
}
