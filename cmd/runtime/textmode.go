package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/textcall"
	"github.com/parleyhq/parley/runtime/turn"
)

// textMode is what parley chat and parley test try agents with: the
// runtime's settings and plugin host, no server and no speech.
type textMode struct {
	cfg     *config.Config
	plugins *host.Host
	engine  *turn.Engine
}

// newTextMode reads the settings as serve does (file, .env, environment)
// and prepares the plugin host; plugins start when an agent needs them.
// Logs below warnings are not shown: the console is for the conversation.
func newTextMode(file string, stderr io.Writer) (*textMode, error) {
	if file == "" {
		file = os.Getenv(config.ConfigFileEnv)
	}
	cfg, err := config.Load(config.Sources{File: file, DotEnv: ".env", Environ: os.Environ()})
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(cfg.SlogLevel(), slog.LevelWarn)}))
	plugins, err := newPluginHost(cfg, metrics.New(), log.With("component", "plugins"))
	if err != nil {
		return nil, err
	}
	// Failed tool calls are shown in the conversation, not logged again.
	quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return &textMode{cfg: cfg, plugins: plugins, engine: turn.New(turn.WithLogger(quiet))}, nil
}

// Close stops the plugins.
func (m *textMode) Close() { _ = m.plugins.Close() }

// start gets the agent's chat and sentiment providers, or prints why not
// (file, line and key of each problem) and returns false.
func (m *textMode) start(ctx context.Context, spec *agent.Spec, w io.Writer) (textcall.Providers, bool) {
	// As the server would, refuse an agent whose tool headers name unset
	// environment variables: its tools could not be called.
	if env := spec.EnvProblems(os.LookupEnv); len(env) > 0 {
		for _, l := range env {
			fmt.Fprintln(w, l)
		}
		return textcall.Providers{}, false
	}
	p, problems := textcall.Start(ctx, m.plugins, spec)
	for _, pr := range problems {
		fmt.Fprintln(w, relProblem(spec.ProblemAt(pr.Key, pr.Err.Error())))
	}
	return p, len(problems) == 0
}

// relProblem formats p with its file relative to the working directory
// when it lies below it.
func relProblem(p agent.Problem) string {
	p.File = relPath(p.File)
	return p.String()
}

// relPath is path relative to the working directory when it lies below it.
func relPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// findAgent loads the agent ref names: a file (a path ending in .yaml or
// .yml) or the name of an agent in dir. An invalid file's problems are
// printed to w.
func findAgent(ref, dir string, w io.Writer) (*agent.Spec, error) {
	if ext := filepath.Ext(ref); ext == ".yaml" || ext == ".yml" {
		spec, err := agent.LoadFile(ref)
		if err != nil {
			fmt.Fprintln(w, err)
			return nil, fmt.Errorf("agent file %s is invalid", ref)
		}
		return spec, nil
	}
	files, err := agent.CheckDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		if f.Spec != nil && f.Spec.Name == ref {
			return f.Spec, nil
		}
		if f.Spec == nil && strings.TrimSuffix(filepath.Base(f.File), filepath.Ext(f.File)) == ref {
			for _, p := range f.Problems {
				fmt.Fprintln(w, p)
			}
			return nil, fmt.Errorf("agent %q is invalid", ref)
		}
		if f.Spec != nil {
			names = append(names, f.Spec.Name)
		}
	}
	return nil, fmt.Errorf("no agent named %q in %s (it has: %s)", ref, dir, strings.Join(names, ", "))
}
