// Package audio decodes uploaded audio files to mono 16-bit PCM
// (pcm.Audio) and resamples PCM between the rates the runtime uses.
//
// Decode sniffs the container from the bytes (WAV, MP3, Ogg/Opus,
// WebM/Opus) and returns mono PCM at the source rate; Resampler converts
// PCM between rates, frame by frame, with an anti-aliasing filter; EncodeWAV
// wraps PCM as a WAV file.
package audio
