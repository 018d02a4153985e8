package audio

// Format is the container and codec Decode recognised.
type Format int

// Formats Decode accepts.
const (
	FormatUnknown  Format = iota // not recognised
	FormatWAV                    // RIFF/WAVE: PCM, IEEE float, A-law, µ-law
	FormatMP3                    // MPEG-1/2/2.5 Layer III
	FormatOggOpus                // Opus in an Ogg stream (.opus)
	FormatWebMOpus               // Opus in WebM/Matroska (browser MediaRecorder)
)

// String returns the short lowercase name of the format.
func (f Format) String() string {
	switch f {
	case FormatWAV:
		return "wav"
	case FormatMP3:
		return "mp3"
	case FormatOggOpus:
		return "ogg/opus"
	case FormatWebMOpus:
		return "webm/opus"
	default:
		return "unknown"
	}
}
