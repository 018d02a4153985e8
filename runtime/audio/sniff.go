package audio

import (
	"bytes"
	"fmt"
)

// sniff identifies the container from magic numbers. For input it does not
// accept it returns FormatUnknown and, when it can tell, what the input is.
func sniff(b []byte) (Format, string) {
	has := func(off int, magic string) bool {
		return len(b) >= off+len(magic) && string(b[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "RIFF") && has(8, "WAVE"):
		return FormatWAV, ""
	case has(0, "RIFF") && len(b) >= 12:
		return FormatUnknown, fmt.Sprintf("RIFF %q", b[8:12])
	case has(0, "RF64"):
		return FormatUnknown, "RF64 (64-bit WAV)"
	case has(0, "RIFX"):
		return FormatUnknown, "RIFX (big-endian WAV)"
	case has(0, "OggS"):
		return FormatOggOpus, ""
	case has(0, "\x1a\x45\xdf\xa3"):
		return FormatWebMOpus, ""
	case has(0, "fLaC"):
		return FormatUnknown, "FLAC"
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return FormatUnknown, "AIFF"
	case has(4, "ftyp"):
		return FormatUnknown, "MP4/M4A"
	case has(0, "#!AMR"):
		return FormatUnknown, "AMR"
	case has(0, "caff"):
		return FormatUnknown, "CAF"
	case has(0, ".snd"):
		return FormatUnknown, "Sun/NeXT AU"
	}
	off := skipID3v2(b)
	if isMP3Start(b[off:]) {
		return FormatMP3, ""
	}
	if len(b)-off >= 2 && b[off] == 0xFF && b[off+1]&0xF6 == 0xF0 {
		return FormatUnknown, "AAC (ADTS)"
	}
	if off > 0 {
		return FormatUnknown, "ID3-tagged audio that is not MP3"
	}
	if bytes.HasPrefix(b, []byte("<")) || bytes.HasPrefix(b, []byte("{")) {
		return FormatUnknown, "text"
	}
	return FormatUnknown, ""
}
