package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/test/turns"
)

// The targets of issue 13 at the default eagerness (medium).
const (
	takeReplyTarget     = 400 * time.Millisecond // reply after a finished question, p50 (offline default agent)
	takeCutOffTarget    = 5.0                    // % of paused items cut off
	takeFalseIntTarget  = 10.0                   // % of backchannels that stop the agent
	takeBargeTarget     = 300 * time.Millisecond // barge-in p95 on real interruptions
	takeTargetVariant   = "medium"
	takePromptItem      = "en-finished-01" // "Where is my order?": a long reply on the default agent
	takeAgentsFallback  = "agents"         // searched after -agents for -agent
	takeFakeReply       = "Let me tell you everything about our opening hours. On weekdays we open at nine and close at six. On Saturdays we open at ten and close at four."
	takeFakeCharDur     = "30ms" // the reply plays for about 4.5 s
	takeDefaultPerCalls = 4
)

// takeSetup is what every variant's run shares.
type takeSetup struct {
	src      string // the agent file
	spec     *agent.Spec
	fake     *fakeOverrides // nil: not the fake provider
	items    []*takeItem
	prompt   *utterance
	greeting bool
}

// taking runs -mode taking: the test set over WebRTC, per variant.
func (e *bench) taking(ctx context.Context) error {
	s, err := e.takeSetup(ctx)
	if err != nil {
		return err
	}
	var runs []takingRun
	for _, v := range e.o.Variants {
		run, err := e.takingOnce(ctx, s, v)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	e.printTaking(runs)
	return nil
}

// takeSetup finds the agent, builds the fake provider where it is named,
// and speaks and encodes the items.
func (e *bench) takeSetup(ctx context.Context) (*takeSetup, error) {
	src, spec, err := findAgent([]string{e.o.Agents, takeAgentsFallback}, e.o.Agent)
	if err != nil {
		return nil, err
	}
	s := &takeSetup{src: src, spec: spec, greeting: spec.Greeting != ""}
	if isFake(spec) {
		s.fake = &fakeOverrides{Reply: takeFakeReply, CharDuration: takeFakeCharDur, STTText: e.o.STTText}
		if e.o.BuildPlugin {
			path := spec.Providers.STT.Plugin
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(src), path)
			}
			if err := buildPlugin(ctx, path); err != nil {
				return nil, err
			}
		}
	}
	langs := e.o.Langs
	if s.fake == nil {
		// The agent's STT hears its own language only.
		base, _, _ := strings.Cut(string(spec.Language), "-")
		var kept []string
		for _, l := range langs {
			if l == base || base == "" || base == "auto" {
				kept = append(kept, l)
			} else {
				e.logf("agent %s speaks %s: its %s items are left out", spec.Name, spec.Language, l)
			}
		}
		langs = kept
	}
	set, err := turns.Load()
	if err != nil {
		return nil, err
	}
	chosen := selectItems(set, e.o.Kinds, langs, e.o.Items)
	if len(chosen) == 0 {
		return nil, fmt.Errorf("no item of kinds %v in languages %v", e.o.Kinds, langs)
	}
	e.logf("speaking %d items (cache %s)", len(chosen), e.o.Cache)
	for _, it := range chosen {
		ti, err := prepareItem(it, e.o.Cache)
		if err != nil {
			return nil, err
		}
		s.items = append(s.items, ti)
	}
	p, ok := set.Item(takePromptItem)
	if !ok {
		return nil, fmt.Errorf("the test set has no item %s (the prompt)", takePromptItem)
	}
	pi, err := prepareItem(p, e.o.Cache)
	if err != nil {
		return nil, err
	}
	s.prompt = pi.Say
	counts := map[turns.Kind]int{}
	for _, it := range s.items {
		counts[it.Kind]++
	}
	e.logf("agent %s (%s), fake provider %t: items %v; variants %v", spec.Name, src, s.fake != nil, counts, variantNames(e.o.Variants))
	return s, nil
}

// takingOnce runs every item against a fresh runtime whose agent has v's
// turn_taking.
func (e *bench) takingOnce(ctx context.Context, s *takeSetup, v variant) (takingRun, error) {
	dir, err := os.MkdirTemp("", "turns-agents-")
	if err != nil {
		return takingRun{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if _, _, err := writeVariant(s.src, dir, v, s.fake); err != nil {
		return takingRun{}, err
	}
	e.agentsDir, e.env = dir, bargeLogEnv
	t, err := e.start(ctx)
	if err != nil {
		return takingRun{}, err
	}
	defer t.stop()
	sh, err := e.newShared(t, e.o.Calls)
	if err != nil {
		return takingRun{}, err
	}
	e.logf("variant %s: %d items over %d calls; load average %s", v.Name, len(s.items), e.o.Calls, loadAverage())
	started := time.Now()
	takers := make([]*taker, e.o.Calls)
	results := make([][]itemResult, e.o.Calls)
	var wg sync.WaitGroup
	for i, items := range assign(s.items, func(it *takeItem) turns.Kind { return it.Kind }, e.o.Calls) {
		takers[i] = &taker{e: e, sh: sh, idx: i, greeting: s.greeting, prompt: s.prompt}
		wg.Go(func() { results[i] = takers[i].run(ctx, items) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return takingRun{}, ctx.Err()
	}
	// The runtime stores a turn once its reply has been played.
	_ = ctxtime.Sleep(ctx, 2*time.Second)
	hist := map[string]storedCall{}
	var all []*caller
	for _, w := range takers {
		for _, c := range w.calls {
			all = append(all, c)
			ts, err := sh.rest.History(ctx, c.p.Info.ID)
			if err != nil {
				e.logf("history of call %s: %v", c.p.Info.ID, err)
				continue
			}
			hist[c.p.Info.ID] = parseHistory(ts)
		}
	}
	hangUpAll(all)
	decisions, err := readBargeIns(t.log)
	if err != nil {
		e.logf("runtime log: %v", err)
	}
	run := analyse(v, slices.Concat(results...), hist, decisions)
	if e.o.Verbose {
		e.printHeard(slices.Concat(results...), hist)
	}
	e.logf("variant %s done in %s", v.Name, time.Since(started).Round(time.Second))
	e.printTakingRun(run)
	return run, nil
}

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func variantNames(vs []variant) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}
