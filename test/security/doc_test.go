// Package security holds the end-to-end proofs, against a built runtime,
// of what makes parley safe to expose (issue 11): it attacks the runtime
// the way a stranger on the internet would, in open mode and in key mode.
//
//   - http_test.go: credentials on every route, call tokens, compression
//     bombs, oversized bodies, idle connection floods, TLS;
//   - signaling_test.go: hijacks of a live call, a flooding socket;
//   - admission_test.go: the call cap, stream limits, drain on SIGTERM;
//   - lifetimes_test.go: ring timeout, max duration, silence timeout.
package security
