package audio

import (
	"testing"
)

func TestLinearToUlaw(t *testing.T) {
	tests := []struct {
		name string
		in   int16
		want byte
	}{
		{"zero", 0, 0xFF},
		{"minus one", -1, 0x7F},
		{"small positive", 100, 0xF2},
		{"small negative", -100, 0x72},
		{"1000", 1000, 0xCE},
		{"max", 32767, 0x80},
		{"min", -32768, 0x00},
		{"clip", 32635, 0x80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linearToUlaw(tt.in); got != tt.want {
				t.Errorf("linearToUlaw(%d) = %#02x, want %#02x", tt.in, got, tt.want)
			}
		})
	}
}

func TestUlawToLinear(t *testing.T) {
	// Values of the reference decoder (exponent table 0, 132, 396, ...).
	tests := []struct {
		in   byte
		want int16
	}{
		{0xFF, 0},
		{0x7F, 0},
		{0xF2, 104},
		{0x72, -104},
		{0xCE, 988},
		{0x80, 32124},
		{0x00, -32124},
	}
	for _, tt := range tests {
		if got := ulawToLinear(tt.in); got != tt.want {
			t.Errorf("ulawToLinear(%#02x) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestUlawRoundTrip(t *testing.T) {
	// Every code but negative zero survives decode then encode.
	for u := range 256 {
		b := byte(u)
		want := b
		if b == 0x7F {
			want = 0xFF
		}
		if got := linearToUlaw(ulawToLinear(b)); got != want {
			t.Errorf("code %#02x: decode %d, re-encode %#02x", b, ulawToLinear(b), got)
		}
	}
	// Every sample comes back within half of its segment's step, after
	// clipping to the µ-law range.
	for s := -32768; s <= 32767; s++ {
		got := int(ulawToLinear(linearToUlaw(int16(s))))
		clipped := max(-ulawClip, min(s, ulawClip))
		half := 4 << segment(abs(clipped))
		if d := abs(got - clipped); d > half {
			t.Fatalf("sample %d -> %d: error %d > half step %d", s, got, d, half)
		}
	}
}

func TestUlawSlices(t *testing.T) {
	in := []int16{0, 1000, -1000, 32767}
	enc := AppendUlaw(nil, in)
	dec := AppendUlawSamples(nil, enc)
	if len(enc) != len(in) || len(dec) != len(in) {
		t.Fatalf("lengths: %d bytes, %d samples for %d in", len(enc), len(dec), len(in))
	}
	for i := range in {
		if d := abs(int(dec[i]) - int(in[i])); d > 1024 {
			t.Errorf("sample %d: %d -> %d", i, in[i], dec[i])
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// segment returns the µ-law segment (0..7) of a magnitude.
func segment(mag int) int {
	v := mag + ulawBias
	seg := 0
	for v >= 256 {
		v >>= 1
		seg++
	}
	return seg
}
