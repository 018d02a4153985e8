package bus_test

// The measurement behind choosing NATS over Redis (docs/scaling.md,
// bench/RESULTS.md): a request and its answer between two instances'
// connections, as signaling forwards an event to a call's owner and gets
// its result, with a payload the size of an SDP offer. Both servers are
// Debian's (nats-server 2.9, redis-server 7.0) on loopback; Redis has no
// request/reply, so its side is built the usual way, on pub/sub with a
// reply channel per requester.

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/runtime/bus"
)

// offerSize is about the size of a browser's SDP offer (audio only).
const offerSize = 3 << 10

type roundTripper func(ctx context.Context, id int, data []byte) error

func BenchmarkRoundTrip(b *testing.B) {
	payload := make([]byte, offerSize)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	for _, server := range []struct {
		name  string
		setup func(b *testing.B, clients int) roundTripper
	}{{"nats", natsRoundTrip}, {"redis", redisRoundTrip}} {
		for _, clients := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/clients=%d", server.name, clients), func(b *testing.B) {
				rt := server.setup(b, clients)
				measure(b, rt, clients, payload)
			})
		}
	}
}

// measure runs b.N round trips over clients concurrent requesters and
// reports their latency's p50 and p99.
func measure(b *testing.B, rt roundTripper, clients int, payload []byte) {
	ctx := context.Background()
	for i := range clients { // warm up every requester
		if err := rt(ctx, i, payload); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	per := b.N/clients + 1
	b.ResetTimer()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				if err := rt(ctx, c, payload); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

func natsRoundTrip(b *testing.B, clients int) roundTripper {
	srv := bustest.NATS(b)
	owner, edge := srv.Connect(b, "owner"), srv.Connect(b, "edge")
	if _, err := owner.Subscribe("parley.bench.in", func(m bus.Msg) { _ = m.Respond(m.Data) }); err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, _ int, data []byte) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := edge.Request(ctx, "parley.bench.in", data)
		return err
	}
}

func redisRoundTrip(b *testing.B, clients int) roundTripper {
	srv := bustest.Redis(b)
	dial := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: srv.URL, PoolSize: clients + 4})
		b.Cleanup(func() { _ = c.Close() })
		return c
	}
	ctx := context.Background()
	owner, edge := dial(), dial()
	in := owner.Subscribe(ctx, "parley.bench.in")
	if _, err := in.Receive(ctx); err != nil { // the subscription is confirmed
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = in.Close() })
	go func() {
		for m := range in.Channel(redis.WithChannelSize(1024)) {
			// payload: "<reply channel>\n<data>"
			for i := 0; i < len(m.Payload); i++ {
				if m.Payload[i] == '\n' {
					owner.Publish(ctx, m.Payload[:i], m.Payload[i+1:])
					break
				}
			}
		}
	}()
	replies := make([]<-chan *redis.Message, clients)
	for i := range clients {
		sub := edge.Subscribe(ctx, fmt.Sprintf("parley.bench.reply.%d", i))
		if _, err := sub.Receive(ctx); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = sub.Close() })
		replies[i] = sub.Channel()
	}
	return func(ctx context.Context, id int, data []byte) error {
		msg := append([]byte(fmt.Sprintf("parley.bench.reply.%d\n", id)), data...)
		if err := edge.Publish(ctx, "parley.bench.in", msg).Err(); err != nil {
			return err
		}
		select {
		case <-replies[id]:
			return nil
		case <-time.After(5 * time.Second):
			return fmt.Errorf("no reply from redis within 5 s")
		}
	}
}
