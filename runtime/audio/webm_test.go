package audio

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDecodeMediaRecorderWebM checks the unknown-size layout browsers
// write: the same Opus packets muxed into WebM decode to the same samples
// as the Ogg original (the WebM has no end trimming, so it is compared up
// to the Ogg length).
func TestDecodeMediaRecorderWebM(t *testing.T) {
	ogg, _, err := Decode(readFixture(t, "hello.opus"), "")
	if err != nil {
		t.Fatal(err)
	}
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"fixture", readFixture(t, "hello-mediarecorder.webm")},
		{"muxed now", mediaRecorderWebM(t, "A_OPUS", head, packets, durations)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unknown := []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
			if !bytes.Contains(tc.data, append([]byte{0x18, 0x53, 0x80, 0x67}, unknown...)) ||
				bytes.Count(tc.data, append([]byte{0x1F, 0x43, 0xB6, 0x75}, unknown...)) < 2 {
				t.Fatal("input lacks an unknown-size Segment and several unknown-size Clusters")
			}
			p, format, err := Decode(tc.data, "audio/webm;codecs=opus")
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatWebMOpus || p.Rate != opusRate {
				t.Fatalf("got %v at %d Hz", format, p.Rate)
			}
			if len(p.Samples) < len(ogg.Samples) || !slices.Equal(p.Samples[:len(ogg.Samples)], ogg.Samples) {
				t.Errorf("%d samples that differ from the %d of the Ogg decode", len(p.Samples), len(ogg.Samples))
			}
		})
	}
}

func TestDecodeWebMDiscardPadding(t *testing.T) {
	// ffmpeg ends hello.webm with a BlockGroup carrying DiscardPadding; the
	// result is as long as the source, not a whole number of packets.
	p, _, err := Decode(readFixture(t, "hello.webm"), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := 19760 * 3; len(p.Samples) != want {
		t.Errorf("%d samples, want %d", len(p.Samples), want)
	}
}

func TestDecodeWebMErrors(t *testing.T) {
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	video := mediaRecorderWebM(t, "A_OPUS", head, packets[:2], durations[:2])
	// Turn the track into a video track (TrackType 0x83 from 2 to 1).
	if i := bytes.Index(video, []byte{0x83, 0x81, 0x02}); i >= 0 {
		video[i+2] = 1
	}
	mkv := bytes.Replace(mediaRecorderWebM(t, "A_OPUS", head, packets, durations), []byte("\x42\x82\x84webm"), []byte("\x42\x82\x84mkv1"), 1)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"no audio track", video, ErrEmpty},
		{"unknown doc type", mkv, ErrUnsupportedFormat},
		{"header without doc type", []byte{0x1A, 0x45, 0xDF, 0xA3, 0x80}, ErrCorrupt},
		{"bad packet", mediaRecorderWebM(t, "A_OPUS", head, [][]byte{{0x0F, 0xFF, 0xFF, 0xFF}}, []int{960}), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.data, ""); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestDecodeWebMElementCap checks that a file of many tiny elements is
// refused before ebml-go demuxes it (which allocates about 650 bytes for
// each 7-byte SimpleBlock: 2.4 GB for a 25 MB upload), while a real
// recording of the same length limit still decodes.
func TestDecodeWebMElementCap(t *testing.T) {
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	base := mediaRecorderWebM(t, "A_OPUS", head, packets[:2], durations[:2])
	// SimpleBlocks of track 1 holding one empty 2.5 ms CELT frame.
	block := []byte{0xA3, 0x82 + 3, 0x81, 0x00, 0x00, 0x80, 0x80}
	cfg := decodeConfig{maxDuration: time.Second}
	limit := maxWebMElements(cfg)
	within := append(bytes.Clone(base), bytes.Repeat(block, 300)...)
	bomb := append(bytes.Clone(base), bytes.Repeat(block, limit)...)

	if _, _, err := Decode(within, "", WithMaxDuration(time.Second)); err != nil {
		t.Fatalf("%d blocks under a 1 s cap: %v", 300, err)
	}
	var err error
	allocs := testing.AllocsPerRun(3, func() { _, _, err = Decode(bomb, "", WithMaxDuration(time.Second)) })
	if !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), "elements") {
		t.Fatalf("got %v, want ErrTooLong for too many elements", err)
	}
	if allocs > 20 {
		t.Errorf("refusing %d elements took %v allocations: the demuxer ran", limit, allocs)
	}
	if n := countEBMLElements(base, 1<<20); n < 20 || n > 200 {
		t.Errorf("counted %d elements in a small MediaRecorder file", n)
	}
	if n := countEBMLElements(bomb, 100); n != 101 {
		t.Errorf("counting stops just past the limit: got %d, want 101", n)
	}
}
