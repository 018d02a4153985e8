package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLifetimeSettings(t *testing.T) {
	c, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, 60*time.Second, c.Calls.RingTimeout)
	require.Equal(t, time.Hour, c.Calls.MaxDuration)
	require.Zero(t, c.RetentionPeriod(), "retention is off by default")

	c, err = Load(Sources{Environ: []string{"PARLEY_CALL_RING_TIMEOUT=5s", "PARLEY_CALL_MAX_DURATION=20m", "PARLEY_RETENTION=30d"}})
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, c.Calls.RingTimeout)
	require.Equal(t, 20*time.Minute, c.Calls.MaxDuration)
	require.Equal(t, 30*24*time.Hour, c.RetentionPeriod())

	for in, want := range map[string]time.Duration{"": 0, "0": 0, "off": 0, "7": 7 * 24 * time.Hour, " 90D ": 90 * 24 * time.Hour} {
		got, err := ParseRetention(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for env, key := range map[string]string{
		"PARLEY_RETENTION=30 days":     "retention",
		"PARLEY_RETENTION=-1":          "retention",
		"PARLEY_RETENTION=12h":         "retention",
		"PARLEY_CALL_RING_TIMEOUT=0s":  "call.ring_timeout",
		"PARLEY_CALL_MAX_DURATION=-1m": "call.max_duration",
	} {
		_, err := Load(Sources{Environ: []string{env}})
		require.ErrorContains(t, err, key, env)
		require.ErrorContains(t, err, "PARLEY_", env)
	}
}
