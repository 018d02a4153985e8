// Package auth holds the runtime's credentials: API keys, which an operator
// gives to servers and people it trusts (key mode is on when at least one is
// configured), and call tokens, short-lived signed grants a key holder mints
// for a browser so that it can place one call to one agent without ever
// holding a key.
//
// A call token reads pt1.<claims>.<mac>: claims is the base64url JSON of
// Claims, mac the base64url HMAC-SHA256 of "pt1.<claims>" under the runtime's
// token secret. Tokens carry no secret of their own; whoever holds one may
// use it until it expires, so they live 15 minutes at most.
package auth
