package provider

import "encoding/binary"

// appendPCM appends samples as 16-bit little-endian bytes, the wire form.
func appendPCM(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(s))
	}
	return dst
}

// decodePCM reads 16-bit little-endian bytes into samples; an odd last byte
// is dropped.
func decodePCM(b []byte) []int16 {
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}
