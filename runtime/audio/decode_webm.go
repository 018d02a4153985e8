package audio

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/at-wat/ebml-go"

	"github.com/parleyhq/parley/runtime/pcm"
)

// The parts of a WebM/Matroska file decodeWebM reads; ebml-go skips the
// rest, and handles unknown-size Segment and Cluster elements (as written
// by MediaRecorder) by ending them at the next top-level element.
type (
	webmFile struct {
		Header  webmHeader  `ebml:"EBML"`
		Segment webmSegment `ebml:"Segment"`
	}
	webmHeader struct {
		DocType string `ebml:"EBMLDocType"`
	}
	webmSegment struct {
		Tracks  webmTracks    `ebml:"Tracks"`
		Cluster []webmCluster `ebml:"Cluster"`
	}
	webmTracks struct {
		TrackEntry []webmTrack `ebml:"TrackEntry"`
	}
	webmTrack struct {
		TrackNumber  uint64     `ebml:"TrackNumber"`
		TrackType    uint64     `ebml:"TrackType"`
		CodecID      string     `ebml:"CodecID"`
		CodecPrivate []byte     `ebml:"CodecPrivate"`
		CodecDelay   uint64     `ebml:"CodecDelay"`
		Audio        *webmAudio `ebml:"Audio"`
	}
	webmAudio struct {
		Channels uint64 `ebml:"Channels"`
	}
	webmCluster struct {
		Timecode    uint64           `ebml:"Timecode"`
		SimpleBlock []ebml.Block     `ebml:"SimpleBlock"`
		BlockGroup  []webmBlockGroup `ebml:"BlockGroup"`
	}
	webmBlockGroup struct {
		Block          ebml.Block `ebml:"Block"`
		DiscardPadding int64      `ebml:"DiscardPadding"`
	}
)

const webmAudioTrack = 2

// webmBlock is one block of the Opus track in presentation order.
type webmBlock struct {
	time    int64 // cluster timecode + block timecode
	frames  [][]byte
	discard int64 // DiscardPadding in ns
}

// decodeWebM demuxes the first audio track of a WebM (or Matroska) file with
// ebml-go and decodes its Opus packets.
func decodeWebM(data []byte, cfg decodeConfig) (p pcm.Audio, err error) {
	// ebml-go is not hardened against hostile input; a panic in it is
	// reported as corrupt input instead of taking the caller down.
	defer func() {
		if r := recover(); r != nil {
			p, err = pcm.Audio{}, fmt.Errorf("webm: demuxer failed: %v: %w", r, ErrCorrupt)
		}
	}()
	if limit := maxWebMElements(cfg); countEBMLElements(data, limit) > limit {
		return pcm.Audio{}, fmt.Errorf("webm: more than %d elements for at most %v of audio: %w", limit, cfg.maxDuration, ErrTooLong)
	}
	var f webmFile
	// Capping leaf elements at the input size bounds what a lying size
	// field can make ebml-go allocate.
	if err := ebml.Unmarshal(bytes.NewReader(data), &f, ebml.WithMaxLeafElementSize(uint64(len(data)))); err != nil {
		return pcm.Audio{}, fmt.Errorf("webm: %w: %w", err, ErrCorrupt)
	}
	switch dt := f.Header.DocType; dt {
	case "webm", "matroska":
	case "":
		return pcm.Audio{}, fmt.Errorf("webm: no EBML header with a document type: %w", ErrCorrupt)
	default:
		return pcm.Audio{}, fmt.Errorf("webm: document type %q: %w", dt, ErrUnsupportedFormat)
	}
	track, err := webmOpusTrack(f.Segment.Tracks.TrackEntry)
	if err != nil {
		return pcm.Audio{}, err
	}
	head := opusHead{channels: 1, preSkip: nsToOpusSamples(int64(min(track.CodecDelay, 1e9)))}
	if len(track.CodecPrivate) > 0 {
		if head, err = parseOpusHead(track.CodecPrivate); err != nil {
			return pcm.Audio{}, fmt.Errorf("webm: CodecPrivate: %w", err)
		}
	} else if track.Audio != nil && track.Audio.Channels > 2 {
		return pcm.Audio{}, fmt.Errorf("webm: %d channels without an OpusHead: %w", track.Audio.Channels, ErrUnsupportedFormat)
	}
	st, err := newOpusStream(head, cfg.maxSamples(opusRate))
	if err != nil {
		return pcm.Audio{}, err
	}
	for i, b := range webmBlocks(f.Segment.Cluster, track.TrackNumber) {
		added := 0
		for _, frame := range b.frames {
			n, err := st.decode(frame)
			if err != nil {
				return pcm.Audio{}, fmt.Errorf("webm: block %d: %w", i, err)
			}
			added += n
		}
		if b.discard > 0 {
			st.trimEnd(min(added, nsToOpusSamples(min(b.discard, 1e9))))
		}
	}
	return st.pcm(), nil
}

// webmOpusTrack picks the first audio track, which must be Opus.
func webmOpusTrack(tracks []webmTrack) (webmTrack, error) {
	if len(tracks) == 0 {
		return webmTrack{}, fmt.Errorf("webm: no tracks: %w", ErrCorrupt)
	}
	for _, t := range tracks {
		if t.TrackType != webmAudioTrack {
			continue
		}
		if t.CodecID != "A_OPUS" {
			return webmTrack{}, fmt.Errorf("webm: audio codec %q: %w", t.CodecID, ErrUnsupportedFormat)
		}
		return t, nil
	}
	return webmTrack{}, fmt.Errorf("webm: no audio track: %w", ErrEmpty)
}

// webmBlocks collects the blocks of one track, SimpleBlocks and BlockGroups
// alike, in timestamp order.
func webmBlocks(clusters []webmCluster, track uint64) []webmBlock {
	var blocks []webmBlock
	for _, c := range clusters {
		base := int64(min(c.Timecode, 1<<62))
		for _, b := range c.SimpleBlock {
			if b.TrackNumber == track {
				blocks = append(blocks, webmBlock{time: base + int64(b.Timecode), frames: b.Data})
			}
		}
		for _, g := range c.BlockGroup {
			if g.Block.TrackNumber == track {
				blocks = append(blocks, webmBlock{time: base + int64(g.Block.Timecode), frames: g.Block.Data, discard: g.DiscardPadding})
			}
		}
	}
	slices.SortStableFunc(blocks, func(a, b webmBlock) int {
		switch {
		case a.time < b.time:
			return -1
		case a.time > b.time:
			return 1
		}
		return 0
	})
	return blocks
}

// nsToOpusSamples converts a Matroska duration in nanoseconds (at most a
// second here) to samples at 48 kHz.
func nsToOpusSamples(ns int64) int {
	return int(ns * opusRate / 1e9)
}
