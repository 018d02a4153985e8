// Package caller is the one loopback caller of the runtime that tests and
// benchmarks share: a Socket.IO client of /signaling (Join, Signal) and a
// Pion peer on loopback (NewAPI, internal/loopback) offered to the agent
// with trickled ICE both ways (Dial, Offer, Peer). A Signal's emits can go
// through another client than the Go one (Transport, NewSignal): tests use
// the official socket.io-client that way (internal/e2e's Bridge).
// Everything returns errors and takes a context, and Dial times each
// step; internal/e2e wraps it for tests (testing.TB) and
// bench/internal/peer places calls with it.
package caller
