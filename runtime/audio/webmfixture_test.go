package audio

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/at-wat/ebml-go/mkvcore"
	"github.com/at-wat/ebml-go/webm"
	"gopkg.in/hraban/opus.v2"
)

var update = flag.Bool("update", false, "regenerate the generated fixtures in testdata")

// oggOpusPackets returns the OpusHead and the audio packets of an Ogg/Opus
// file, with the duration of each packet in samples at 48 kHz.
func oggOpusPackets(t testing.TB, data []byte) (head []byte, packets [][]byte, durations []int) {
	t.Helper()
	dec, err := opus.NewDecoder(opusRate, 2)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 2*opusMaxFrame)
	var pending []byte
	n := 0
	for off := 0; off < len(data); {
		page, next, err := readOggPage(data, off)
		if err != nil {
			t.Fatal(err)
		}
		off = next
		pending, err = page.packets(pending, func(p []byte) error {
			switch n++; n {
			case 1:
				head = bytes.Clone(p)
			case 2: // OpusTags
			default:
				k, err := dec.Decode(p, pcm)
				if err != nil {
					return err
				}
				packets = append(packets, bytes.Clone(p))
				durations = append(durations, k)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return head, packets, durations
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// mediaRecorderWebM muxes Opus packets the way a browser's MediaRecorder
// does: Segment and Clusters of unknown size, SimpleBlocks, the OpusHead as
// CodecPrivate. Clusters are cut every 500 ms so there are several.
func mediaRecorderWebM(t testing.TB, codec string, head []byte, packets [][]byte, durations []int) []byte {
	t.Helper()
	var buf bytes.Buffer
	ws, err := webm.NewSimpleBlockWriter(nopCloser{&buf}, []webm.TrackEntry{{
		Name:         "Audio",
		TrackNumber:  1,
		TrackUID:     1,
		CodecID:      codec,
		CodecPrivate: head,
		TrackType:    webmAudioTrack,
		Audio:        &webm.Audio{SamplingFrequency: opusRate, Channels: 1},
	}}, mkvcore.WithMinMaxClusterDuration(1, 500, 1000), mkvcore.WithSeekHead(false))
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	for i, p := range packets {
		if _, err := ws[0].Write(true, int64(at*1000/opusRate), p); err != nil {
			t.Fatal(err)
		}
		at += durations[i]
	}
	if err := ws[0].Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGenerateMediaRecorderFixture rewrites testdata/hello-mediarecorder.webm
// from testdata/hello.opus: go test ./runtime/audio -run Generate -update
func TestGenerateMediaRecorderFixture(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/hello-mediarecorder.webm")
	}
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	data := mediaRecorderWebM(t, "A_OPUS", head, packets, durations)
	if err := os.WriteFile(filepath.Join("testdata", "hello-mediarecorder.webm"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
