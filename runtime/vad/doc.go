// Package vad scores speech in a call's audio: voice activity detection at
// the frame level, for the conversation loop that decides turns.
//
// A Model is loaded once per process and shared by every call; each call
// gets its own Stream, which takes mono 16 kHz PCM in any chunk size (the
// loop's 20 ms frames) and returns one speech probability per complete
// window:
//
//	20 ms frames (320 samples) ──► Stream.Write ──► one probability per
//	                                 │               32 ms window (512 samples)
//	                                 └─ per-call state (Silero: LSTM state and
//	                                    64 samples of context; energy: noise floor)
//
// Two models implement it. Silero VAD (v5/v6 ONNX interface) runs through
// ONNX Runtime, loaded at run time from libonnxruntime.so.1 with
// github.com/yalue/onnxruntime_go; all streams share one session, and one
// goroutine (on its own thread, at a lower priority than the calls' audio)
// scores the windows of all calls in batches, which halves a window's
// cost with many calls. The
// energy model is pure Go and needs no files: it is the fallback when the
// Silero files are missing, and it is much weaker in noise (see
// NewEnergy). Open picks Silero when it can and says why when it cannot.
//
// With WithEnergyGate, Open puts Silero behind the energy detector: Silero
// scores only the windows the energy detector finds loud enough, and their
// ends, which saves most of its CPU on the silent half of a call.
//
// Both models use 512-sample windows, so turn-taking thresholds mean the
// same thing whichever model is loaded.
package vad
