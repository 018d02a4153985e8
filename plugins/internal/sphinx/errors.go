package sphinx

import "errors"

// Sentinel errors of the decoder wrapper.
var (
	// ErrClosed means the decoder was used after Close.
	ErrClosed = errors.New("sphinx: decoder is closed")
	// ErrConfig means pocketsphinx refused the configuration (a model file
	// that does not load, a grammar that does not compile ...).
	ErrConfig = errors.New("sphinx: invalid configuration")
	// ErrDecode means pocketsphinx failed while decoding.
	ErrDecode = errors.New("sphinx: decoding failed")
)
