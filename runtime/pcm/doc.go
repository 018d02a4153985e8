// Package pcm holds Audio, mono signed 16-bit samples at a rate: the one
// form audio takes between the runtime's stages (decoders, resampler,
// media, turn engine) and across the plugin contract (STT requests, TTS
// streams).
//
// It imports only the standard library. runtime/provider, which every
// plugin links, and runtime/audio, which links the decoders (cgo Opus,
// MP3, WebM), both build on it, so a plugin gets the type without the
// decoders.
package pcm
