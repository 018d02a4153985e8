package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(t *testing.T, o options)
	}{
		{"overhead defaults", nil, false, func(t *testing.T, o options) {
			require.Equal(t, "bench", o.Agent)
			require.Equal(t, 4, o.Calls)
			require.Equal(t, 200, o.Turns)
		}},
		{"bargein defaults", []string{"-mode", "bargein"}, false, func(t *testing.T, o options) {
			require.Equal(t, "bench-bargein", o.Agent)
			require.Equal(t, 40, o.Turns)
		}},
		{"capacity list", []string{"-mode", "capacity", "-n", "5, 10"}, false, func(t *testing.T, o options) {
			require.Equal(t, []int{5, 10}, o.Ns)
		}},
		{"url wins over spawn", []string{"-url", "http://x"}, false, func(t *testing.T, o options) {
			require.Empty(t, o.Spawn)
		}},
		{"unknown mode", []string{"-mode", "x"}, true, nil},
		{"bad n", []string{"-n", "0"}, true, nil},
		{"fewer turns than calls", []string{"-calls", "5", "-turns", "2"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestLoadBench(t *testing.T) {
	a, err := loadBench("../agents", "bench")
	require.NoError(t, err)
	require.Equal(t, 850*1e6, float64(a.EndOfTurn+a.Providers()), "500ms silence + 100 + 200 + 50 ms providers")
	require.Contains(t, a.PluginPath, "bin/plugins/fakeprovider")
	_, err = loadBench("../agents", "nobody")
	require.Error(t, err)
}
