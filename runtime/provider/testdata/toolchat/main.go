// Command toolchat is a provider plugin built against the current contract,
// for the compatibility tests. Offered tools, it calls each of them once
// (parallel calls in one delta) with the last message as the argument;
// given tool results, it reads them back; otherwise it echoes the last
// message word by word, ending the call on "bye", as a plugin without tools
// would.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

func main() {
	if err := provider.Serve(provider.ServeConfig{Name: "toolchat", Version: "1.0.0", Chat: chat{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type chat struct{}

func (chat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	last := req.Messages[len(req.Messages)-1]
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		switch {
		case last.Role == provider.RoleTool:
			var parts []string
			for _, m := range req.Messages {
				if m.Role == provider.RoleTool {
					parts = append(parts, m.ToolCallID+"="+m.Content)
				}
			}
			return send(provider.ChatDelta{Text: strings.Join(parts, " ")})
		case len(req.Tools) > 0:
			arg, err := json.Marshal(map[string]string{"said": last.Content})
			if err != nil {
				return fmt.Errorf("arguments: %w", err)
			}
			var calls []provider.ToolCall
			for i, t := range req.Tools {
				calls = append(calls, provider.ToolCall{ID: fmt.Sprintf("call_%d", i+1), Name: t.Name, Arguments: string(arg)})
			}
			return send(provider.ChatDelta{ToolCalls: calls})
		}
		for _, w := range strings.Fields(last.Content) {
			if err := send(provider.ChatDelta{Text: w + " "}); err != nil {
				return err
			}
		}
		return send(provider.ChatDelta{EndCall: strings.Contains(last.Content, "bye")})
	}), nil
}
