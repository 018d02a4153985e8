// Package call is the domain of a phone call answered by an agent or relayed
// between two people: the Call entity, its Status state machine and the
// PhoneNumber value object. It imports nothing else of this module, so every
// other package can depend on it.
package call
