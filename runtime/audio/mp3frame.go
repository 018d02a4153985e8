package audio

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// mp3Header is a parsed MPEG audio Layer III frame header.
type mp3Header struct {
	mpeg1    bool
	rate     int
	size     int // bytes, header included
	samples  int // per channel
	mono     bool
	crc      bool
	sideInfo int // bytes of side information after the header (and CRC)
}

var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = [4][3]int{ // by version bits: 2.5, reserved, 2, 1
		{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000},
	}
)

// parseMP3Header parses the 4-byte frame header at the start of b. Free
// format, reserved values and layers other than III are rejected.
func parseMP3Header(b []byte) (mp3Header, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mp3Header{}, false
	}
	version := (b[1] >> 3) & 3
	layer := (b[1] >> 1) & 3
	bitrateIndex := b[2] >> 4
	rateIndex := (b[2] >> 2) & 3
	if version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3 || b[3]&3 == 2 {
		return mp3Header{}, false
	}
	h := mp3Header{
		mpeg1: version == 3,
		rate:  mp3Rates[version][rateIndex],
		mono:  b[3]>>6 == 3,
		crc:   b[1]&1 == 0,
	}
	padding := int(b[2]>>1) & 1
	if h.mpeg1 {
		h.size = 144000*mp3Bitrates1[bitrateIndex]/h.rate + padding
		h.samples = 1152
		h.sideInfo = 32
		if h.mono {
			h.sideInfo = 17
		}
	} else {
		h.size = 72000*mp3Bitrates2[bitrateIndex]/h.rate + padding
		h.samples = 576
		h.sideInfo = 17
		if h.mono {
			h.sideInfo = 9
		}
	}
	return h, true
}

// skipID3v2 returns the offset just past any ID3v2 tags (and zero padding
// after them) at the start of b, or 0 when there are none.
func skipID3v2(b []byte) int {
	off := 0
	for len(b)-off >= 10 && string(b[off:off+3]) == "ID3" {
		sz := b[off+6 : off+10]
		if (sz[0]|sz[1]|sz[2]|sz[3])&0x80 != 0 {
			break // not a syncsafe size: not a tag
		}
		n := 10 + (int(sz[0])<<21 | int(sz[1])<<14 | int(sz[2])<<7 | int(sz[3]))
		if b[off+5]&0x10 != 0 {
			n += 10 // footer
		}
		off = min(off+n, len(b))
	}
	if off > 0 {
		for off < len(b) && b[off] == 0 {
			off++
		}
	}
	return off
}

// isMP3Start reports whether b starts with a Layer III frame that is
// followed by another one (or ends exactly), which random bytes rarely do.
func isMP3Start(b []byte) bool {
	h, ok := parseMP3Header(b)
	if !ok {
		return false
	}
	if h.size == len(b) {
		return true
	}
	next, ok := parseMP3Header(b[min(h.size, len(b)):])
	return ok && next.rate == h.rate
}

// mp3Stream is the frame layout of an MP3 file.
type mp3Stream struct {
	audio   []byte // the audio frames, without tags or the Xing/Info frame
	rate    int
	frames  int
	samples int // per frame
	// Gapless playback from the LAME tag: samples to drop at the start and
	// the end of the decoded audio; -1 when the file does not say.
	delay, padding int
}

// scanMP3 walks the frames of an MP3 file, checking that they chain up to
// the end (or to an ID3v1/APE tag) without a truncated last frame.
func scanMP3(data []byte) (mp3Stream, error) {
	start := skipID3v2(data)
	off := start
	s := mp3Stream{delay: -1, padding: -1}
	for off < len(data) {
		h, ok := parseMP3Header(data[off:])
		if !ok {
			if mp3TrailerAt(data[off:]) {
				break
			}
			return mp3Stream{}, fmt.Errorf("mp3: frame %d at byte %d: lost frame sync: %w", s.frames, off, ErrCorrupt)
		}
		if off+h.size > len(data) {
			return mp3Stream{}, fmt.Errorf("mp3: frame %d at byte %d: %d of %d bytes: %w", s.frames, off, len(data)-off, h.size, ErrCorrupt)
		}
		if s.frames == 0 {
			s.rate, s.samples = h.rate, h.samples
			if delay, padding, ok := parseXing(data[off:off+h.size], h); ok {
				s.delay, s.padding = delay, padding
				off += h.size
				start = off
				continue
			}
		} else if h.rate != s.rate || h.samples != s.samples {
			return mp3Stream{}, fmt.Errorf("mp3: frame %d at byte %d: sample rate changes from %d to %d Hz: %w", s.frames, off, s.rate, h.rate, ErrCorrupt)
		}
		s.frames++
		off += h.size
	}
	s.audio = data[start:off]
	return s, nil
}

// mp3TrailerAt reports whether b is what may follow the last frame: an
// ID3v1, APE or Lyrics3 tag, an appended ID3v2 tag, or zero padding.
func mp3TrailerAt(b []byte) bool {
	for _, magic := range []string{"TAG", "APETAGEX", "LYRICSBEGIN", "ID3"} {
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	return len(bytes.Trim(b, "\x00")) == 0
}

// parseXing recognises the Xing/Info frame encoders put first and returns
// the encoder delay and padding from its LAME tag (ok with -1, -1 when the
// frame has no LAME tag).
func parseXing(frame []byte, h mp3Header) (delay, padding int, ok bool) {
	p := 4 + h.sideInfo
	if h.crc {
		p += 2
	}
	if len(frame) < p+8 {
		return 0, 0, false
	}
	if tag := string(frame[p : p+4]); tag != "Xing" && tag != "Info" {
		return 0, 0, false
	}
	flags := binary.BigEndian.Uint32(frame[p+4:])
	p += 8
	for _, field := range []struct {
		bit  uint32
		size int
	}{{1, 4}, {2, 4}, {4, 100}, {8, 4}} {
		if flags&field.bit != 0 {
			p += field.size
		}
	}
	if len(frame) < p+24 {
		return -1, -1, true
	}
	switch string(frame[p : p+4]) {
	case "LAME", "Lavf", "Lavc", "L3.9":
	default:
		return -1, -1, true
	}
	d := frame[p+21 : p+24]
	return int(d[0])<<4 | int(d[1])>>4, int(d[1]&0x0F)<<8 | int(d[2]), true
}
