package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/provider"
)

// Process supervises one plugin binary: it starts it, watches it, and
// restarts it with backoff when it exits or stops answering. Requests use
// the current connection; while there is none they fail at once with an
// error matching provider.ErrUnavailable rather than wait.
type Process struct {
	name string
	path string
	cfg  *Config
	log  *slog.Logger

	mu       sync.Mutex
	state    State
	client   *plugin.Client
	conn     *provider.Client
	pid      int
	restarts int
	lastErr  string
	// maxStreams is the plugin's declared stream limit (0: none), kept
	// across restarts.
	maxStreams int
	changed    chan struct{} // closed and replaced on every state change

	stop chan struct{}
	done chan struct{}
}

func newProcess(name, path string, cfg *Config) *Process {
	return &Process{
		name: name, path: path, cfg: cfg,
		log:     cfg.Logger.With("plugin", name),
		state:   StateStarting,
		changed: make(chan struct{}),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Name is how agents refer to the plugin.
func (p *Process) Name() string { return p.name }

// Status returns a snapshot for the API.
func (p *Process) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Status{Name: p.name, Path: p.path, PID: p.pid, State: p.state, Restarts: p.restarts, LastError: p.lastErr, Kinds: []string{}, MaxStreams: p.maxStreams}
	if p.conn != nil {
		s.Version = p.conn.Description.Version
		s.Languages = p.conn.Description.Languages
		for _, k := range p.conn.Description.Kinds {
			s.Kinds = append(s.Kinds, string(k))
		}
	}
	return s
}

// current returns the live connection, or an error saying why there is none.
func (p *Process) current() (*provider.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == StateHealthy && p.conn != nil {
		return p.conn, nil
	}
	reason := p.state.String()
	if p.lastErr != "" {
		reason += ": " + p.lastErr
	}
	return nil, fmt.Errorf("plugin %s: %w (%w; %s)", p.name, provider.ErrUnavailable, ErrNotRunning, reason)
}

// WaitHealthy waits until the plugin serves, or ctx ends.
func (p *Process) WaitHealthy(ctx context.Context) (*provider.Client, error) {
	for {
		p.mu.Lock()
		state, conn, changed := p.state, p.conn, p.changed
		p.mu.Unlock()
		switch {
		case state == StateHealthy && conn != nil:
			return conn, nil
		case state == StateStopped:
			return nil, fmt.Errorf("plugin %s: %w", p.name, ErrClosed)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			_, err := p.current()
			return nil, fmt.Errorf("%w (waited: %w)", err, ctx.Err())
		}
	}
}

func (p *Process) setState(s State, lastErr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setStateLocked(s, lastErr)
}

// setStateLocked is setState with p.mu held: whoever changes the
// connection changes the state in the same critical section, so that no
// reader sees StateHealthy without a connection (WaitHealthy returned
// none once, on a plugin that had just exited, and CheckAgent crashed on
// it).
func (p *Process) setStateLocked(s State, lastErr string) {
	p.state = s
	if lastErr != "" {
		p.lastErr = lastErr
	}
	close(p.changed)
	p.changed = make(chan struct{})
	if p.cfg.OnChange != nil {
		fault.Go("plugins", func(pn *fault.Panic) {
			p.log.Error("plugin state observer panicked", "state", s.String(), "panic", pn.Value, "stack", string(pn.Stack))
		}, func() { p.cfg.OnChange(p.name, s) })
	}
}

// run is the supervisor loop; it returns when stop is closed.
func (p *Process) run() {
	defer close(p.done)
	backoff := p.cfg.Backoff
	for {
		started := time.Now()
		err := p.serveOnce()
		select {
		case <-p.stop:
			p.setState(StateStopped, "")
			return
		default:
		}
		if time.Since(started) > p.cfg.StableAfter {
			backoff = p.cfg.Backoff // it ran fine for a while: start over fast
		}
		p.mu.Lock()
		p.restarts++
		next := StateRestarting
		if p.conn == nil { // it never started
			next = StateFailed
		}
		p.conn, p.pid = nil, 0
		p.setStateLocked(next, err.Error())
		p.mu.Unlock()
		p.log.Warn("plugin stopped; restarting", "error", err, "in", backoff.String())
		select {
		case <-p.stop:
			p.setState(StateStopped, "")
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, p.cfg.MaxBackoff)
		p.setState(StateStarting, "")
	}
}

// serveOnce starts the plugin and blocks until it exits, stops answering
// health checks, or the host stops. It always leaves no process behind.
func (p *Process) serveOnce() error {
	cmd := exec.Command(p.path)
	cmd.Env = append(append([]string(nil), p.cfg.Env...), provider.ParentPIDEnv+"="+strconv.Itoa(os.Getpid()))
	// The kernel kills the plugin when the runtime dies, even by SIGKILL.
	// Its own process group keeps it out of a signal sent to the
	// runtime's group (systemd's stop, Ctrl-C in a terminal): the runtime
	// drains its calls first and then closes its plugins itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  provider.Handshake,
		VersionedPlugins: provider.VersionedPlugins(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     p.cfg.StartTimeout,
		Logger:           newSlogAdapter(p.cfg.Logger, p.name),
		SkipHostEnv:      true,
	})
	defer client.Kill()

	rpc, err := client.Client()
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.StartTimeout)
	conn, err := provider.Connect(ctx, rpc)
	cancel()
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	pid := 0
	if rc := client.ReattachConfig(); rc != nil {
		pid = rc.Pid
	}
	if p.cfg.Nice > 0 && pid > 0 {
		if err := renice(pid, p.cfg.Nice); err != nil {
			p.log.Warn("plugin runs at the runtime's priority: under CPU overload it competes with media", "error", err)
		}
	}
	p.mu.Lock()
	p.client, p.conn, p.pid = client, conn, pid
	p.maxStreams = conn.Description.MaxStreams
	p.setStateLocked(StateHealthy, "")
	p.mu.Unlock()
	p.log.Info("plugin started", "pid", pid, "version", conn.Description.Version, "kinds", conn.Description.Kinds)

	tick := time.NewTicker(p.cfg.ExitPoll)
	defer tick.Stop()
	lastCheck := time.Now()
	for {
		select {
		case <-p.stop:
			return errors.New("host stopped")
		case <-tick.C:
		}
		if client.Exited() {
			return errors.New("process exited")
		}
		if time.Since(lastCheck) >= p.cfg.HealthInterval {
			lastCheck = time.Now()
			if err := p.ping(rpc); err != nil {
				return fmt.Errorf("health check failed: %w", err)
			}
		}
	}
}

// ping checks the plugin answers within the health timeout; a hung plugin
// is killed and restarted like a crashed one.
func (p *Process) ping(rpc plugin.ClientProtocol) error {
	done := make(chan error, 1)
	go func() { done <- rpc.Ping() }()
	select {
	case err := <-done:
		return err
	case <-time.After(p.cfg.HealthTimeout):
		return fmt.Errorf("no answer within %s", p.cfg.HealthTimeout)
	}
}

// close stops the supervisor and kills the process.
func (p *Process) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}
