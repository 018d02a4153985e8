package audio

import "math/bits"

// alawToLinear expands a G.711 A-law byte to 16-bit linear PCM.
func alawToLinear(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0F) << 4
	switch seg := (a & 0x70) >> 4; seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t = (t + 0x108) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// G.711 µ-law (PCMU), as in the ITU reference and Sun's g711.c: 14-bit
// magnitude plus sign, biased by 0x84 and stored inverted.
const (
	ulawBias = 0x84
	ulawClip = 32635
	// UlawSilence is the µ-law byte for a zero sample.
	UlawSilence = 0xFF
)

// ulawToLinear expands a G.711 µ-law byte to 16-bit linear PCM.
func ulawToLinear(u byte) int16 {
	u = ^u
	t := (int32(u&0x0F)<<3 + ulawBias) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

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

// AppendUlaw appends the µ-law bytes of pcm to dst and returns the
// extended slice.
func AppendUlaw(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, linearToUlaw(s))
	}
	return dst
}

// AppendUlawSamples appends the linear samples of the µ-law bytes in b to
// dst and returns the extended slice.
func AppendUlawSamples(dst []int16, b []byte) []int16 {
	for _, u := range b {
		dst = append(dst, ulawToLinear(u))
	}
	return dst
}
