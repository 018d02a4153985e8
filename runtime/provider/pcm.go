package provider

import "encoding/binary"

// decodePCM reads 16-bit little-endian bytes into samples; an odd last byte
// is dropped.
func decodePCM(b []byte) []int16 {
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}
