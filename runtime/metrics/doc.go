// Package metrics holds the runtime's Prometheus collectors behind verb
// methods (CallStarted, TurnCompleted, PluginError ...), so that callers
// never touch a raw collector and cannot invent a label. The collectors live
// in the Metrics' own registry, served by Handler together with the Go and
// process collectors (go_*, process_*, promhttp_*).
//
// A nil *Metrics is valid: every method is a no-op, so a package can take an
// optional *Metrics. Methods are safe for concurrent use and, once a label
// combination has been seen, do not allocate: they run on the audio path.
//
// # Metrics
//
// Durations are in seconds. Latency histograms have buckets from 5 ms to
// 10 s; parley_turn_overhead_seconds from 1 ms to 2.5 s.
//
//	name                                        type       labels          meaning
//	parley_stt_final_transcript_delay_seconds   histogram  agent, provider end of the caller's turn (after the silence) -> final transcript
//	parley_chat_first_token_delay_seconds       histogram  agent, provider request to the chat plugin -> first token
//	parley_tts_first_audio_delay_seconds        histogram  agent, provider request to the TTS plugin -> first audio
//	parley_turn_response_latency_seconds        histogram  agent           end of the caller's speech -> first packet of the agent's audio
//	parley_turn_overhead_seconds                histogram  agent           response latency - provider time - end-of-turn silence
//	parley_turn_end_wait_seconds                histogram  agent           silence waited after the caller's speech before taking the turn (fixed or adaptive)
//	parley_turns_total                          counter    agent           turns completed
//	parley_turn_interruptions_total             counter    agent           turns the caller interrupted (barge-in)
//	parley_backchannels_total                   counter    agent           acknowledgements said over the agent: it paused and resumed
//	parley_speculative_replies_total            counter    agent, outcome  replies started before the turn was confirmed: started, confirmed, discarded
//	parley_calls_finished_total                 counter    agent, status   calls that finished, by final status
//	parley_calls_active                         gauge      agent           calls in progress
//	parley_webrtc_peers_connected               gauge      -               WebRTC peers connected
//	parley_webrtc_frame_interval_seconds        histogram  -               time between two frames of the agent's voice to one caller
//	parley_plugin_errors_total                  counter    plugin, kind    errors returned by provider plugins
//	parley_plugin_restarts_total                counter    plugin          restarts of provider plugin processes
//	parley_refused_total                        counter    reason          calls and conversation/process requests refused with 503 (max_calls, stream_limit, draining, processing)
//	parley_caller_sentiment_total               counter    agent, sentiment caller turns by sentiment (positive, neutral, negative, other)
//	parley_panics_total                         counter    component        panics contained; the call they hit FAILED
//	parley_store_errors_total                   counter    op               store operations that failed (full disk ...)
//	parley_turns_lost_total                     counter    -                turns of live calls never stored (store down over 1 min, or far behind)
//
// # Labels
//
// Label values come from small fixed sets, never from a call id or a phone
// number:
//
//   - agent: the agent's name; "none" when empty (a person-to-person call).
//   - provider, plugin: the plugin's name, as the host names it (the file
//     name of a plugin given by path); "none" when empty.
//   - status: ENDED or FAILED; anything else is "other".
//   - component: live, pipeline, media, signaling, store or other.
//   - op: create_call, update_call, read_call, list_calls, append_turns,
//     read_turns, delete_calls, fail_live_calls, ping or other.
//   - kind: unavailable, timeout, invalid_input, invalid_options,
//     unauthorized, rate_limited, unsupported, bad_response, internal or other (the
//     Kind constants).
//
// Cardinality is capped: the first 64 agent names and 32 plugin names are
// kept, later ones are reported as "other", and so is any name longer than
// 64 bytes or holding a byte outside [A-Za-z0-9._-].
package metrics
