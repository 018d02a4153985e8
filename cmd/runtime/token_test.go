package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/auth"
)

// TestTokenVarFlags: parley token --var signs typed values of the agent's
// variables into the token, and refuses what a call would refuse.
func TestTokenVarFlags(t *testing.T) {
	agents, data := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(agents, "default.yaml"), []byte(`name: default
language: en
system_prompt: Help {{customer}} with order {{order_id}}.
variables:
  customer: {type: string, required: true}
  order_id: {type: integer}
  vip: {type: boolean, default: false}
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
`), 0o600))
	t.Setenv("PARLEY_AGENTS_DIR", agents)
	t.Setenv("PARLEY_DATA_DIR", data)

	var out, errOut bytes.Buffer
	require.NoError(t, token([]string{"--var", "customer=Ada Lovelace", "--var", "order_id=42", "--var", "vip=true"}, &out, &errOut), errOut.String())
	secret, err := auth.LoadSecret("", data)
	require.NoError(t, err)
	signer, err := auth.NewSigner(secret)
	require.NoError(t, err)
	claims, err := signer.Verify(strings.SplitN(out.String(), "\n", 2)[0])
	require.NoError(t, err)
	require.Equal(t, map[string]any{"customer": "Ada Lovelace", "order_id": json.Number("42"), "vip": true}, claims.Variables)

	for args, want := range map[string]string{
		"--var order_id=42":                    "variables.customer: is required",
		"--var customer=Ada --var order_id=4x": `variables.order_id: must be a whole number (integer), not "4x"`,
		"--var customer=Ada --var vip=maybe":   `variables.vip: must be true or false, not "maybe"`,
		"--var customer=Ada --var colour=red":  "variables.colour: is not declared",
		"--var customer":                       `--var "customer": write NAME=VALUE`,
	} {
		out.Reset()
		err := token(strings.Fields(args), &out, &errOut)
		require.ErrorContains(t, err, want, args)
		require.Empty(t, out.String(), "no token printed for %s", args)
	}
}
