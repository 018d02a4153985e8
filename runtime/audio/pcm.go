package audio

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
