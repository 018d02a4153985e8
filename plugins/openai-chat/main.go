// Command openai-chat is the chat provider plugin for OpenAI and any
// OpenAI-compatible server (Ollama, llama.cpp server, vLLM, LocalAI): it
// streams chat completions and offers the model an end_call tool.
//
// Options (providers.chat.options):
//
//	base_url       API root (default $OPENAI_BASE_URL, else https://api.openai.com/v1)
//	api_key_env    variable holding the key (default OPENAI_API_KEY; with
//	               another base_url no key is sent unless this is set)
//	timeout        per attempt: until headers, then per stall of the stream (default 30s)
//	max_retries    retries of 429, 5xx and connection errors (default 3)
//	model          default $OPENAI_MODEL, else gpt-4o
//	temperature    0 to 2 (default: the model's)
//	max_tokens     reply length limit, > 0 (default: none)
//	end_call_tool  offer the end_call tool (default true; false for
//	               servers or models without tool calling)
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/runtime/provider"
)

const (
	name    = "openai-chat"
	version = "1.0.0"
)

func main() {
	c := newChat(provider.Logger(name))
	if err := provider.Serve(provider.ServeConfig{Name: name, Version: version, Chat: c, Validator: c}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
