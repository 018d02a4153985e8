// Package host runs provider plugins for the runtime: it starts each plugin
// binary that loaded agents need once, shares its connection between calls,
// health-checks it, restarts it with backoff when it exits or hangs, and
// turns a dead plugin into a typed error (provider.ErrUnavailable), never a
// hang. Plugin processes die with the runtime, even when it is SIGKILLed
// (Linux parent-death signal), but not with its process group: a SIGTERM
// to the group (as systemd sends) leaves them to the runtime, which stops
// them last, after its calls. They run at a lower scheduling priority than
// the runtime (Config.Nice).
//
// The catalog (catalog.go) lists the plugins shipped with the runtime, and
// Availability checks an agent against it before any plugin starts.
package host

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Config tunes the host. Zero fields take the defaults of Defaults.
type Config struct {
	Dir            string        // where built-in plugins live: <Dir>/<name>
	Env            []string      // environment of plugin processes (keys such as OPENAI_API_KEY)
	StartTimeout   time.Duration // launch + handshake
	RequestTimeout time.Duration // deadline of unary requests and whole chat/TTS streams
	Backoff        time.Duration // first restart delay
	MaxBackoff     time.Duration
	StableAfter    time.Duration // running this long resets the backoff
	HealthInterval time.Duration
	HealthTimeout  time.Duration
	ExitPoll       time.Duration // how often the supervisor checks for exit
	// Nice is the scheduling niceness of plugin processes (0: the
	// runtime's own): a plugin that needs more CPU than there is slows its
	// own answers, never the runtime's media.
	Nice   int
	Logger *slog.Logger
	// OnChange is called (in its own goroutine) when a plugin changes state,
	// e.g. so the agent registry re-checks availability.
	OnChange func(plugin string, s State)
}

// Defaults returns the default configuration for plugins in dir.
func Defaults(dir string) Config {
	return Config{
		Dir:            dir,
		StartTimeout:   10 * time.Second,
		RequestTimeout: 30 * time.Second,
		Backoff:        200 * time.Millisecond,
		MaxBackoff:     30 * time.Second,
		StableAfter:    30 * time.Second,
		HealthInterval: 5 * time.Second,
		HealthTimeout:  2 * time.Second,
		ExitPoll:       20 * time.Millisecond,
		Logger:         slog.Default(),
	}
}

func (c *Config) fill() {
	d := Defaults(c.Dir)
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&c.StartTimeout, d.StartTimeout)
	set(&c.RequestTimeout, d.RequestTimeout)
	set(&c.Backoff, d.Backoff)
	set(&c.MaxBackoff, d.MaxBackoff)
	set(&c.StableAfter, d.StableAfter)
	set(&c.HealthInterval, d.HealthInterval)
	set(&c.HealthTimeout, d.HealthTimeout)
	set(&c.ExitPoll, d.ExitPoll)
	if c.Logger == nil {
		c.Logger = d.Logger
	}
}

// Host owns the plugin processes.
type Host struct {
	cfg Config

	mu     sync.Mutex
	procs  map[string]*Process // by resolved path
	closed bool
}

// New returns a host; plugins start on first use.
func New(cfg Config) *Host {
	cfg.fill()
	return &Host{cfg: cfg, procs: map[string]*Process{}}
}

// Resolve finds the binary of a plugin reference: a built-in name is looked
// up in the plugin directory; a reference containing '/' is a path, relative
// to base (the agent file's directory) unless absolute.
func (h *Host) Resolve(ref, base string) (name, path string, err error) {
	if ref == "" {
		return "", "", fmt.Errorf("empty plugin reference")
	}
	if IsPath(ref) {
		path = ref
		if !filepath.IsAbs(path) {
			path = filepath.Join(base, path)
		}
		name = filepath.Base(path)
	} else {
		name, path = ref, filepath.Join(h.cfg.Dir, ref)
	}
	path, err = filepath.Abs(path)
	if err != nil {
		return "", "", fmt.Errorf("plugin %s: %w", ref, err)
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("plugin %s: binary %s not found (run `make plugins`?): %w", ref, path, err)
	case st.IsDir():
		return "", "", fmt.Errorf("plugin %s: %s is a directory, not a plugin binary", ref, path)
	case unix.Access(path, unix.X_OK) != nil:
		return "", "", fmt.Errorf("plugin %s: %s is not executable", ref, path)
	}
	return name, path, nil
}

// Plugin returns the supervised process of a plugin reference, starting it
// on first use. It does not wait for the process to be healthy.
func (h *Host) Plugin(ref, base string) (*Process, error) {
	name, path, err := h.Resolve(ref, base)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if p, ok := h.procs[path]; ok {
		return p, nil
	}
	p := newProcess(name, path, &h.cfg)
	h.procs[path] = p
	go p.run()
	return p, nil
}

// List returns every plugin's status, by name.
func (h *Host) List() []Status {
	h.mu.Lock()
	procs := make([]*Process, 0, len(h.procs))
	for _, p := range h.procs {
		procs = append(procs, p)
	}
	h.mu.Unlock()
	out := make([]Status, len(procs))
	for i, p := range procs {
		out[i] = p.Status()
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Name < out[j].Name || (out[i].Name == out[j].Name && out[i].Path < out[j].Path)
	})
	return out
}

// Close stops every plugin process and waits for them to exit.
func (h *Host) Close() error {
	h.mu.Lock()
	h.closed = true
	procs := h.procs
	h.procs = map[string]*Process{}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(p.close)
	}
	wg.Wait()
	return nil
}
