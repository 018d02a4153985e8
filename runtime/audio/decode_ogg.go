package audio

import (
	"bytes"
	"fmt"

	"github.com/parleyhq/parley/runtime/pcm"
)

// decodeOgg decodes the first Opus stream of an Ogg file (RFC 7845): pages
// are read and CRC-checked here, packets reassembled across pages, and the
// pre-skip and the end trimming given by the last granule position applied.
// Other multiplexed streams are skipped; decoding stops at the end of the
// Opus stream, so a chained file yields its first link.
func decodeOgg(data []byte, cfg decodeConfig) (pcm.Audio, error) {
	var (
		st       *opusStream
		selected bool
		serial   uint32
		other    string // codec of the first non-Opus stream, for the error
		pending  []byte
		packets  int
		pages    int // pages of the Opus stream
		seq      uint32
		start    int64 = -1 // granule position of the first sample
	)
	handle := func(packet []byte) error {
		defer func() { packets++ }()
		switch packets {
		case 0:
			h, err := parseOpusHead(packet)
			if err != nil {
				return err
			}
			st, err = newOpusStream(h, cfg.maxSamples(opusRate))
			return err
		case 1:
			if !bytes.HasPrefix(packet, []byte("OpusTags")) {
				return fmt.Errorf("second packet is not OpusTags: %w", ErrCorrupt)
			}
			return nil
		default:
			_, err := st.decode(packet)
			return err
		}
	}
	for off, n := 0, 0; off < len(data); n++ {
		page, next, err := readOggPage(data, off)
		if err != nil {
			return pcm.Audio{}, fmt.Errorf("ogg: page %d: %w", n, err)
		}
		off = next
		if !selected {
			if page.flags&oggBOS == 0 {
				break // past the BOS pages without an Opus stream
			}
			if !bytes.HasPrefix(page.body, []byte("OpusHead")) {
				if other == "" {
					other = oggCodec(page.body)
				}
				continue
			}
			selected, serial = true, page.serial
		}
		if page.serial != serial {
			continue
		}
		if pages > 0 && page.seq != seq+1 {
			return pcm.Audio{}, fmt.Errorf("ogg: page %d: sequence number %d after %d (page lost): %w", n, page.seq, seq, ErrCorrupt)
		}
		seq = page.seq
		pages++
		if continued := page.flags&oggContinued != 0; continued != (len(pending) > 0) {
			return pcm.Audio{}, fmt.Errorf("ogg: page %d: continuation flag %v does not match the previous page: %w", n, continued, ErrCorrupt)
		}
		if pending, err = page.packets(pending, handle); err != nil {
			return pcm.Audio{}, fmt.Errorf("ogg: page %d: packet %d: %w", n, packets, err)
		}
		eos := page.flags&oggEOS != 0
		if st == nil || packets <= 2 || page.granule == -1 {
			if eos {
				break
			}
			continue
		}
		if start < 0 {
			start = 0
			if !eos {
				// A stream may begin at a later position (a live capture).
				start = max(0, page.granule-int64(st.decoded))
			}
		}
		if eos {
			st.trimEnd(int(int64(st.decoded) - (page.granule - start)))
			break
		}
	}
	switch {
	case !selected && other != "":
		return pcm.Audio{}, fmt.Errorf("ogg: %s stream: %w", other, ErrUnsupportedFormat)
	case !selected:
		return pcm.Audio{}, fmt.Errorf("ogg: no Opus stream: %w", ErrCorrupt)
	case len(pending) > 0:
		return pcm.Audio{}, fmt.Errorf("ogg: last packet truncated: %w", ErrCorrupt)
	case st == nil:
		return pcm.Audio{}, fmt.Errorf("ogg: no OpusHead packet: %w", ErrCorrupt)
	}
	return st.pcm(), nil
}

// oggCodec names the codec of a stream from its first packet.
func oggCodec(first []byte) string {
	for _, c := range []struct{ magic, name string }{
		{"\x01vorbis", "Vorbis"},
		{"\x7fFLAC", "FLAC"},
		{"Speex   ", "Speex"},
		{"\x80theora", "Theora"},
		{"fishead\x00", "Skeleton"},
	} {
		if bytes.HasPrefix(first, []byte(c.magic)) {
			return c.name
		}
	}
	return "unknown codec"
}
