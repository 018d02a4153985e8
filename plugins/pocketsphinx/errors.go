package main

import "errors"

var (
	// errClosed is what a stream returns after Close.
	errClosed = errors.New("pocketsphinx: stream closed")
	// errSendClosed is what a send returns after CloseSend.
	errSendClosed = errors.New("pocketsphinx: send after CloseSend")
)
