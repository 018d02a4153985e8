package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// oggPageBytes encodes one Ogg page with its CRC.
func oggPageBytes(flags byte, granule int64, serial, seq uint32, lacing, body []byte) []byte {
	b := []byte("OggS\x00")
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, uint64(granule))
	b = binary.LittleEndian.AppendUint32(b, serial)
	b = binary.LittleEndian.AppendUint32(b, seq)
	b = append(b, 0, 0, 0, 0, byte(len(lacing)))
	b = append(b, lacing...)
	b = append(b, body...)
	binary.LittleEndian.PutUint32(b[22:], oggCRC(0, b))
	return b
}

// oggMux writes packets as one Ogg logical stream, the way an encoder does:
// the first two (header) packets end their pages, pages hold at most
// maxSegs lacing values so long packets continue across pages, granule
// positions count the samples of the packets that end on each page from
// base, and the last page has EOS (with granule final when it is not 0).
type oggMux struct {
	serial  uint32
	maxSegs int
	base    int64
	final   int64
}

func (m oggMux) pages(packets [][]byte, durations []int) [][]byte {
	var (
		pages     [][]byte
		lacing    []byte
		body      []byte
		continued bool
		granule   = int64(-1)
		total     = m.base
	)
	flush := func(eos, mid bool) {
		var flags byte
		if continued {
			flags |= oggContinued
		}
		if len(pages) == 0 {
			flags |= oggBOS
		}
		g := granule
		if eos {
			flags |= oggEOS
			if m.final != 0 {
				g = m.final
			}
		}
		pages = append(pages, oggPageBytes(flags, g, m.serial, uint32(len(pages)), lacing, body))
		lacing, body, granule, continued = nil, nil, -1, mid
	}
	for i, p := range packets {
		for off := 0; ; {
			if len(lacing) == m.maxSegs {
				flush(false, off > 0)
			}
			n := min(255, len(p)-off)
			lacing = append(lacing, byte(n))
			body = append(body, p[off:off+n]...)
			off += n
			if n < 255 {
				break
			}
		}
		if i < len(durations) {
			total += int64(durations[i])
		}
		granule = total
		if i < 2 && i < len(packets)-1 {
			flush(false, false)
		}
	}
	flush(true, false)
	return pages
}

// oggStream is oggMux.pages joined, with serial 1.
func oggStream(t testing.TB, maxSegs int, packets [][]byte, durations []int, final int64) []byte {
	t.Helper()
	return bytes.Join(oggMux{serial: 1, maxSegs: maxSegs, final: final}.pages(packets, durations), nil)
}

// opusPackets returns hello.opus as packets (OpusHead, a padded OpusTags
// that spans pages, audio) with their durations and the final granule.
func opusPackets(t *testing.T) ([][]byte, []int, int64) {
	t.Helper()
	data := readFixture(t, "hello.opus")
	head, audio, durations := oggOpusPackets(t, data)
	var final int64
	for off := 0; off < len(data); {
		page, next, err := readOggPage(data, off)
		if err != nil {
			t.Fatal(err)
		}
		final, off = page.granule, next
	}
	tags := append([]byte("OpusTags\x04\x00\x00\x00test\x00\x00\x00\x00"), make([]byte, 700)...)
	return append([][]byte{head, tags}, audio...), append([]int{0, 0}, durations...), final
}

func TestOggRemux(t *testing.T) {
	want, _, err := Decode(readFixture(t, "hello.opus"), "")
	if err != nil {
		t.Fatal(err)
	}
	packets, durations, final := opusPackets(t)
	vorbis := oggPageBytes(oggBOS, 0, 9, 0, []byte{15}, []byte("\x01vorbis\x00\x00\x00\x00\x01\x44\xac\x00"))
	vorbisData := oggPageBytes(0, 100, 9, 1, []byte{3}, []byte("abc"))
	pages := oggMux{serial: 1, maxSegs: 2, final: final}.pages(packets, durations)
	live := oggMux{serial: 1, maxSegs: 4, base: 480000, final: final + 480000}.pages(packets, durations)
	tests := []struct {
		name string
		data []byte
		want int // samples
	}{
		{"packets spanning pages", bytes.Join(pages, nil), len(want.Samples)},
		{"one lacing value per page", oggStream(t, 1, packets, durations, final), len(want.Samples)},
		{"multiplexed with vorbis", bytes.Join(slices.Concat([][]byte{vorbis}, pages[:1], [][]byte{vorbisData}, pages[1:]), nil), len(want.Samples)},
		{"live capture starting late", bytes.Join(live, nil), len(want.Samples)},
		{"end trimmed by granule", oggStream(t, 255, packets, durations, 312+24000), 24000},
		{"no EOS granule", oggStream(t, 255, packets, durations, 0), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, format, err := Decode(tc.data, "")
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatOggOpus {
				t.Errorf("format %v", format)
			}
			if tc.want == 0 {
				// Without end trimming all decoded samples remain.
				if len(got.Samples) < len(want.Samples) {
					t.Fatalf("%d samples, want at least %d", len(got.Samples), len(want.Samples))
				}
				got.Samples = got.Samples[:len(want.Samples)]
			} else if len(got.Samples) != tc.want {
				t.Fatalf("%d samples, want %d", len(got.Samples), tc.want)
			}
			if !slices.Equal(got.Samples, want.Samples[:len(got.Samples)]) {
				t.Error("samples differ from the decode of hello.opus")
			}
		})
	}
}

func TestOggErrors(t *testing.T) {
	packets, durations, final := opusPackets(t)
	pages := oggMux{serial: 1, maxSegs: 16, final: final}.pages(packets, durations)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"missing OpusTags", oggStream(t, 255, slices.Concat(packets[:1], packets[2:]), nil, 0), ErrCorrupt},
		{"lost page", bytes.Join(slices.Concat(pages[:2], pages[3:]), nil), ErrCorrupt},
		{"continued page without a start", bytes.Join(slices.Concat(pages[:2], [][]byte{oggPageBytes(oggContinued, 960, 1, 2, []byte{3}, []byte("abc"))}), nil), ErrCorrupt},
		{"invalid opus packet", oggStream(t, 255, slices.Concat(packets[:2], [][]byte{{0x0F, 0xFF, 0xFF, 0xFF}}), nil, 0), ErrCorrupt},
		{"multistream opus", oggStream(t, 255, slices.Concat([][]byte{[]byte("OpusHead\x01\x06\x38\x01\x80\xbb\x00\x00\x00\x00\x01\x04\x02\x00\x04\x01\x02\x03\x05")}, packets[1:]), nil, 0), ErrUnsupportedFormat},
		{"opus version 2", oggStream(t, 255, slices.Concat([][]byte{append([]byte("OpusHead\x20"), packets[0][9:]...)}, packets[1:]), nil, 0), ErrUnsupportedFormat},
		{"short OpusHead", oggStream(t, 255, slices.Concat([][]byte{[]byte("OpusHead\x01\x01")}, packets[1:]), nil, 0), ErrCorrupt},
		{"no BOS page", oggPageBytes(0, 0, 1, 0, []byte{3}, []byte("abc")), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.data, ""); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestOggCRC(t *testing.T) {
	// The CRC of "123456789" with the Ogg parameters (CRC-32/MPEG-2 without
	// init and final xor).
	if got := oggCRC(0, []byte("123456789")); got != 0x89A1897F {
		t.Errorf("crc %08x, want 89a1897f", got)
	}
}
