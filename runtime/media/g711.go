package media

import "math/bits"

// G.711 µ-law (PCMU), as in the ITU reference and Sun's g711.c: 14-bit
// magnitude plus sign, biased by 0x84 and stored inverted.
const (
	ulawBias = 0x84
	ulawClip = 32635
	// ulawSilence is the µ-law byte for a zero sample.
	ulawSilence = 0xFF
)

// linearToUlaw compresses a 16-bit linear sample to a µ-law byte.
func linearToUlaw(s int16) byte {
	v := int(s)
	var sign byte
	if v < 0 {
		v, sign = -v, 0x80
	}
	v = min(v, ulawClip) + ulawBias
	exp := bits.Len(uint(v)) - 8 // v is in [0x84, 0x7FFF]: exp is 0..7
	mant := byte(v>>(exp+3)) & 0x0F
	return ^(sign | byte(exp)<<4 | mant)
}

// ulawToLinear expands a µ-law byte to a 16-bit linear sample.
func ulawToLinear(u byte) int16 {
	u = ^u
	t := (int32(u&0x0F)<<3 + ulawBias) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// encodeUlaw appends the µ-law bytes of pcm to dst and returns the
// extended slice.
func encodeUlaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, linearToUlaw(s))
	}
	return dst
}

// decodeUlaw appends the linear samples of the µ-law bytes in b to dst and
// returns the extended slice.
func decodeUlaw(dst []int16, b []byte) []int16 {
	for _, u := range b {
		dst = append(dst, ulawToLinear(u))
	}
	return dst
}
