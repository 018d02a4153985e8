package provider

import (
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"golang.org/x/sys/unix"
)

// ServeConfig is what a plugin binary serves: its name and version, the
// capabilities it implements (nil for the others) and an optional options
// validator.
type ServeConfig struct {
	Name      string
	Version   string
	STT       STT
	Chat      Chat
	TTS       TTS
	Sentiment Sentiment
	Validator Validator
	// MaxStreams declares how many calls at once the plugin serves well,
	// for a plugin that spends a lot of CPU per stream (0: no limit). The
	// runtime refuses calls to agents that use it past this number rather
	// than let every call degrade.
	MaxStreams int
	// Languages declares the languages the plugin serves, as BCP-47 tags
	// (a base language such as en covers en-US, en-GB ...); nil for any.
	// The runtime reports an agent in another language unavailable.
	Languages []string
}

func (c *ServeConfig) description() Description {
	d := Description{Name: c.Name, Version: c.Version, MaxStreams: max(0, c.MaxStreams), Languages: c.Languages}
	if c.STT != nil {
		d.Kinds = append(d.Kinds, KindSTT)
	}
	if c.Chat != nil {
		d.Kinds = append(d.Kinds, KindChat)
	}
	if c.TTS != nil {
		d.Kinds = append(d.Kinds, KindTTS)
	}
	if c.Sentiment != nil {
		d.Kinds = append(d.Kinds, KindSentiment)
	}
	return d
}

// Logger returns the logger a plugin should use: JSON lines on stderr,
// which the runtime re-logs labelled with the plugin's name.
func Logger(name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: os.Stderr, JSONFormat: true, Level: hclog.Debug})
}

// Serve runs a plugin until the runtime that started it goes away. A
// plugin's main is a few lines:
//
//	func main() {
//		if err := provider.Serve(provider.ServeConfig{Name: "echo-tts", Version: "1.0.0", TTS: echo{}}); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//	}
//
// Started by hand (not by the runtime), it prints a message saying so and
// exits, as go-plugin does. A panic in a provider method (or in a stream
// producer started with Produce) fails that request with ErrInternal and
// is logged with its stack; the plugin keeps serving.
func Serve(cfg ServeConfig) error {
	if cfg.Name == "" {
		return fmt.Errorf("provider.Serve: Name is required")
	}
	if len(cfg.description().Kinds) == 0 {
		return fmt.Errorf("provider.Serve: %s implements no capability", cfg.Name)
	}
	langs, err := canonicalLanguages(cfg.Languages)
	if err != nil {
		return fmt.Errorf("provider.Serve: %s: %w", cfg.Name, err)
	}
	cfg.Languages = langs
	if err := dieWithParent(); err != nil {
		return err
	}
	log := Logger(cfg.Name)
	panicLog.Store(&log)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{1: pluginSetV1(&cfg)},
		GRPCServer:       newGRPCServer,
		Logger:           log,
	})
	return nil
}

// dieWithParent asks the kernel to kill this process when the runtime dies,
// however it dies (SIGKILL included): the runtime sets the same on its side,
// and doing it here too covers plugins started by other hosts.
func dieWithParent() error {
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("set parent-death signal: %w", err)
	}
	// The parent may have died before the prctl took effect.
	if want := os.Getenv(ParentPIDEnv); want != "" && want != strconv.Itoa(os.Getppid()) {
		return fmt.Errorf("the runtime that started this plugin (pid %s) has already exited", want)
	}
	return nil
}

// ParentPIDEnv tells a plugin the pid of the runtime that started it.
const ParentPIDEnv = "PARLEY_PARENT_PID"
