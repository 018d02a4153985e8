// Package oai is what the OpenAI provider plugins (openai-stt, openai-chat,
// openai-tts, and the llm mode of the sentiment plugin) share: the common
// options (base_url, api_key_env, timeout, max_retries) and their
// validation, a go-openai client whose HTTP transport retries throttled and
// failed requests with backoff, the mapping of OpenAI's errors to the
// provider sentinels, and the LLM sentiment call.
//
// Everything works against any OpenAI-compatible server (OpenAI, Ollama,
// llama.cpp server, vLLM, LocalAI): set base_url. The API key is read from
// the plugin's environment, never from options, and never appears in a log
// line or an error message.
package oai
