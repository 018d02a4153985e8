package pipeline

// chaosHook is nil except in binaries built with the chaos tag (chaos.go):
// there it sees every caller turn's final transcript on the call's loop
// and may panic, so that a benchmark can prove that a panic in one call
// fails that call only.
var chaosHook func(agent, text string)
