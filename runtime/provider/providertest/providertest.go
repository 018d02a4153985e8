// Package providertest connects a provider implementation to the runtime's
// client over an in-process gRPC connection, for plugin authors' tests: what
// passes here crosses the same shims as a real plugin process.
package providertest

import (
	"context"
	"testing"

	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/runtime/provider"
)

// Connect serves cfg in-process and returns the runtime's client of it. The
// connection closes when the test ends.
func Connect(t testing.TB, cfg provider.ServeConfig) *provider.Client {
	t.Helper()
	// Closing the client shuts the server down through go-plugin's
	// controller; stopping the server as well races inside go-plugin.
	client, _ := plugin.TestPluginGRPCConn(t, false, provider.ServerPlugins(cfg))
	t.Cleanup(func() { _ = client.Close() })
	c, err := provider.Connect(context.Background(), client)
	if err != nil {
		t.Fatalf("providertest: connect: %v", err)
	}
	return c
}
