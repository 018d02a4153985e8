// Package turn is the one turn engine: what the agent does with a caller's
// words, the same for a live call (runtime/pipeline) and for
// conversation/process (runtime/service). It builds every provider request
// (the history window, the system prompt, the language, the agent's
// tools), streams the chat reply into sentences to speak, carries out the
// tools the model calls (runtime/tools), asks again with their results,
// and says what is to be stored (Stored: live calls, conversation/process
// and text calls store an exchange alike). Language auto answers in the language the
// caller was heard in, everywhere.
//
//	caller text -> chat (window + tools) -> sentences -> Output.Say
//	                 \-> tool calls -> tools.Runner -> chat again ...
package turn
