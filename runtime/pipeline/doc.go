// Package pipeline is the conversation loop of one call: the agent's side
// of a live call, started by runtime/live once the caller's audio
// connects.
//
//	caller frames (16 kHz, 20 ms) -> VAD (windows) -> turn detector
//	  -> STT stream (partials while speaking, final at end of turn)
//	  -> chat stream (system prompt, last history.max_turns turns)
//	  -> sentence chunker -> TTS stream -> media.Player (paced 20 ms)
//	sentiment(final caller text) runs beside the reply, never in front
//
// One goroutine per call owns the listening state (VAD, turn detector,
// STT stream) and the turn bookkeeping; each reply runs in its own
// goroutine with its own context, so a barge-in (the caller's speech
// confirmed while the agent talks) cancels chat and TTS at once and
// flushes the Player. The stored assistant turn then holds only what was
// played, marked interrupted.
//
// Timing: a turn ends when the caller has been silent for the agent's
// end_of_turn_silence. The VAD scores 32 ms windows, but the silence is
// counted from where the sound of the last confident window stops (4 ms
// blocks), and the loop ends the turn at that position's wall-clock
// deadline, between frames if need be: the caller waits neither for the
// window nor for the next frame beyond the configured silence. The
// runtime's overhead of a turn is the time from the end of the caller's
// speech to the first packet of the agent's voice, minus that silence and
// the providers' own time (STT final, chat first token, TTS first audio).
package pipeline
