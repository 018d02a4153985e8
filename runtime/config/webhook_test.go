package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWebhookSettings(t *testing.T) {
	c, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, 12, c.Webhooks.MaxAttempts)
	require.Equal(t, 4, c.Webhooks.Concurrency)
	require.Equal(t, 7*24*time.Hour, c.Webhooks.RetentionPeriod())

	c, err = Load(Sources{Environ: []string{"PARLEY_WEBHOOK_MAX_ATTEMPTS=1", "PARLEY_WEBHOOK_CONCURRENCY=64", "PARLEY_WEBHOOK_RETENTION=0"}})
	require.NoError(t, err)
	require.Equal(t, 1, c.Webhooks.MaxAttempts)
	require.Equal(t, 64, c.Webhooks.Concurrency)
	require.Zero(t, c.Webhooks.RetentionPeriod())

	for env, key := range map[string]string{
		"PARLEY_WEBHOOK_MAX_ATTEMPTS=0":   "webhooks.max_attempts (PARLEY_WEBHOOK_MAX_ATTEMPTS)",
		"PARLEY_WEBHOOK_MAX_ATTEMPTS=101": "webhooks.max_attempts (PARLEY_WEBHOOK_MAX_ATTEMPTS)",
		"PARLEY_WEBHOOK_CONCURRENCY=0":    "webhooks.concurrency (PARLEY_WEBHOOK_CONCURRENCY)",
		"PARLEY_WEBHOOK_RETENTION=soon":   "webhooks.retention (PARLEY_WEBHOOK_RETENTION)",
	} {
		_, err := Load(Sources{Environ: []string{env}})
		require.ErrorContains(t, err, key, env)
	}
}
