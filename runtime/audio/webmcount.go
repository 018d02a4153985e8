package audio

import (
	"encoding/binary"

	"github.com/at-wat/ebml-go"
)

// webmMasters holds the IDs (with their length marker, big-endian) of the
// EBML master elements ebml-go knows: it descends into every one of them,
// mapped or not, so their children count as elements too.
var webmMasters = func() map[uint32]bool {
	m := make(map[uint32]bool)
	// ElementType values are small consecutive integers; names mark the
	// defined ones.
	for t := ebml.ElementType(1); t < 1024; t++ {
		if t.String() == "unknown" || t.DataType() != ebml.DataTypeMaster {
			continue
		}
		var id uint32
		for _, b := range t.Bytes() {
			id = id<<8 | uint32(b)
		}
		m[id] = true
	}
	return m
}()

// opusMinFrame is the shortest Opus frame, 2.5 ms at 48 kHz: no block of a
// real recording holds less.
const opusMinFrame = opusRate / 400

// maxWebMElements bounds the EBML elements of a file whose audio may last
// up to the configured maximum: a block per shortest Opus frame, with room
// for a BlockGroup around each, plus headers. ebml-go allocates for every
// element it meets, so a file of millions of tiny elements would cost far
// more memory than its size; it is refused before demuxing.
func maxWebMElements(cfg decodeConfig) int {
	return 2*cfg.maxSamples(opusRate)/opusMinFrame + 1024
}

// countEBMLElements walks the element headers of data as ebml-go will,
// entering master elements and skipping over the others, and returns how
// many it met, stopping once past limit. It stops quietly at the first
// malformed header: the demuxer reports that.
func countEBMLElements(data []byte, limit int) int {
	n := 0
	for pos := 0; pos < len(data) && n <= limit; {
		idLen := vintLen(data[pos])
		if idLen == 0 || idLen > 4 || pos+idLen > len(data) {
			break
		}
		var id uint32
		for _, b := range data[pos : pos+idLen] {
			id = id<<8 | uint32(b)
		}
		pos += idLen
		if pos >= len(data) {
			break
		}
		sizeLen := vintLen(data[pos])
		if sizeLen == 0 || pos+sizeLen > len(data) {
			break
		}
		var raw [8]byte
		copy(raw[8-sizeLen:], data[pos:pos+sizeLen])
		raw[8-sizeLen] &^= 0x80 >> (sizeLen - 1)
		size := binary.BigEndian.Uint64(raw[:])
		unknown := size == 1<<(7*sizeLen)-1
		pos += sizeLen
		n++
		if webmMasters[id] {
			continue // the children follow
		}
		if unknown || size > uint64(len(data)-pos) {
			break
		}
		pos += int(size)
	}
	return n
}

// vintLen is the length of an EBML variable-length integer from its first
// byte (1 to 8), or 0 for the invalid 0x00.
func vintLen(b byte) int {
	for i := range 8 {
		if b&(0x80>>i) != 0 {
			return i + 1
		}
	}
	return 0
}
