// Package service holds the runtime's use cases: the operations the REST
// API and signaling perform on calls, written once over the call domain, the
// store and the agent registry.
package service
