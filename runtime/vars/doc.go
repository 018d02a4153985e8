// Package vars is the per-call variables of an agent: the {{name}}
// templates of its texts, the types a declared variable may have, the
// checking of the values a call is given against the declarations, and the
// built-in variables every call has (its id, the caller's number, the date
// and time in the agent's time zone). It imports only the standard library,
// so that anything may use it.
package vars
