package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/textcall"
)

const testUsage = `usage: parley test [flags] [DIR or FILE ...]

Run the tests: block of agent files (default: the agents directory) against
the agents' real chat and sentiment plugins, each test a fresh call in text
(no speech). Prints PASS or FAIL per test and, for each failure, the file
and line of the expectation that did not hold. Exit status: 0 when every
test passed, 1 when one failed, 2 on a usage error or an invalid agent file.
`

// agentTests is `parley test`.
func agentTests(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("parley test", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	options := fs.StringArray("option", nil, "PLUGIN.KEY=VALUE: set an option of every provider using PLUGIN, for this run (e.g. openai-chat.base_url=http://127.0.0.1:8080/v1)")
	run := fs.String("run", "", "run only the tests whose name matches this regular expression")
	verbose := fs.BoolP("verbose", "v", false, "print each test's conversation")
	timeout := fs.Duration("timeout", time.Minute, "longest one test may take")
	file := fs.String("config", "", "YAML config file (also PARLEY_CONFIG)")
	fs.Usage = func() {
		fmt.Fprint(stderr, testUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	var filter *regexp.Regexp
	if *run != "" {
		var err error
		if filter, err = regexp.Compile(*run); err != nil {
			fmt.Fprintln(stderr, "parley test: --run:", err)
			return exitCode(2)
		}
	}
	overrides, err := parseOverrides(*options)
	if err != nil {
		fmt.Fprintln(stderr, "parley test:", err)
		return exitCode(2)
	}
	m, err := newTextMode(*file, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{m.cfg.AgentsDir}
	}
	specs, ok := loadForTest(paths, stdout)
	if !ok {
		fmt.Fprintln(stderr, "parley test: invalid agent files (above); no test was run")
		return exitCode(2)
	}
	var passed, failed, skipped int
	for _, spec := range specs {
		applyOverrides(spec, overrides)
		name := fmt.Sprintf("%s (%s)", spec.Name, relPath(spec.File))
		var todo []int
		for i, t := range spec.Tests {
			if filter == nil || filter.MatchString(t.Name) {
				todo = append(todo, i)
			}
		}
		if len(todo) == 0 {
			if len(spec.Tests) == 0 {
				fmt.Fprintf(stdout, "SKIP  %s: no tests\n", name)
				skipped++
			}
			continue
		}
		p, ok := m.start(ctx, spec, stdout)
		if !ok {
			fmt.Fprintf(stdout, "FAIL  %s: its plugins cannot serve it (above); %d tests not run\n", name, len(todo))
			failed += len(todo)
			continue
		}
		for _, i := range todo {
			tctx, cancel := context.WithTimeout(ctx, *timeout)
			res := textcall.Run(tctx, spec, i, p, m.engine)
			cancel()
			report(stdout, spec, res, *verbose)
			if res.Passed() {
				passed++
			} else {
				failed++
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed, %s without tests\n", passed, failed, plural(skipped, "agent"))
	if failed > 0 {
		return exitCode(1)
	}
	return nil
}

// report prints one test's outcome: PASS or FAIL, each failure as
// "file:line: step N: what happened", and with verbose the conversation.
func report(w io.Writer, spec *agent.Spec, res textcall.Result, verbose bool) {
	word := "PASS"
	if !res.Passed() {
		word = "FAIL"
	}
	fmt.Fprintf(w, "%s  %s: %s (%s, %s)\n", word, spec.Name, res.Test, plural(len(res.Exchanges), "step"), ms(res.Took))
	if verbose {
		if res.Greeting != "" {
			fmt.Fprintf(w, "      agent: %s\n", res.Greeting)
		}
		for _, ex := range res.Exchanges {
			fmt.Fprintf(w, "      you:   %s\n", ex.Say)
			for _, tc := range ex.Turn.ToolCalls {
				outcome := "-> " + clip(tc.Result)
				if tc.Error != "" {
					outcome = "failed: " + clip(tc.Error)
				}
				fmt.Fprintf(w, "      tool:  %s %s %s\n", tc.Name, clip(tc.Arguments), outcome)
			}
			fmt.Fprintf(w, "      agent: %s\n", ex.Turn.Reply)
		}
	}
	for _, f := range res.Failures {
		p := agent.Problem{File: relPath(spec.File), Line: f.Line, Message: f.String()}
		fmt.Fprintf(w, "      %s\n", p)
	}
}

// loadForTest loads the agent files of paths (directories and files),
// printing the problems of invalid ones; false when there were any.
func loadForTest(paths []string, w io.Writer) ([]*agent.Spec, bool) {
	var specs []*agent.Spec
	ok := true
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", path, err)
			ok = false
			continue
		}
		if !st.IsDir() {
			spec, err := agent.LoadFile(path)
			if err != nil {
				fmt.Fprintln(w, err)
				ok = false
				continue
			}
			specs = append(specs, spec)
			continue
		}
		files, err := agent.CheckDir(path)
		if err != nil {
			fmt.Fprintf(w, "%s: %v\n", path, err)
			ok = false
			continue
		}
		for _, f := range files {
			if f.Spec == nil {
				for _, p := range f.Problems {
					fmt.Fprintln(w, p)
				}
				ok = false
				continue
			}
			specs = append(specs, f.Spec)
		}
	}
	return specs, ok
}

// override is one --option: a provider option set for every provider of
// a plugin.
type override struct {
	plugin, key string
	value       any
}

// parseOverrides reads --option PLUGIN.KEY=VALUE flags; VALUE is read as
// YAML (so 0.5 is a number and true a boolean, as in an agent file).
func parseOverrides(flags []string) ([]override, error) {
	out := make([]override, 0, len(flags))
	for _, f := range flags {
		lhs, value, ok := strings.Cut(f, "=")
		plugin, key, ok2 := strings.Cut(lhs, ".")
		if !ok || !ok2 || plugin == "" || key == "" {
			return nil, fmt.Errorf("--option %q: write PLUGIN.KEY=VALUE, such as openai-chat.base_url=http://127.0.0.1:8080/v1", f)
		}
		var v any
		if err := yaml.Unmarshal([]byte(value), &v); err != nil || v == nil {
			v = value
		}
		out = append(out, override{plugin, key, v})
	}
	return out, nil
}

// applyOverrides sets the overrides in spec's providers (spec was loaded
// for this run; its options maps are copied, not changed in place).
func applyOverrides(spec *agent.Spec, overrides []override) {
	if len(overrides) == 0 {
		return
	}
	refs := []*agent.Provider{&spec.Providers.STT, &spec.Providers.Chat, &spec.Providers.TTS, spec.Providers.Sentiment}
	for _, ref := range refs {
		if ref == nil {
			continue
		}
		for _, o := range overrides {
			if ref.Plugin != o.plugin {
				continue
			}
			opts := maps.Clone(ref.Options)
			if opts == nil {
				opts = map[string]any{}
			}
			opts[o.key] = o.value
			ref.Options = opts
		}
	}
}

// plural is "1 step", "2 steps".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
