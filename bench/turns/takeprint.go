package main

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/bench/internal/stats"
	"github.com/parleyhq/parley/test/turns"
)

// printTakingRun prints one variant's figures as it finishes.
func (e *bench) printTakingRun(r takingRun) {
	var said []string
	for _, k := range turns.Kinds {
		if r.Said[k] > 0 {
			said = append(said, fmt.Sprintf("%s %d (unmeasured %d)", k, r.Said[k], r.Unmeasured[k]))
		}
	}
	fmt.Fprintf(e.out, "variant %s: %s\n", r.Variant.Name, strings.Join(said, ", "))
	if r.FirstErr != "" {
		fmt.Fprintf(e.out, "  first unmeasured: %s\n", r.FirstErr)
	}
	q := func(name string, q stats.Quantiles) {
		fmt.Fprintf(e.out, "  %-52s n=%-3d p50=%7.1fms p95=%7.1fms max=%7.1fms\n", name, q.N, q.P50, q.P95, q.Max)
	}
	q("finished: stored end-of-turn wait", r.Wait)
	q("finished: caller's last packet -> agent's first voice", r.Reply)
	q("  questions alone", r.QuestionReply)
	q("paused, not cut off: last packet -> agent's voice", r.PausedReply)
	q("interruption: onset -> agent's last voiced packet", r.BargeIn)
	q("  onset -> deciding frame at the runtime", r.Detect)
	q("  deciding frame -> barge-in log line", r.Handle)
	q("  onset -> agent-speaking interrupted at the caller", r.Event)
	q("  deciding frame -> agent's last voiced packet", r.Drain)
	fmt.Fprintf(e.out, "  finished answered before their end %d; paused cut off %d of %d (%.1f%%); backchannels that stopped the agent %d of %d (%.1f%%: stored interrupted %d, event %d, voice off for good %d); interruptions that did not stop it %d of %d, in a pause between its sentences %d\n",
		r.CutIns, r.CutOffs, r.Paused, rate(r.CutOffs, r.Paused), r.FalseInterruptions, r.Backchannels, rate(r.FalseInterruptions, r.Backchannels),
		r.ByStored, r.ByEvent, r.ByVoice, r.NotStopped, r.Interruptions, r.InGap)
}

// printTaking prints the summary table of every variant, the targets next
// to the figures of the default eagerness, and the one-line summary.
func (e *bench) printTaking(runs []takingRun) {
	w := e.out
	fmt.Fprintf(w, "\nTurn-taking over the test set: agent %s, %d calls, %s\n\n", e.o.Agent, e.o.Calls, itemNote(e.o.Items))
	fmt.Fprintln(w, "| variant | finished: wait p50 / p95 | finished: reply p50 / p95 | questions: reply p50 / p95 | paused: cut off | backchannels: false interruptions | interruptions: barge-in p50 / p95 | unmeasured |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range runs {
		var un int
		for _, n := range r.Unmeasured {
			un += n
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %d |\n", r.Variant.Name,
			pair(r.Wait), pair(r.Reply), pair(r.QuestionReply), ratio(r.CutOffs, r.Paused), ratio(r.FalseInterruptions, r.Backchannels), pair(r.BargeIn), un)
	}
	fmt.Fprintln(w, "\nBarge-in from the caller's side, broken down (ms, p50 / p95):")
	fmt.Fprintln(w, "\n| variant | onset -> deciding frame at the runtime | deciding frame -> log line | onset -> interrupted event at the caller | deciding frame -> last agent packet at the caller | onset -> last agent packet | went on / in a pause |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range runs {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %d / %d of %d |\n", r.Variant.Name, pair(r.Detect), pair(r.Handle), pair(r.Event), pair(r.Drain), pair(r.BargeIn), r.NotStopped, r.InGap, r.Interruptions)
	}
	var target *takingRun
	for i := range runs {
		if runs[i].Variant.Name == takeTargetVariant {
			target = &runs[i]
		}
	}
	if target == nil {
		fmt.Fprintf(w, "\ntaking: agent %s, no %s variant run: targets not checked\n", e.o.Agent, takeTargetVariant)
		return
	}
	r := *target
	checks := []struct {
		name   string
		value  string
		pass   bool
		target string
		n      int
	}{
		{"question reply p50", fmt.Sprintf("%.0fms", r.QuestionReply.P50), r.QuestionReply.P50 <= ms(takeReplyTarget), "<=400ms", r.QuestionReply.N},
		{"cut-offs", fmt.Sprintf("%.1f%%", rate(r.CutOffs, r.Paused)), rate(r.CutOffs, r.Paused) <= takeCutOffTarget, "<=5%", r.Paused},
		{"false interruptions", fmt.Sprintf("%.1f%%", rate(r.FalseInterruptions, r.Backchannels)), rate(r.FalseInterruptions, r.Backchannels) <= takeFalseIntTarget, "<=10%", r.Backchannels},
		{"barge-in p95", fmt.Sprintf("%.0fms", r.BargeIn.P95), r.BargeIn.P95 <= ms(takeBargeTarget), "<=300ms", r.BargeIn.N},
	}
	fmt.Fprintf(w, "\nTargets (issue 13, eagerness %s):\n\n| measure | measured | target | |\n| --- | --- | --- | --- |\n", takeTargetVariant)
	var line []string
	for _, c := range checks {
		verdict := verdictOf(c.pass, c.n)
		fmt.Fprintf(w, "| %s | %s (n=%d) | %s | %s |\n", c.name, c.value, c.n, c.target, verdict)
		line = append(line, fmt.Sprintf("%s=%s (%s) %s", strings.ReplaceAll(c.name, " ", "-"), c.value, c.target, verdict))
	}
	fmt.Fprintf(w, "\ntaking: agent %s %s: %s\n", e.o.Agent, takeTargetVariant, strings.Join(line, " "))
}

func verdictOf(pass bool, n int) string {
	switch {
	case n == 0:
		return "NOT MEASURED"
	case pass:
		return "PASS"
	}
	return "FAIL"
}

func pair(q stats.Quantiles) string {
	if q.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f / %.0f (n=%d)", q.P50, q.P95, q.N)
}

func ratio(part, whole int) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f %% (%d of %d)", rate(part, whole), part, whole)
}

func itemNote(n int) string {
	if n <= 0 {
		return "every item of the chosen kinds and languages"
	}
	return fmt.Sprintf("at most %d items of each kind (-items %d)", n, n)
}

// printHeard says, for -v, what the runtime stored of each finished and
// paused item: the caller turns it made of it, with their words and the
// end-of-turn wait (a paused item cut in two shows both halves).
func (e *bench) printHeard(results []itemResult, hist map[string]storedCall) {
	for _, r := range results {
		if r.Err != "" || (r.Item.Kind != turns.Finished && r.Item.Kind != turns.Paused) {
			continue
		}
		var heard []string
		for _, t := range hist[r.CallID].callerTurns(r.Said) {
			heard = append(heard, fmt.Sprintf("%q (wait %.0fms)", t.Text, ms(t.EndOfTurnWait)))
		}
		fmt.Fprintf(e.out, "%s %q heard as %s\n", r.Item.ID, r.Item.Transcript, strings.Join(heard, " + "))
	}
}
