// Package turns holds the turn-taking test set of issue 13 (set.yaml:
// finished utterances, utterances with a pause at an unfinished point,
// backchannels and real interruptions, in English and Korean) and turns
// its items into labelled 16 kHz audio with the offline engines (flite,
// espeak-ng).
//
// Its users are the turn benchmark (bench/turns), end-to-end tests of
// turn-taking and unit tests of the end-of-turn text rules (which need
// only the transcripts). README.md says how items are written and
// labelled and how to add one; `make turnset` writes the set as WAV files
// to listen to.
package turns
