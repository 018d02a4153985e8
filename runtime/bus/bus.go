// Package bus carries messages between runtime instances over NATS: a
// subject per purpose and instance (parley.signal.<instance>.in ...),
// fire-and-forget publishes and request/reply. It is what lets a Socket.IO
// client on one instance reach a call held by another (runtime/signaling's
// remote.go). Why NATS and not Redis: docs/scaling.md and bench/RESULTS.md.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrUnreachable wraps a request that no instance subscribed to answers
// (the instance is gone) or that the bus cannot carry now (disconnected).
var ErrUnreachable = errors.New("bus: no instance answers")

// maxPending bounds what one subscription buffers before it drops
// messages (and counts them as dropped): a stuck handler costs memory, not
// the instance.
const (
	maxPendingMsgs  = 8192
	maxPendingBytes = 64 << 20
)

// Bus is a connection to the message bus. Its methods are safe for
// concurrent use.
type Bus struct {
	nc  *nats.Conn
	log *slog.Logger
}

// Msg is a message received by a handler; Respond answers a request.
type Msg struct {
	Subject string
	Data    []byte
	m       *nats.Msg
}

// Respond answers the request m carried; it is a no-op for a plain publish.
func (m Msg) Respond(data []byte) error {
	if m.m == nil || m.m.Reply == "" {
		return nil
	}
	if err := m.m.Respond(data); err != nil {
		return fmt.Errorf("bus: respond on %s: %w", m.Subject, err)
	}
	return nil
}

// Connect connects to the NATS server at rawURL (nats://[user:pass@]host:port,
// comma-separated for a cluster) as name. Connect fails at once, without
// the password, if the server cannot be reached; once connected it
// reconnects forever, buffering up to 8 MiB of publishes meanwhile.
func Connect(ctx context.Context, rawURL, name string, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "bus")
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.Timeout(5 * time.Second),
		nats.PingInterval(5 * time.Second),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: closed by Close
				log.Warn("bus disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { log.Info("bus reconnected", "server", Redact(nc.ConnectedUrl())) }),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Error("bus error", "subject", subject, "err", err)
		}),
	}
	type result struct {
		nc  *nats.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		nc, err := nats.Connect(rawURL, opts...)
		done <- result{nc, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("bus: connect to %s: %w", Redact(rawURL), r.err)
		}
		return &Bus{nc: r.nc, log: log}, nil
	case <-ctx.Done():
		go func() { // the dial is bounded by nats.Timeout
			if r := <-done; r.nc != nil {
				r.nc.Close()
			}
		}()
		return nil, fmt.Errorf("bus: connect to %s: %w", Redact(rawURL), ctx.Err())
	}
}

// Redact returns rawURL with any password replaced, for errors and logs.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable bus URL)"
	}
	return u.Redacted()
}

// Subject is the subject "parley." + the tokens joined by dots. A token
// may hold what subjects may not ('.', '*', '>', spaces: an instance id
// made from a host name has dots): those bytes are escaped as %XX, and so
// is '%', so that distinct tokens stay distinct.
func Subject(tokens ...string) string {
	var b strings.Builder
	b.WriteString("parley")
	for _, t := range tokens {
		b.WriteByte('.')
		for i := 0; i < len(t); i++ {
			switch c := t[i]; {
			case c == '.' || c == '*' || c == '>' || c == '%' || c <= ' ' || c >= 0x7f:
				b.WriteByte('%')
				b.WriteByte("0123456789ABCDEF"[c>>4])
				b.WriteByte("0123456789ABCDEF"[c&15])
			default:
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// Publish sends data on subject to whoever subscribes; it does not wait.
func (b *Bus) Publish(subject string, data []byte) error {
	if err := b.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("bus: publish on %s: %w", subject, err)
	}
	return nil
}

// Request sends data on subject and waits for the first answer, until ctx
// ends. It fails with ErrUnreachable when nobody subscribes to subject.
func (b *Bus) Request(ctx context.Context, subject string, data []byte) ([]byte, error) {
	m, err := b.nc.RequestWithContext(ctx, subject, data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return nil, fmt.Errorf("%w on %s", ErrUnreachable, subject)
	case err != nil:
		return nil, fmt.Errorf("bus: request on %s: %w", subject, err)
	}
	return m.Data, nil
}

// maxGathered bounds the answers Gather keeps.
const maxGathered = 64

// Gather sends data on subject and returns every answer that arrives
// until ctx ends (at most maxGathered): it asks all of the subject's
// subscribers at once, where Request takes the first answer. Nobody
// answering is no error, only no answers.
func (b *Bus) Gather(ctx context.Context, subject string, data []byte) ([][]byte, error) {
	inbox := b.nc.NewRespInbox()
	ch := make(chan *nats.Msg, maxGathered)
	sub, err := b.nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return nil, fmt.Errorf("bus: gather on %s: %w", subject, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := b.nc.PublishRequest(subject, inbox, data); err != nil {
		return nil, fmt.Errorf("bus: gather on %s: %w", subject, err)
	}
	var answers [][]byte
	for len(answers) < maxGathered {
		select {
		case m := <-ch:
			// The server says "no responders" (status 503) when nobody
			// subscribes to subject.
			if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
				continue
			}
			answers = append(answers, m.Data)
		case <-ctx.Done():
			return answers, nil
		}
	}
	return answers, nil
}

// Subscribe calls fn with every message on subject, one at a time in the
// order they came, on a goroutine the subscription owns; a panic in fn is
// logged and the next message handled. When Subscribe returns, the server
// has the subscription (a request sent from anywhere right after reaches
// it). Call the returned function to stop; once it returns the server
// sends nothing more for it.
func (b *Bus) Subscribe(subject string, fn func(Msg)) (func(), error) {
	sub, err := b.nc.Subscribe(subject, func(m *nats.Msg) {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("bus handler panic", "subject", m.Subject, "panic", r)
			}
		}()
		fn(Msg{Subject: m.Subject, Data: m.Data, m: m})
	})
	if err != nil {
		return nil, fmt.Errorf("bus: subscribe to %s: %w", subject, err)
	}
	if err := sub.SetPendingLimits(maxPendingMsgs, maxPendingBytes); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("bus: subscribe to %s: %w", subject, err)
	}
	if err := b.nc.FlushTimeout(5 * time.Second); err != nil {
		_ = sub.Unsubscribe()
		return nil, fmt.Errorf("bus: subscribe to %s: %w", subject, err)
	}
	return func() {
		// Flushed, so that once stop returns the server routes nothing
		// more here (a request right after gets "no responders").
		if sub.Unsubscribe() == nil {
			_ = b.nc.FlushTimeout(time.Second)
		}
	}, nil
}

// Flush waits until the server has processed everything published so far
// (subscriptions included), or ctx ends (at most 5 s without a deadline).
func (b *Bus) Flush(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	if err := b.nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("bus: flush: %w", err)
	}
	return nil
}

// Healthy returns nil while the bus is connected, an error saying why not
// otherwise (readiness, and new calls' admission).
func (b *Bus) Healthy() error {
	if s := b.nc.Status(); s != nats.CONNECTED {
		return fmt.Errorf("bus: %s", s)
	}
	return nil
}

// Close sends what was published (waiting up to a second) and closes the
// connection; the subscriptions stop.
func (b *Bus) Close() error {
	if b.nc.IsClosed() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := b.nc.FlushWithContext(ctx)
	b.nc.Close()
	if err != nil && b.nc.Status() != nats.CLOSED {
		return fmt.Errorf("bus: close: %w", err)
	}
	return nil
}
