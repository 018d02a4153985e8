package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/api"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
	"github.com/parleyhq/parley/runtime/webhook"
	"github.com/parleyhq/parley/web"
)

const usageHead = `parley: a voice-agent runtime. Callers talk to agents defined in YAML files;
speech-to-text, chat, text-to-speech and sentiment come from provider plugins.

Usage:
  parley [flags]            serve the REST API and signaling (default port 3000)
  parley validate [--plugins] [dir]
                            check the agent files in dir (default agents/); --plugins also
                            has each agent's plugins check its options
  parley chat AGENT [--var NAME=VALUE]
                            talk to an agent in text in the terminal: its replies, tool calls
                            and your lines' sentiment (text only: no speech plugins)
  parley test [dir|file ...]
                            run the tests: of agent files against their real plugins; exit 1
                            when one fails, naming the file and line
  parley token [--agent N]  mint a call token (key mode) and print the demo page link that uses it
  parley version            print the version

Flags:
`

// maxRecoveredEvents bounds the calls left live by a crash whose
// call-ended webhooks are queued at start (admission keeps far fewer live).
const maxRecoveredEvents = 10_000

// serve runs the runtime until ctx is cancelled, then drains: no new calls,
// live calls go on for up to the drain timeout (or until now is closed),
// then they end, the sockets close, HTTP stops and the plugins last.
func serve(ctx context.Context, now <-chan struct{}, args []string, stdout, stderr io.Writer) error {
	fs := config.FlagSet("parley")
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(stdout, fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	file, _ := fs.GetString("config")
	if file == "" {
		file = os.Getenv(config.ConfigFileEnv)
	}
	cfg, err := config.Load(config.Sources{File: file, DotEnv: ".env", Environ: os.Environ(), Flags: fs})
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg)
	guard, err := newGuard(cfg)
	if err != nil {
		return err
	}
	log.Info("starting parley", "version", version, "addr", cfg.Addr(), "agents", cfg.AgentsDir, "data", cfg.DataDir, "postgres", cfg.DatabaseURL.IsSet(),
		"openai_key", cfg.OpenAI.APIKey.IsSet(), "key_mode", guard.KeyMode(), "api_keys", guard.Keys(), "tls", cfg.TLS.Enabled())
	warnIfExposed(log, cfg, guard)

	// What the runtime owns lives until the drain is over, not only until
	// the signal that starts it.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	st, err := openStore(base, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer func() { _ = st.Close() }()

	m := metrics.New()
	// Every store failure (a full disk ...) is counted, not only logged.
	db := store.CountErrors(st, m.StoreFailed)
	plugins, err := newPluginHost(cfg, m, log.With("component", "plugins"))
	if err != nil {
		return err
	}
	defer func() { _ = plugins.Close() }()

	agents, err := agent.NewRegistry(cfg.AgentsDir, cfg.DefaultAgent,
		agent.WithLogger(log.With("component", "agents")),
		agent.WithAvailability(availability(base, cfg, plugins)))
	if err != nil {
		return fmt.Errorf("load agents: %w", err)
	}
	// A plugin that recovers (or dies) changes which agents can run.
	onPluginChange.Store(func() { _ = agents.Reload() })

	instance, err := instanceID(cfg)
	if err != nil {
		return err
	}
	log.Info("instance", "id", instance, "lease", cfg.Instance.Lease, "bus", cfg.BusURL.IsSet())
	peers, err := joinCluster(base, cfg, instance, log)
	if err != nil {
		return err
	}
	defer func() { _ = peers.Close() }()
	// A new call needs the database and, with several instances, the bus:
	// while either is down it is refused at once with 503, saying which.
	busHealth := peers.busHealth()
	deps := func(ctx context.Context) error {
		var errs []error
		if err := st.Ping(ctx); err != nil {
			errs = append(errs, fmt.Errorf("the database is unreachable: %w", err))
		}
		if busHealth != nil {
			if err := busHealth(); err != nil {
				errs = append(errs, fmt.Errorf("the bus between instances is unreachable: %w", err))
			}
		}
		return errors.Join(errs...)
	}
	callOpts := []service.Option{service.WithInstance(instance), service.WithDependencies(deps),
		service.WithMaxCalls(cfg.Admission.MaxCalls), service.WithStreamLimits(plugins), service.WithOnRefused(m.Refused)}
	if peers.node != nil {
		// New agent calls go to the instance with the most room.
		callOpts = append(callOpts, service.WithPlacer(peers.node))
	}
	calls := service.NewCalls(db, agents, log.With("component", "calls"), callOpts...)
	// The calls a crash of this instance left live are failed now; their
	// call-ended webhooks are queued below, once the hooks exist.
	live, err := db.LiveCallsBefore(base, webhook.LiveStatuses, time.Now(), maxRecoveredEvents)
	if err != nil {
		return fmt.Errorf("calls left live: %w", err)
	}
	var left []*call.Call
	for _, c := range live {
		if c.Owner == instance || c.Owner == "" { // what Recover fails
			left = append(left, c)
		}
	}
	if _, err := calls.Recover(base); err != nil {
		return err
	}
	// Webhook events are queued in the store as they happen (after the
	// live side has seen the change) and sent by the worker.
	settle := webhook.NewSettle()
	hooksLog := log.With("component", "webhooks")
	worker := webhook.NewWorker(db, webhook.Config{
		MaxAttempts: cfg.Webhooks.MaxAttempts, Concurrency: cfg.Webhooks.Concurrency,
		Retention: cfg.Webhooks.RetentionPeriod(), Settle: settle, Metrics: m,
	}, hooksLog)
	hooks := webhook.NewHooks(db, calls, worker.Wake, hooksLog)
	// One turn engine answers live calls and conversation/process alike.
	turns := turn.New(turn.WithMetrics(m), turn.WithLogger(log.With("component", "turn")),
		turn.OnToolCall(toolWebhooks(base, calls, hooks, hooksLog)))
	conv := service.NewConversation(calls, db, agents, plugins, turns, log.With("component", "conversation"))
	rt, err := newRealtime(cfg, guard, calls, plugins, db, turns, settle, m, peers, log)
	if err != nil {
		return err
	}
	calls.Observe(hooks.CallChanged)
	ids := make([]string, len(left))
	for i, c := range left {
		ids[i] = c.ID
	}
	if _, err := hooks.Recovered(base, db, agents, ids); err != nil {
		hooksLog.Error("call-ended events of the calls left live not all queued", "err", err)
	}
	// The calls of a lost instance, failed here, get their call-ended
	// events as the calls a crash left live do.
	calls.OnLostCalls(func(ctx context.Context, ids []string) {
		if _, err := hooks.Recovered(ctx, db, agents, ids); err != nil {
			hooksLog.Error("call-ended events of a lost instance's calls not all queued", "err", err)
		}
	})
	defer func() { _ = rt.vad.Close() }()
	app := api.New(api.Deps{
		Config: cfg, Calls: calls, Agents: agents, Plugins: plugins, Conversation: conv,
		Signaling: rt.sig, Metrics: m.Handler(), Refused: m.Refused, Ready: st.Ping, Bus: busHealth, Log: log.With("component", "http"),
		Web: web.FS, Guard: guard, SignalingMaxPayload: cfg.Signaling.MaxPayload, Webhooks: worker,
	})

	ln, err := listen(cfg)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.TLS.Enabled() {
		scheme = "https"
	}
	log.Info("listening", "addr", ln.Addr().String(), "page", fmt.Sprintf("%s://localhost:%d/", scheme, cfg.Port), "docs", fmt.Sprintf("%s://localhost:%d/api/docs", scheme, cfg.Port))

	var debugLn net.Listener
	if cfg.Debug.Addr != "" {
		if debugLn, err = net.Listen("tcp", cfg.Debug.Addr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("debug listener: %w", err)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return agents.Run(base) })
	if debugLn != nil {
		g.Go(func() error { return serveDebug(gctx, debugLn, log.With("component", "debug")) })
	}
	// The lease stops first at a clean stop, so that no renewal follows
	// its drop (below).
	leaseCtx, stopLease := context.WithCancel(base)
	defer stopLease()
	leaseDone := make(chan struct{})
	g.Go(func() error {
		defer close(leaseDone)
		return calls.RunLease(leaseCtx, cfg.Instance.Lease)
	})
	if peers.node != nil {
		g.Go(func() error { return peers.node.RunLoad(leaseCtx, peers.load(calls)) })
	}
	g.Go(func() error {
		return calls.RunLifetimes(base, service.Lifetimes{
			RingTimeout: cfg.Calls.RingTimeout, MaxDuration: cfg.Calls.MaxDuration, Retention: cfg.RetentionPeriod(),
		})
	})
	// The worker stops with the drain: what it has not sent waits in the
	// store for the next start.
	g.Go(func() error { return worker.Run(base) })
	g.Go(func() error {
		if err := app.Listener(ln); err != nil {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		defer cancelBase()
		d := &drainer{calls: calls, live: rt.calls, timeout: cfg.Admission.DrainTimeout, now: now, log: log, poll: 100 * time.Millisecond}
		if ctx.Err() != nil { // a signal, not a failure: let the calls finish
			d.drain()
		}
		log.Info("shutting down")
		// Live calls end first (their status is stored), then the
		// sockets close, then HTTP; the plugins are closed last (defer).
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), cfg.HTTP.ShutdownTimeout)
		defer cancel()
		ended := d.endAll(sctx)
		if ended != nil {
			log.Error("calls did not end cleanly", "err", ended)
		}
		_ = rt.sig.Close()
		if err := app.ShutdownWithTimeout(cfg.HTTP.ShutdownTimeout); err != nil {
			return fmt.Errorf("http shutdown: %w", err)
		}
		// Its calls have ended: nobody needs to wait for its lease to run
		// out. (When they did not all end, the lease is left to run out,
		// so that a survivor fails what was left live.)
		stopLease()
		<-leaseDone
		if ended == nil {
			if err := calls.DropLease(sctx); err != nil {
				log.Error("lease not dropped", "err", err)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped")
	return nil
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func printUsage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprint(w, usageHead)
	fmt.Fprint(w, fs.FlagUsages())
	fmt.Fprint(w, "\nEnvironment (also read from ./.env; the environment wins over .env, flags win over both):\n")
	_ = config.WriteEnvHelp(w)
}

// toolWebhooks queues the tool-called webhooks of each finished tool call
// (on the turn's goroutine, bounded; agents without such webhooks cost
// nothing).
func toolWebhooks(ctx context.Context, calls *service.Calls, hooks *webhook.Hooks, log *slog.Logger) func(turn.ToolEvent) {
	return func(ev turn.ToolEvent) {
		if !ev.Done || ev.Spec == nil || len(ev.Spec.WebhooksFor(agent.EventToolCalled)) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c, err := calls.Get(ctx, ev.CallID)
		if err == nil {
			err = hooks.ToolCalled(ctx, c, ev.Spec, ev.Call)
		}
		if err != nil {
			log.Error("tool-called webhook not queued", "call", ev.CallID, "tool", ev.Call.Name, "err", err)
		}
	}
}
