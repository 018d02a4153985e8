package provider_test

import (
	"os/exec"
	"strings"
	"testing"
)

// pluginDeps are the packages a plugin may link from this module: the
// contract, its generated proto code and the PCM type.
var pluginDeps = map[string]bool{
	"github.com/parleyhq/parley/runtime/provider":          true,
	"github.com/parleyhq/parley/runtime/provider/proto/v1": true,
	"github.com/parleyhq/parley/runtime/pcm":               true,
}

// heavyDeps are third-party modules a plugin must not link through the
// contract: the agent loader's (fsnotify, JSON Schema, koanf, YAML), the
// server's (Fiber, Pion, SQLite, Socket.IO, Prometheus) and the decoders'
// (cgo Opus, MP3, WebM, ONNX Runtime).
var heavyDeps = []string{
	"github.com/fsnotify/fsnotify",
	"github.com/invopop/jsonschema",
	"github.com/santhosh-tekuri/jsonschema",
	"github.com/knadh/koanf",
	"go.yaml.in/yaml",
	"gopkg.in/yaml",
	"github.com/gofiber/fiber",
	"github.com/valyala/fasthttp",
	"github.com/pion/",
	"modernc.org/sqlite",
	"github.com/zishang520/socket.io",
	"github.com/prometheus/",
	"gopkg.in/hraban/opus",
	"github.com/hajimehoshi/go-mp3",
	"github.com/at-wat/ebml-go",
	"github.com/yalue/onnxruntime_go",
}

// TestPluginLinksOnlyTheContract lists what the example third-party plugin
// (examples/beeper) and the contract package link, and fails on any
// package of this module beyond the contract, and on any heavy module.
func TestPluginLinksOnlyTheContract(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	for _, pkg := range []string{
		"github.com/parleyhq/parley/examples/beeper",
		"github.com/parleyhq/parley/runtime/provider",
	} {
		t.Run(pkg[strings.LastIndex(pkg, "/")+1:], func(t *testing.T) {
			out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 10 {
				t.Fatalf("go list -deps %s listed only %v", pkg, deps)
			}
			for _, d := range deps {
				if d == pkg {
					continue
				}
				if strings.HasPrefix(d, "github.com/parleyhq/parley/") && !pluginDeps[d] {
					t.Errorf("%s links %s: a plugin should link only the contract", pkg, d)
				}
				for _, h := range heavyDeps {
					if strings.HasPrefix(d, h) {
						t.Errorf("%s links %s (from %s)", pkg, d, h)
					}
				}
			}
		})
	}
}
