package agent

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// snapshot is the registry's state after one load. It is never modified
// once stored.
type snapshot struct {
	// entries are sorted by name, then file.
	entries []*entry
	// byName holds the entry Get answers with for each name.
	byName map[string]*entry
	// byFile holds the entries that have a spec, by file, so that the next
	// reload can keep them when their file turns invalid.
	byFile map[string]*entry
	// def is the default agent in service.
	def *Spec
}

// entry is one agent file, or the default agent kept after its file went.
type entry struct {
	info Info
	// spec is in service; nil when the file is invalid.
	spec *Spec
	// err is what Get returns; nil when the agent is ready.
	err error
}

// build turns the parsed files of a directory into a snapshot, building on
// prev (nil at first load): unchanged files keep their *Spec, files that
// became invalid keep their previous version, and the default agent stays
// in service when it cannot be replaced.
func (r *Registry) build(prev *snapshot, rs []fileResult) *snapshot {
	if prev != nil {
		for i := range rs {
			x := &rs[i]
			if old := prev.byFile[x.file]; old != nil && x.spec != nil && x.spec.Version == old.spec.Version {
				x.spec = old.spec // same content: hand out the same value
			}
		}
	}
	markDuplicates(rs)
	if prev != nil {
		for i := range rs {
			x := &rs[i]
			if old := prev.byFile[x.file]; old != nil && x.spec == nil {
				x.spec, x.kept = old.spec, true
			}
		}
		markDuplicates(rs) // a kept version may clash with a newer file
	}

	s := &snapshot{byName: map[string]*entry{}, byFile: map[string]*entry{}}
	for _, x := range rs {
		s.add(r.newEntry(x))
	}
	r.keepDefault(prev, s)
	if e := s.byName[r.defaultName]; e != nil {
		e.info.Default = true
	}
	slices.SortStableFunc(s.entries, func(a, b *entry) int {
		return cmp.Or(cmp.Compare(a.info.Name, b.info.Name), cmp.Compare(a.info.File, b.info.File))
	})
	return s
}

// newEntry describes one file and checks the availability of its agent.
func (r *Registry) newEntry(x fileResult) *entry {
	e := &entry{spec: x.spec, info: Info{Name: x.name, File: x.file}}
	for _, p := range x.problems {
		e.info.Errors = append(e.info.Errors, p.String())
	}
	if x.spec == nil {
		e.info.Status = StatusInvalid
		e.err = fmt.Errorf("%w: %q: %s", ErrInvalid, x.name, strings.Join(e.info.Errors, "; "))
		return e
	}
	e.info.Name, e.info.Description, e.info.Language = x.spec.Name, x.spec.Description, x.spec.Language
	e.info.Variables = x.spec.Variables
	if x.kept {
		e.info.Errors = append(e.info.Errors, fmt.Sprintf("%s: keeping the previous version (%s, loaded %s) until the file is fixed",
			x.file, x.spec.Version, x.spec.LoadedAt.Format(time.RFC3339)))
	}
	e.info.Status = StatusReady
	if ps := x.spec.EnvProblems(r.lookupEnv); len(ps) > 0 {
		// A secret the tools need is missing here: valid, not runnable.
		e.info.Status = StatusUnavailable
		e.info.Errors = append(e.info.Errors, ps...)
		e.err = fmt.Errorf("%w: %q: %s", ErrUnavailable, x.spec.Name, strings.Join(ps, "; "))
		return e
	}
	if r.available != nil {
		if err := r.available(x.spec); err != nil {
			e.info.Status = StatusUnavailable
			e.info.Errors = append(e.info.Errors, err.Error())
			e.err = fmt.Errorf("%w: %q: %w", ErrUnavailable, x.spec.Name, err)
		}
	}
	return e
}

// add appends e. For byName a ready entry beats an unavailable one, which
// beats an invalid one; among equals the first file wins.
func (s *snapshot) add(e *entry) {
	s.entries = append(s.entries, e)
	if _, ok := s.byFile[e.info.File]; !ok && e.spec != nil {
		s.byFile[e.info.File] = e
	}
	if cur := s.byName[e.info.Name]; cur == nil || rank(e) < rank(cur) {
		s.byName[e.info.Name] = e
	}
}

func rank(e *entry) int {
	switch e.info.Status {
	case StatusReady:
		return 0
	case StatusUnavailable:
		return 1
	default:
		return 2
	}
}

// keepDefault sets s.def to the ready default agent of s or, failing that,
// to the default that prev had in service. A default whose file was removed
// (or now defines another name) stays listed and can still be looked up.
func (r *Registry) keepDefault(prev *snapshot, s *snapshot) {
	cur := s.byName[r.defaultName]
	if cur != nil && cur.info.Status == StatusReady {
		s.def = cur.spec
		return
	}
	if prev == nil || prev.def == nil {
		return
	}
	s.def = prev.def
	if cur != nil && cur.spec != nil {
		// Unavailable: Get says so, but Default still answers.
		r.log.Warn("default agent is unavailable; the previous version stays the default",
			"agent", r.defaultName, "file", prev.def.File, "version", prev.def.Version, "reason", cur.info.Errors)
		return
	}
	// Removed or renamed: keep it listed and reachable by name. logChanges
	// logs the entry with its note.
	s.add(&entry{
		spec: prev.def,
		info: Info{
			Name:        prev.def.Name,
			Description: prev.def.Description,
			File:        prev.def.File,
			Language:    prev.def.Language,
			Variables:   prev.def.Variables,
			Status:      StatusReady,
			Errors: []string{fmt.Sprintf("%s: the file no longer defines the default agent %q; keeping the previous version (%s) in service",
				prev.def.File, r.defaultName, prev.def.Version)},
		},
	})
}

// logChanges logs what differs between prev (nil at first load) and s.
func (r *Registry) logChanges(prev, s *snapshot) {
	key := func(e *entry) string { return e.info.File + "\x00" + e.info.Name }
	old := map[string]*entry{}
	if prev != nil {
		for _, e := range prev.entries {
			old[key(e)] = e
		}
	}
	for _, e := range s.entries {
		o := old[key(e)]
		delete(old, key(e))
		if o != nil && o.spec == e.spec && o.info.Status == e.info.Status && slices.Equal(o.info.Errors, e.info.Errors) {
			continue
		}
		attrs := []any{"agent", e.info.Name, "file", e.info.File}
		if e.spec != nil {
			attrs = append(attrs, "version", e.spec.Version)
		}
		switch {
		case e.info.Status == StatusInvalid:
			r.log.Warn("agent file is invalid", append(attrs, "problems", e.info.Errors)...)
		case e.info.Status == StatusUnavailable:
			r.log.Warn("agent is unavailable", append(attrs, "reason", e.info.Errors)...)
		case len(e.info.Errors) > 0:
			r.log.Warn("agent file has problems; keeping the previous version", append(attrs, "problems", e.info.Errors)...)
		case o == nil:
			r.log.Info("agent loaded", attrs...)
		default:
			r.log.Info("agent reloaded", attrs...)
		}
	}
	for _, o := range old {
		r.log.Info("agent removed", "agent", o.info.Name, "file", o.info.File)
	}
}
