package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// BuildRuntime builds the runtime as dir/parley (see Binary) and plugins,
// named by their directory under plugins/ (all of them when none is named),
// into dir/plugins, the layout `make build` produces, concurrently; dir is a
// fresh temporary directory. With race the runtime gets the race detector
// (pass Race).
func BuildRuntime(t testing.TB, race bool, plugins ...string) (dir string) {
	t.Helper()
	dir = t.TempDir()
	if err := Build(dir, race, plugins...); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Build is BuildRuntime into dir, for a TestMain or a benchmark: the
// repository is found from the working directory up (RepoRoot).
func Build(dir string, race bool, plugins ...string) error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	if len(plugins) == 0 {
		entries, err := os.ReadDir(filepath.Join(root, "plugins"))
		if err != nil {
			return fmt.Errorf("list plugins: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() && e.Name() != "internal" {
				plugins = append(plugins, e.Name())
			}
		}
	}
	pkgs := make([]string, len(plugins))
	for i, p := range plugins {
		pkgs[i] = "./plugins/" + p
	}
	runtimeArgs := []string{"build", "-o", Binary(dir)}
	if race {
		runtimeArgs = append(runtimeArgs, "-race")
	}
	builds := [][]string{
		append(runtimeArgs, "./cmd/runtime"),
		// One go build for all plugins: with -o naming a directory, each
		// main package becomes dir/plugins/<its directory name>.
		append([]string{"build", "-o", filepath.Join(dir, "plugins") + string(filepath.Separator)}, pkgs...),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(builds))
	for i, args := range builds {
		wg.Go(func() {
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Binary is the runtime's executable in a directory BuildRuntime returned.
func Binary(dir string) string {
	return filepath.Join(dir, "parley")
}

// BuildDefault builds the runtime and only the plugins agents/default.yaml
// names (see BuildRuntime) and returns the runtime's binary. The other
// agents of agents/ need an OpenAI key, which a test's runtime does not
// have: their plugins would never start, so they are not built (a link is
// seconds on a loaded machine).
func BuildDefault(t testing.TB) string {
	t.Helper()
	root := Root(t)
	var spec struct {
		Providers map[string]struct {
			Plugin string `yaml:"plugin"`
		} `yaml:"providers"`
	}
	raw, err := os.ReadFile(filepath.Join(root, "agents", "default.yaml"))
	if err == nil {
		err = yaml.Unmarshal(raw, &spec)
	}
	if err != nil {
		t.Fatalf("agents/default.yaml: %v", err)
	}
	var plugins []string
	for _, p := range spec.Providers {
		if _, err := os.Stat(filepath.Join(root, "plugins", p.Plugin)); err == nil && !slices.Contains(plugins, p.Plugin) {
			plugins = append(plugins, p.Plugin)
		}
	}
	if len(plugins) == 0 {
		t.Fatal("agents/default.yaml names no built-in plugin")
	}
	return Binary(BuildRuntime(t, Race, plugins...))
}
