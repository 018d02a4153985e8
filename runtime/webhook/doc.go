// Package webhook tells an agent's own systems about its calls: the events
// call-started, call-ended (with the transcript, timings, tool calls and a
// sentiment summary) and tool-called, as signed JSON POST requests to the
// URLs of the agent file's webhooks key.
//
// Every event is queued in the store the moment it happens (Hooks), and a
// Worker owned by the runtime sends it, retrying with exponential backoff
// and jitter until the endpoint answers 2xx or the attempts run out. A
// restart between an event and its delivery loses nothing: the worker
// picks up the due rows when it starts. Delivery is at least once (a crash
// during an attempt sends it again); receivers dedupe by event id. A slow
// or dead endpoint never holds up a call: calls only write a row.
//
// See docs/webhooks.md for the payloads and how a receiver verifies them.
package webhook
