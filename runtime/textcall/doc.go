// Package textcall tries an agent without phoning it: a Session is a call
// in text, whose caller lines are answered by the one turn engine
// (runtime/turn) with the agent's real chat and sentiment plugins, its
// tools carried out for real, and no speech. `parley chat` is a console
// over a Session; `parley test` plays the tests: block of agent files
// through fresh Sessions and checks each turn (Run).
//
//	caller line -> Session.Say -> turn.Engine.Reply (chat, tools) -> Turn
//	                          \-> turn.Score (sentiment, beside the reply)
package textcall
