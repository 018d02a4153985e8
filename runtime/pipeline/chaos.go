//go:build chaos

package pipeline

import "strings"

// In a runtime built with -tags chaos (benchmarks only), a caller turn
// panics the call's conversation loop when the call's agent is named
// chaos-panic..., or when the caller says "inject a panic".
func init() {
	chaosHook = func(agent, text string) {
		if strings.HasPrefix(agent, "chaos-panic") || strings.Contains(strings.ToLower(text), "inject a panic") {
			panic("chaos: a panic injected into the conversation loop")
		}
	}
}
