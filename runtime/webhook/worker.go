package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
)

// Defaults of Config.
const (
	DefaultMaxAttempts = 12
	DefaultConcurrency = 4
	defaultBaseDelay   = time.Second
	defaultMaxDelay    = 5 * time.Minute
	defaultPoll        = time.Second
	// settleWait bounds the wait for a call's last turns before its report
	// is built without them.
	settleWait = 30 * time.Second
	// lease is how long a claimed delivery is kept from other claims: more
	// than the longest attempt (30 s) plus settleWait. A delivery whose
	// sender died is due again after it.
	lease = 2 * time.Minute
	// saveTimeout bounds recording an attempt.
	saveTimeout = 5 * time.Second
	// sweepEvery is how often finished rows past the retention are deleted
	// and the queue depth is measured.
	sweepEvery  = time.Hour
	gaugeEvery  = 5 * time.Second
	deleteBatch = 500
)

// Config tunes a Worker; zero fields take their defaults.
type Config struct {
	// MaxAttempts is how many times a delivery is tried before it is
	// marked failed.
	MaxAttempts int
	// Concurrency is how many deliveries are sent at once.
	Concurrency int
	// Retention: delivered and failed rows older than this are deleted;
	// 0 keeps them until their call is deleted.
	Retention time.Duration
	// BaseDelay and MaxDelay shape the backoff: BaseDelay doubled after
	// each failed attempt, capped at MaxDelay, with jitter (a random half
	// of it taken off).
	BaseDelay, MaxDelay time.Duration
	// Poll is how often the queue is checked for due deliveries when
	// nothing wakes the worker.
	Poll time.Duration
	// Lookup reads the signing secrets; os.LookupEnv when nil.
	Lookup func(string) (string, bool)
	// Client sends the requests; nil for one that follows no redirects.
	Client *http.Client
	// Settle is waited on before a call's report is built; nil for none.
	Settle *Settle
	// Metrics counts attempts and the queue depth; may be nil.
	Metrics *metrics.Metrics
}

func (c *Config) defaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = defaultBaseDelay
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = defaultMaxDelay
	}
	if c.Poll <= 0 {
		c.Poll = defaultPoll
	}
	if c.Lookup == nil {
		c.Lookup = os.LookupEnv
	}
	if c.Client == nil {
		c.Client = &http.Client{
			// A redirect is an answer that is not 2xx: the event is not
			// re-sent to wherever it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
}

// Worker sends the queued deliveries. Run it once, from the runtime.
type Worker struct {
	st   store.Store
	cfg  Config
	log  *slog.Logger
	now  func() time.Time
	wake chan struct{}
}

// NewWorker returns a Worker sending the deliveries queued in st.
func NewWorker(st store.Store, cfg Config, log *slog.Logger) *Worker {
	cfg.defaults()
	if log == nil {
		log = slog.Default()
	}
	return &Worker{st: st, cfg: cfg, log: log, now: time.Now, wake: make(chan struct{}, 1)}
}

// Wake makes the worker look for due deliveries now. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries, at most Concurrency at once, until ctx ends;
// then it waits for the attempts in flight (cancelled: they are due again
// at the next start) and returns nil. Rows due from before a restart are
// sent at once. A panic of the loop is contained, counted and logged, and
// the loop starts again a second later.
func (w *Worker) Run(ctx context.Context) error {
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		w.loop(ctx, sem, &wg)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

// loop polls the queue until ctx ends or it panics.
func (w *Worker) loop(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) {
	defer fault.Recover(metrics.ComponentWebhooks, func(p *fault.Panic) {
		w.cfg.Metrics.Panicked(metrics.ComponentWebhooks)
		w.log.Error("webhook worker panicked: starting again", "panic", p.Value, "stack", string(p.Stack))
	})
	poll := time.NewTicker(w.cfg.Poll)
	defer poll.Stop()
	var lastSweep, lastGauge time.Time
	for {
		now := w.now()
		if now.Sub(lastSweep) >= sweepEvery {
			lastSweep = now
			w.sweep(ctx, now)
		}
		if now.Sub(lastGauge) >= gaugeEvery {
			lastGauge = now
			w.measure(ctx)
		}
		w.dispatch(ctx, sem, wg)
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-poll.C:
		}
	}
}

// dispatch claims as many due deliveries as there are free senders and
// starts them.
func (w *Worker) dispatch(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) {
	free := cap(sem) - len(sem)
	if free == 0 || ctx.Err() != nil {
		return
	}
	ds, err := w.st.ClaimDeliveries(ctx, w.now(), lease, free)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("webhook queue not read", "err", err)
		}
		return
	}
	for _, d := range ds {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer fault.Recover(metrics.ComponentWebhooks, w.panicked(d))
			w.attempt(ctx, d)
		}()
	}
}

func (w *Worker) panicked(d *store.Delivery) fault.Handler {
	return func(p *fault.Panic) {
		w.cfg.Metrics.Panicked(metrics.ComponentWebhooks)
		w.log.Error("webhook delivery panicked: it is tried again after its lease", "delivery", d.ID, "panic", p.Value, "stack", string(p.Stack))
	}
}

// attempt sends d once and records the outcome.
func (w *Worker) attempt(ctx context.Context, d *store.Delivery) {
	if d.Payload == nil {
		if err := w.build(ctx, d); err != nil {
			if ctx.Err() != nil {
				w.release(d)
				return
			}
			w.failed(d, fmt.Sprintf("report not built: %v", err), errors.Is(err, store.ErrNotFound))
			return
		}
	}
	err := w.send(ctx, d)
	if ctx.Err() != nil {
		// Shutting down: not the endpoint's fault. Due again at the next
		// start.
		w.release(d)
		return
	}
	if err != nil {
		w.failed(d, err.Error(), false)
		return
	}
	d.Attempts++
	d.Status, d.LastError, d.NextAttemptAt, d.FinishedAt = store.DeliveryDelivered, "", time.Time{}, w.now()
	w.save(d)
	w.cfg.Metrics.WebhookAttempt(d.Agent, d.Event, metrics.WebhookDelivered)
	w.log.Debug("webhook delivered", "delivery", d.ID, "event", d.Event, "event_id", d.EventID, "attempts", d.Attempts)
}

// build makes the call-ended report of d's call, once the call's
// conversation has stored its last turns, and stores it with d so that
// every attempt sends the same body.
func (w *Worker) build(ctx context.Context, d *store.Delivery) error {
	wctx, cancel := context.WithTimeout(ctx, settleWait)
	err := w.cfg.Settle.Wait(wctx, d.CallID)
	cancel()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	} else if err != nil {
		w.log.Warn("call's conversation still running: its report may miss the last turns", "call", d.CallID)
	}
	c, err := w.st.Call(ctx, d.CallID)
	if err != nil {
		return fmt.Errorf("read call: %w", err)
	}
	turns, err := w.st.Turns(ctx, d.CallID)
	if err != nil {
		return fmt.Errorf("read turns: %w", err)
	}
	body, err := encode(report(d.EventID, d.CreatedAt, c, turns))
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	d.Payload = body
	return nil
}

// failed records a failed attempt: scheduled again with backoff, or given
// up after MaxAttempts (or at once when final).
func (w *Worker) failed(d *store.Delivery, reason string, final bool) {
	d.Attempts++
	d.LastError = reason
	outcome := metrics.WebhookRetried
	if final || d.Attempts >= w.cfg.MaxAttempts {
		d.Status, d.NextAttemptAt, d.FinishedAt = store.DeliveryFailed, time.Time{}, w.now()
		outcome = metrics.WebhookFailed
		w.log.Warn("webhook delivery failed: giving up", "delivery", d.ID, "event", d.Event, "url", redactURL(d.URL), "attempts", d.Attempts, "err", reason)
	} else {
		d.NextAttemptAt = w.now().Add(w.backoff(d.Attempts))
		w.log.Info("webhook delivery failed: will retry", "delivery", d.ID, "event", d.Event, "url", redactURL(d.URL),
			"attempts", d.Attempts, "next", d.NextAttemptAt, "err", reason)
	}
	w.save(d)
	w.cfg.Metrics.WebhookAttempt(d.Agent, d.Event, outcome)
}

// backoff is the wait after the n-th failed attempt: BaseDelay doubled
// n-1 times, capped at MaxDelay, less a random part of up to half.
func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.MaxDelay
	if n-1 < 30 {
		d = min(w.cfg.BaseDelay<<(n-1), w.cfg.MaxDelay)
	}
	return d - rand.N(d/2+1)
}

// release makes a claimed delivery due now again, keeping what was built.
func (w *Worker) release(d *store.Delivery) {
	d.NextAttemptAt = w.now()
	w.save(d)
}

func (w *Worker) save(d *store.Delivery) {
	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	if err := w.st.SaveDelivery(ctx, d); err != nil && !errors.Is(err, store.ErrNotFound) {
		w.log.Error("webhook delivery not recorded: it is tried again after its lease", "delivery", d.ID, "err", err)
	}
}

// sweep deletes finished rows older than the retention, in small batches.
func (w *Worker) sweep(ctx context.Context, now time.Time) {
	if w.cfg.Retention <= 0 {
		return
	}
	for ctx.Err() == nil {
		n, err := w.st.DeleteDeliveriesBefore(ctx, now.Add(-w.cfg.Retention), deleteBatch)
		if err != nil {
			w.log.Error("old webhook deliveries not deleted", "err", err)
			return
		}
		if n < deleteBatch {
			return
		}
	}
}

// measure sets the queue depth gauge.
func (w *Worker) measure(ctx context.Context) {
	if w.cfg.Metrics == nil {
		return
	}
	_, n, err := w.st.Deliveries(ctx, store.DeliveryFilter{Status: store.DeliveryPending, Limit: 1})
	if err == nil {
		w.cfg.Metrics.WebhooksPending(n)
	}
}

// Deliveries returns a page of the queue, for the API.
func (w *Worker) Deliveries(ctx context.Context, f store.DeliveryFilter) ([]*store.Delivery, int, error) {
	ds, n, err := w.st.Deliveries(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("webhook deliveries: %w", err)
	}
	return ds, n, nil
}

// Retry makes the failed delivery id pending again, due now, and wakes
// the worker. The error wraps store.ErrNotFound or store.ErrConflict (not
// failed).
func (w *Worker) Retry(ctx context.Context, id string) (*store.Delivery, error) {
	d, err := w.st.RetryDelivery(ctx, id, w.now())
	if err != nil {
		return nil, fmt.Errorf("retry webhook delivery: %w", err)
	}
	w.Wake()
	return d, nil
}
