package host

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogAdapter lets go-plugin log through the runtime's slog logger: the
// plugin's own JSON log lines on stderr, which go-plugin parses and re-logs,
// and go-plugin's messages about the process, both labelled with the plugin.
type slogAdapter struct {
	l     *slog.Logger
	name  string
	args  []any
	level hclog.Level
}

var _ hclog.Logger = (*slogAdapter)(nil)

func newSlogAdapter(l *slog.Logger, plugin string) *slogAdapter {
	return &slogAdapter{l: l.With("plugin", plugin), name: plugin, level: hclog.Debug}
}

func toSlog(level hclog.Level) slog.Level {
	switch level {
	case hclog.Trace, hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func (a *slogAdapter) Log(level hclog.Level, msg string, args ...any) {
	if level < a.level && level != hclog.NoLevel {
		return
	}
	a.l.Log(context.Background(), toSlog(level), msg, append(a.args, args...)...)
}

func (a *slogAdapter) Trace(msg string, args ...any) { a.Log(hclog.Trace, msg, args...) }
func (a *slogAdapter) Debug(msg string, args ...any) { a.Log(hclog.Debug, msg, args...) }
func (a *slogAdapter) Info(msg string, args ...any)  { a.Log(hclog.Info, msg, args...) }
func (a *slogAdapter) Warn(msg string, args ...any)  { a.Log(hclog.Warn, msg, args...) }
func (a *slogAdapter) Error(msg string, args ...any) { a.Log(hclog.Error, msg, args...) }
func (a *slogAdapter) IsTrace() bool                 { return a.level <= hclog.Trace }
func (a *slogAdapter) IsDebug() bool                 { return a.level <= hclog.Debug }
func (a *slogAdapter) IsInfo() bool                  { return a.level <= hclog.Info }
func (a *slogAdapter) IsWarn() bool                  { return a.level <= hclog.Warn }
func (a *slogAdapter) IsError() bool                 { return a.level <= hclog.Error }
func (a *slogAdapter) ImpliedArgs() []any            { return a.args }
func (a *slogAdapter) Name() string                  { return a.name }
func (a *slogAdapter) SetLevel(level hclog.Level)    { a.level = level }
func (a *slogAdapter) GetLevel() hclog.Level         { return a.level }

func (a *slogAdapter) With(args ...any) hclog.Logger {
	c := *a
	c.args = append(append([]any(nil), a.args...), args...)
	return &c
}

// Named keeps the plugin's own name: go-plugin names sub-loggers after the
// binary, which says nothing new.
func (a *slogAdapter) Named(string) hclog.Logger      { return a }
func (a *slogAdapter) ResetNamed(string) hclog.Logger { return a }

func (a *slogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(a.StandardWriter(opts), "", 0)
}

func (a *slogAdapter) StandardWriter(*hclog.StandardLoggerOptions) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		a.Info(string(p))
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
