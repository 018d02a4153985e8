// Package endpoint estimates whether a caller has finished their turn, from
// the signals a live call already has when the caller falls silent:
//
//   - the transcript so far (Text: rules per language, English and Korean
//     today): a trailing conjunction, preposition, article, filler or an
//     unfinished number means unfinished; a complete clause, a question or
//     a short answer means finished;
//   - the prosody of the end of the speech (Analyse): pitch and energy
//     falling, level or rising, and a held last syllable;
//   - the speech rate (Analyse): slow speakers pause longer inside a turn.
//
// Policy turns those cues into the silence to wait before the turn is
// taken as over: an agent's turn_taking min_silence for an utterance that
// sounds finished, max_silence for one that sounds unfinished, and in
// between as the cues disagree or are missing, shifted by its eagerness.
// Speech-to-text providers without partial transcripts give no text until
// the turn ends, so their calls decide on prosody alone.
//
// The package is pure computation on values the pipeline hands it; it
// holds no state between calls and starts no goroutines.
package endpoint
