package pipeline

// Live events sent to the clients of a call's session (see
// docs/signaling.md).
const (
	// EventTranscript: {callId, text, final}: the caller's words, partial
	// while they speak and final at the end of their turn.
	EventTranscript = "transcript"
	// EventAgentResponse: {callId, text, final, interrupted}: the agent's
	// reply, as deltas (final false) and then whole (final true; when
	// interrupted, only what was played).
	EventAgentResponse = "agent-response"
	// EventSentiment: {callId, text, sentiment, score}: the mood of the
	// caller's final words (score 0..1, as the original's).
	EventSentiment = "sentiment"
	// EventAgentSpeaking: {callId, state}: state is start, stop,
	// interrupted, paused or resumed.
	EventAgentSpeaking = "agent-speaking"
	// EventToolCall: {callId, id, name, arguments, state, result | error,
	// durationMs}: a tool the agent called, when it starts (state
	// running) and when it ends (succeeded or failed).
	EventToolCall = "tool-call"
	// EventTransfer: {callId, destination, target}: the agent transferred
	// the call (transfer_call); the agent's leg ends after its reply.
	EventTransfer = "call-transferred"
)

// Tool call states.
const (
	ToolRunning   = "running"
	ToolSucceeded = "succeeded"
	ToolFailed    = "failed"
)

// Agent speaking states.
const (
	SpeakingStart       = "start"
	SpeakingStop        = "stop"
	SpeakingInterrupted = "interrupted"
	// SpeakingPaused: the caller spoke over the agent, which holds its
	// voice until the words say whether that was an acknowledgement.
	SpeakingPaused = "paused"
	// SpeakingResumed: it was ("uh-huh"): the agent goes on where it
	// paused.
	SpeakingResumed = "resumed"
)

func (c *conversation) emit(event string, payload map[string]any) {
	payload["callId"] = c.callID
	c.line.Emit(event, payload)
}
