package host

import (
	"errors"
	"io"
)

// passEOF keeps io.EOF bare (callers compare with it) and names the plugin
// in any other error.
func passEOF(p *Process, err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return p.wrap(err)
}
