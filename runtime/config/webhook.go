package config

import "time"

// Webhooks tunes the delivery of agents' webhooks.
type Webhooks struct {
	// MaxAttempts is how many times a delivery is tried before it is
	// marked failed.
	MaxAttempts int `koanf:"max_attempts"`
	// Concurrency is how many deliveries are sent at once.
	Concurrency int `koanf:"concurrency"`
	// Retention: delivered and failed deliveries older than this many days
	// are deleted ("7d" or "7"; empty or 0 keeps them until their call is
	// deleted).
	Retention string `koanf:"retention"`
}

// Bounds of the webhook settings.
const (
	maxWebhookAttempts    = 100
	maxWebhookConcurrency = 64
)

// RetentionPeriod returns how long finished deliveries are kept, 0 for
// as long as their call. Validate has checked it.
func (w Webhooks) RetentionPeriod() time.Duration {
	d, _ := ParseRetention(w.Retention)
	return d
}

func (w Webhooks) validate(bad func(key, format string, args ...any)) {
	if w.MaxAttempts < 1 || w.MaxAttempts > maxWebhookAttempts {
		bad("webhooks.max_attempts", "must be from 1 to %d, not %d", maxWebhookAttempts, w.MaxAttempts)
	}
	if w.Concurrency < 1 || w.Concurrency > maxWebhookConcurrency {
		bad("webhooks.concurrency", "must be from 1 to %d, not %d", maxWebhookConcurrency, w.Concurrency)
	}
	if _, err := ParseRetention(w.Retention); err != nil {
		bad("webhooks.retention", "%v", err)
	}
}
