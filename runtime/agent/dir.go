package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fileResult is what one agent file of a directory yielded.
type fileResult struct {
	// file is the directory joined with the file name.
	file string
	// name is the agent name, or the file stem when the file is too broken
	// to tell.
	name string
	// spec is the valid spec, or the previous version kept in service while
	// the file is invalid; nil when the file is invalid.
	spec *Spec
	// kept is true when spec is a previous version.
	kept     bool
	problems []Problem
}

// isAgentFile reports whether a directory entry named name holds an agent:
// *.yaml or *.yml, but not hidden files, editor locks (.#x) or backups (x~).
func isAgentFile(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return false
	}
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// scanDir parses every agent file of dir, in file name order.
func scanDir(dir string) ([]fileResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read agents directory: %w", err)
	}
	var out []fileResult
	for _, e := range entries {
		if !isAgentFile(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		// Stat follows symlinks, as Kubernetes ConfigMap mounts use them.
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir, or a dangling symlink
		}
		if err == nil && !info.Mode().IsRegular() {
			continue
		}
		out = append(out, loadResult(path))
	}
	return out, nil
}

// loadResult reads and parses one agent file.
func loadResult(path string) fileResult {
	r := fileResult{file: path, name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))}
	data, err := os.ReadFile(path)
	if err != nil {
		r.problems = []Problem{{File: path, Message: fmt.Sprintf("cannot read the file: %v", err)}}
		return r
	}
	spec, problems := parse(path, data)
	if nameRE.MatchString(spec.Name) {
		r.name = spec.Name
	}
	if len(problems) > 0 {
		r.problems = problems
		return r
	}
	r.spec = spec
	return r
}

// markDuplicates makes invalid every file whose agent name an earlier file
// (in file name order) already uses.
func markDuplicates(rs []fileResult) {
	first := map[string]string{}
	for i := range rs {
		r := &rs[i]
		if r.spec == nil {
			continue
		}
		if f, dup := first[r.spec.Name]; dup {
			r.problems = append(r.problems, Problem{
				File:    r.file,
				Key:     "name",
				Line:    r.spec.nameLine,
				Message: fmt.Sprintf("agent %q is already defined in %s; agent names must be unique", r.spec.Name, f),
			})
			r.spec, r.kept = nil, false
			continue
		}
		first[r.spec.Name] = r.file
	}
}

// ValidateDir checks every agent file of dir as the registry would load it,
// including names used by two files. It returns one line per problem and one
// "ok" line per valid agent, ready to print, and an error wrapping ErrInvalid
// when any file has a problem (ErrNoAgents when there is no agent file).
// Provider availability (API keys and such) is not checked.
func ValidateDir(dir string) ([]string, error) {
	rs, err := scanDir(dir)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w in %s: agent files end in .yaml or .yml", ErrNoAgents, dir)
	}
	markDuplicates(rs)
	var lines []string
	invalid := 0
	for _, r := range rs {
		if r.spec != nil {
			lines = append(lines, fmt.Sprintf("%s: ok (agent %q)", r.file, r.spec.Name))
			continue
		}
		invalid++
		for _, p := range r.problems {
			lines = append(lines, p.String())
		}
	}
	if invalid > 0 {
		return lines, fmt.Errorf("%w: %d of %d agent files in %s have problems", ErrInvalid, invalid, len(rs), dir)
	}
	return lines, nil
}

// Checked is one agent file of a directory as the registry would load it:
// its spec when valid, else its problems.
type Checked struct {
	// File is the directory joined with the file name.
	File     string
	Spec     *Spec // nil when the file has problems
	Problems []Problem
}

// CheckDir parses every agent file of dir, in file name order, as the
// registry would load it, including names used by two files (ErrNoAgents
// when there is no agent file). Provider availability is not checked.
func CheckDir(dir string) ([]Checked, error) {
	rs, err := scanDir(dir)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("%w in %s: agent files end in .yaml or .yml", ErrNoAgents, dir)
	}
	markDuplicates(rs)
	out := make([]Checked, len(rs))
	for i, r := range rs {
		out[i] = Checked{File: r.file, Spec: r.spec, Problems: r.problems}
	}
	return out, nil
}
