package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/parleyhq/parley/runtime/provider"
)

// skipWAVHeader reads a WAV header up to its data chunk and returns the
// sample rate. Only mono 16-bit PCM is accepted.
func skipWAVHeader(r *bufio.Reader) (int, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil || string(riff[8:12]) != "WAVE" {
		return 0, fmt.Errorf("%w: the server sent a RIFF file that is not WAVE", provider.ErrUnavailable)
	}
	rate := 0
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return 0, fmt.Errorf("%w: WAV from the server has no data chunk", provider.ErrUnavailable)
		}
		size := int64(binary.LittleEndian.Uint32(hdr[4:]))
		size += size % 2 // chunks are padded to even sizes
		switch string(hdr[:4]) {
		case "data":
			if rate == 0 {
				return 0, fmt.Errorf("%w: WAV from the server has no fmt chunk", provider.ErrUnavailable)
			}
			return rate, nil
		case "fmt ":
			if size < 16 {
				return 0, fmt.Errorf("%w: WAV from the server has a short fmt chunk", provider.ErrUnavailable)
			}
			var f [16]byte
			if _, err := io.ReadFull(r, f[:]); err != nil {
				return 0, fmt.Errorf("%w: WAV from the server is cut short", provider.ErrUnavailable)
			}
			format, channels := binary.LittleEndian.Uint16(f[0:]), binary.LittleEndian.Uint16(f[2:])
			bits := binary.LittleEndian.Uint16(f[14:])
			if format != 1 || channels != 1 || bits != 16 {
				return 0, fmt.Errorf("%w: WAV from the server is not mono 16-bit PCM (format %d, %d channels, %d bits)",
					provider.ErrUnavailable, format, channels, bits)
			}
			rate = int(binary.LittleEndian.Uint32(f[4:]))
			if rate < 8000 || rate > 48000 {
				return 0, fmt.Errorf("%w: WAV from the server has a rate of %d Hz", provider.ErrUnavailable, rate)
			}
			size -= 16
		}
		if _, err := io.CopyN(io.Discard, r, size); err != nil {
			return 0, fmt.Errorf("%w: WAV from the server is cut short", provider.ErrUnavailable)
		}
	}
}
