package audio

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

// ulawToLinear expands a G.711 µ-law byte to 16-bit linear PCM.
func ulawToLinear(u byte) int16 {
	const bias = 0x84
	u = ^u
	t := (int32(u&0x0F)<<3 + bias) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(bias - t)
	}
	return int16(t - bias)
}
