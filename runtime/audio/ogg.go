package audio

import (
	"encoding/binary"
	"fmt"
)

// Ogg page header flags.
const (
	oggContinued = 0x01
	oggBOS       = 0x02
	oggEOS       = 0x04
)

const oggHeaderSize = 27

// oggPage is one page of an Ogg bitstream (RFC 3533).
type oggPage struct {
	flags   byte
	granule int64
	serial  uint32
	seq     uint32
	lacing  []byte // segment table
	body    []byte
}

// readOggPage parses the page at data[off:], checks its CRC and returns it
// with the offset of the next page.
func readOggPage(data []byte, off int) (oggPage, int, error) {
	b := data[off:]
	if len(b) < oggHeaderSize {
		return oggPage{}, 0, fmt.Errorf("header of %d bytes: %w", len(b), ErrCorrupt)
	}
	if string(b[:4]) != "OggS" {
		return oggPage{}, 0, fmt.Errorf("no capture pattern at byte %d: %w", off, ErrCorrupt)
	}
	if b[4] != 0 {
		return oggPage{}, 0, fmt.Errorf("stream structure version %d: %w", b[4], ErrCorrupt)
	}
	nseg := int(b[26])
	if len(b) < oggHeaderSize+nseg {
		return oggPage{}, 0, fmt.Errorf("segment table truncated: %w", ErrCorrupt)
	}
	p := oggPage{
		flags:   b[5],
		granule: int64(binary.LittleEndian.Uint64(b[6:])),
		serial:  binary.LittleEndian.Uint32(b[14:]),
		seq:     binary.LittleEndian.Uint32(b[18:]),
		lacing:  b[oggHeaderSize : oggHeaderSize+nseg],
	}
	size := 0
	for _, l := range p.lacing {
		size += int(l)
	}
	end := oggHeaderSize + nseg + size
	if len(b) < end {
		return oggPage{}, 0, fmt.Errorf("body of %d bytes, %d present: %w", size, len(b)-oggHeaderSize-nseg, ErrCorrupt)
	}
	p.body = b[oggHeaderSize+nseg : end]
	crc := oggCRC(0, b[:22])
	crc = oggCRC(crc, []byte{0, 0, 0, 0})
	crc = oggCRC(crc, b[26:end])
	if want := binary.LittleEndian.Uint32(b[22:]); crc != want {
		return oggPage{}, 0, fmt.Errorf("crc %08x, page says %08x: %w", crc, want, ErrCorrupt)
	}
	return p, off + end, nil
}

// packets calls fn with each packet that ends on the page; pending is the
// start of a packet continued from earlier pages and the returned slice is
// the unfinished packet the page leaves for the next one.
func (p oggPage) packets(pending []byte, fn func([]byte) error) ([]byte, error) {
	start := 0
	for _, l := range p.lacing {
		pending = append(pending, p.body[start:start+int(l)]...)
		start += int(l)
		if l < 255 {
			if err := fn(pending); err != nil {
				return nil, err
			}
			pending = pending[:0]
		}
	}
	return pending, nil
}

var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04C11DB7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// oggCRC updates the Ogg CRC-32 (polynomial 0x04C11DB7, no reflection, no
// final xor) with b.
func oggCRC(crc uint32, b []byte) uint32 {
	for _, x := range b {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^x]
	}
	return crc
}
