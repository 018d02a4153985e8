// Package security attacks a built runtime the way a stranger on the
// internet would, in open mode and in key mode: credentials on every route,
// compression bombs, oversized bodies, idle connection floods, TLS, and
// (in the other files) signaling hijacks, admission, lifetimes and drain.
package security
