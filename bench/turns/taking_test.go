package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/test/turns"
)

func TestParseFlagsTaking(t *testing.T) {
	o, err := parseFlags([]string{"-mode", "taking"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "bench", o.Agent)
	require.Equal(t, 4, o.Calls)
	require.Equal(t, []string{"fixed700", "low", "medium", "high"}, variantNames(o.Variants))
	require.Equal(t, turns.Kinds, o.Kinds)
	require.Equal(t, []string{"en", "ko"}, o.Langs)

	o, err = parseFlags([]string{"-mode", "taking", "-variants", "medium,fixed700,medium", "-kinds", "paused", "-lang", "ko", "-items", "3"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, []string{"medium", "fixed700"}, variantNames(o.Variants))
	require.Equal(t, []turns.Kind{turns.Paused}, o.Kinds)
	require.Equal(t, []string{"ko"}, o.Langs)
	require.Equal(t, 3, o.Items)

	for _, bad := range [][]string{
		{"-variants", "eager"}, {"-kinds", "finished,laughing"}, {"-lang", "fr"},
		{"-url", "http://x"}, {"-calls", "51"}, {"-items", "-1"},
	} {
		_, err := parseFlags(append([]string{"-mode", "taking"}, bad...), io.Discard)
		require.Error(t, err, bad)
	}
}

func TestWriteVariantFake(t *testing.T) {
	dir := t.TempDir()
	fake := &fakeOverrides{Reply: "A long reply.", CharDuration: "40ms", STTText: "#"}
	spec, path, err := writeVariant("../agents/bench.yaml", dir, variants[0], fake)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "bench.yaml"), path)
	require.False(t, spec.TurnTaking.Adaptive())
	require.Equal(t, 700*time.Millisecond, spec.TurnTaking.EndOfTurnSilence.Std())
	require.True(t, filepath.IsAbs(spec.Providers.STT.Plugin), spec.Providers.STT.Plugin)
	require.True(t, strings.HasSuffix(spec.Providers.STT.Plugin, "bin/plugins/fakeprovider"))
	require.Equal(t, "A long reply.", spec.Providers.Chat.Options["reply"])
	require.Equal(t, "40ms", spec.Providers.TTS.Options["char_duration"])
	require.Equal(t, "#", spec.Providers.STT.Options["text"])
	require.Equal(t, 200*time.Millisecond, spec.TurnTaking.MinSpeech.Std(), "the rest of turn_taking is kept")
	require.True(t, isFake(spec))

	// The adaptive variant replaces the fixed wait; the file is rewritten.
	spec, _, err = writeVariant("../agents/bench.yaml", dir, variants[3], nil)
	require.NoError(t, err)
	require.True(t, spec.TurnTaking.Adaptive())
	require.Equal(t, "high", spec.TurnTaking.Eagerness)
	require.Equal(t, 200*time.Millisecond, spec.TurnTaking.MinSilence.Std())
	require.Equal(t, 1500*time.Millisecond, spec.TurnTaking.MaxSilence.Std())
	require.Equal(t, "We are open from nine to six. See you soon.", spec.Providers.Chat.Options["reply"], "no overrides without fake")
}

func TestWriteVariantDefaultAgent(t *testing.T) {
	src, spec, err := findAgent([]string{"../agents", "../../agents"}, "default")
	require.NoError(t, err)
	require.False(t, isFake(spec))
	for _, v := range variants {
		got, _, err := writeVariant(src, t.TempDir(), v, nil)
		require.NoError(t, err, v.Name)
		lo, hi := got.TurnTaking.Silences()
		if v.Fixed > 0 {
			require.Equal(t, [2]time.Duration{v.Fixed, v.Fixed}, [2]time.Duration{lo, hi})
			continue
		}
		require.Equal(t, v.Eagerness, got.TurnTaking.Eagerness)
		require.Equal(t, "pocketsphinx", got.Providers.STT.Plugin, "built-in names stay")
		require.Equal(t, spec.Greeting, got.Greeting)
	}
	_, _, err = findAgent([]string{"../agents"}, "nobody")
	require.Error(t, err)
}

func TestWriteVariantBadFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "x.yaml")
	require.NoError(t, os.WriteFile(src, []byte("name: x\n"), 0o644))
	_, _, err := writeVariant(src, t.TempDir(), variants[2], nil)
	require.Error(t, err, "an agent without providers does not load")
	require.NoError(t, os.WriteFile(src, []byte("- a list\n"), 0o644))
	_, _, err = writeVariant(src, t.TempDir(), variants[2], nil)
	require.Error(t, err)
}

func TestSelectAndAssignItems(t *testing.T) {
	set, err := turns.Load()
	require.NoError(t, err)
	all := selectItems(set, []turns.Kind{turns.Finished, turns.Backchannel}, []string{"en", "ko"}, 0)
	require.Len(t, all, len(set.Items(turns.Finished))+len(set.Items(turns.Backchannel)))

	en := selectItems(set, []turns.Kind{turns.Paused}, []string{"en"}, 0)
	for _, it := range en {
		require.Equal(t, "en", it.Lang)
		require.Equal(t, turns.Paused, it.Kind)
	}

	// A cap spreads over the kind's items: both languages, in order.
	few := selectItems(set, []turns.Kind{turns.Paused, turns.Interruption}, []string{"en", "ko"}, 8)
	require.Len(t, few, 16)
	langs := map[string]int{}
	for _, it := range few[:8] {
		require.Equal(t, turns.Paused, it.Kind)
		langs[it.Lang]++
	}
	require.Positive(t, langs["en"])
	require.Positive(t, langs["ko"])

	require.Equal(t, []int{0, 2, 5, 7}, spread([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 4))
	require.Equal(t, []int{1, 2}, spread([]int{1, 2}, 5))

	kindOf := func(s string) turns.Kind {
		return map[byte]turns.Kind{'f': turns.Finished, 'p': turns.Paused, 'b': turns.Backchannel}[s[0]]
	}
	got := assign([]string{"f1", "f2", "f3", "p1", "p2", "b1"}, kindOf, 2)
	require.Equal(t, [][]string{{"f1", "p2", "f3"}, {"f2", "p1", "b1"}}, got)
	// As many calls as kinds: each call still gets every kind.
	got = assign([]string{"f1", "f2", "f3", "p1", "p2", "p3", "b1", "b2", "b3"}, kindOf, 3)
	for _, c := range got {
		require.Len(t, c, 3)
		require.ElementsMatch(t, []turns.Kind{turns.Finished, turns.Paused, turns.Backchannel}, []turns.Kind{kindOf(c[0]), kindOf(c[1]), kindOf(c[2])})
	}
	require.Equal(t, [][]string{{"f1", "p1"}}, assign([]string{"f1", "p1"}, kindOf, 0))
	var n int
	for _, c := range assign([]string{"f1", "f2", "f3", "p1", "p2", "b1"}, kindOf, 4) {
		n += len(c)
	}
	require.Equal(t, 6, n, "every item once")
}

func TestBargeStop(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	start, end := voiceEvent{voiceStart, at(0)}, func(ms int) voiceEvent { return voiceEvent{voiceEnd, at(ms)} }
	restart := func(ms int) voiceEvent { return voiceEvent{voiceStart, at(ms)} }

	// Talking through the onset, stopped 250 ms in.
	stop, ok, gap := bargeStop([]voiceEvent{start, end(1250)}, at(0), at(1000), at(2000))
	require.True(t, ok)
	require.False(t, gap)
	require.Equal(t, at(1250), stop)
	// A pause between sentences before the onset does not count.
	stop, ok, _ = bargeStop([]voiceEvent{start, end(400), restart(700), end(1300)}, at(0), at(1000), at(2000))
	require.True(t, ok)
	require.Equal(t, at(1300), stop)
	// A pause during the caller's speech that the agent comes back from.
	stop, ok, _ = bargeStop([]voiceEvent{start, end(1100), restart(1300), end(1400)}, at(0), at(1000), at(2000))
	require.True(t, ok)
	require.Equal(t, at(1400), stop)
	// Still talking when the caller finished.
	_, ok, _ = bargeStop([]voiceEvent{start, end(1100), restart(1300)}, at(0), at(1000), at(2000))
	require.False(t, ok)
	_, ok, _ = bargeStop([]voiceEvent{start, end(2500)}, at(0), at(1000), at(2000))
	require.False(t, ok, "a stop after the caller's speech is not a barge-in")
	// Silent from before the onset to the end: a barge-in of zero.
	stop, ok, gap = bargeStop([]voiceEvent{start, end(900)}, at(0), at(1000), at(2000))
	require.True(t, ok)
	require.True(t, gap)
	require.Equal(t, at(1000), stop)
}

func TestStoppedForGood(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ev := func(k voiceKind, ms int) voiceEvent { return voiceEvent{k, at(ms)} }
	onset, end, slack, hold := at(1000), at(1500), 300*time.Millisecond, 2*time.Second
	tests := []struct {
		name    string
		events  []voiceEvent
		horizon int
		want    bool
	}{
		{"talks on", []voiceEvent{ev(voiceStart, 0)}, 4000, false},
		{"stops and stays off", []voiceEvent{ev(voiceStart, 0), ev(voiceEnd, 1300)}, 4000, true},
		{"stops, not long enough seen", []voiceEvent{ev(voiceStart, 0), ev(voiceEnd, 1300)}, 3000, false},
		{"pauses and resumes", []voiceEvent{ev(voiceStart, 0), ev(voiceEnd, 1300), ev(voiceStart, 1900)}, 4000, false},
		{"pauses, resumes, stops", []voiceEvent{ev(voiceEnd, 1100), ev(voiceStart, 1400), ev(voiceEnd, 1700)}, 4000, true},
		{"a new reply long after", []voiceEvent{ev(voiceEnd, 1300), ev(voiceStart, 3500)}, 5000, true},
		{"stops before the onset", []voiceEvent{ev(voiceEnd, 800)}, 4000, false},
		{"stops after the slack", []voiceEvent{ev(voiceEnd, 1900)}, 5000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, stoppedForGood(tt.events, onset, end, at(tt.horizon), slack, hold))
		})
	}
}

func TestBargeIns(t *testing.T) {
	log := strings.Join([]string{
		`{"time":"2026-12-03T13:30:00.5Z","level":"DEBUG","msg":"barge-in","call":"c1","agent":"default","after":650000000}`,
		`{"time":"2026-12-03T13:30:01Z","level":"INFO","msg":"call connected","call":"c1"}`,
		`plain text from a plugin`,
		`{"time":"2026-12-03T13:30:02.25Z","level":"DEBUG","msg":"barge-in","call":"c2","after":1}`,
		`{"time":"2026-12-03T13:30:03Z","level":"DEBUG","msg":"barge-in","call":"c1","after":1}`,
		`{broken`,
	}, "\n")
	got, err := bargeIns(strings.NewReader(log))
	require.NoError(t, err)
	require.Len(t, got["c1"], 2)
	require.Len(t, got["c2"], 1)
	require.Equal(t, 650*time.Millisecond, got["c1"][0].After)
	base := time.Date(2026, 12, 3, 13, 30, 0, 0, time.UTC)
	l, ok := firstBetween(got["c1"], base.Add(time.Second), base.Add(5*time.Second))
	require.True(t, ok)
	require.True(t, l.At.Equal(base.Add(3*time.Second)))
	_, ok = firstBetween(got["c2"], base, base.Add(time.Second))
	require.False(t, ok)
	none, err := readBargeIns("")
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestAnalyse(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	item := func(k turns.Kind) *takeItem { return &takeItem{Item: turns.Item{ID: k.String(), Kind: k}} }
	question := &takeItem{Item: turns.Item{ID: "q", Kind: turns.Finished, Tag: "question"}}
	said := func(from, to int) spoke { return spoke{Onset: at(from), End: at(to)} }
	var user = func(endMs int, wait float64) storedTurn {
		return storedTurn{Role: "user", SpeechEnd: at(endMs), EndOfTurnWait: time.Duration(wait * float64(time.Millisecond)), HasEndOfTurnWaitMs: true}
	}
	hist := map[string]storedCall{"c": {
		user(1000, 700), user(11000, 200), // two finished items
		user(21000, 400),                   // a paused item answered at its end
		user(30500, 200), user(32000, 300), // a paused item cut off in its pause
		{Role: "assistant", Started: at(40000), Ended: at(50000), Interrupted: true}, // stopped by a backchannel
		{Role: "assistant", Started: at(60000), Ended: at(70000)},                    // not
		{Role: "user", SpeechEnd: at(79000), FirstPacket: at(79990)},                 // the prompt of the first interruption
		{Role: "assistant", Started: at(80000), Ended: at(81500), Interrupted: true},
		{Role: "user", SpeechEnd: at(93000), FirstPacket: at(93990)},
	}}
	results := []itemResult{
		{Item: item(turns.Finished), CallID: "c", Said: said(0, 1000), Answer: at(1300)},
		{Item: question, CallID: "c", Said: said(10000, 11000), Answer: at(11500)},
		{Item: item(turns.Finished), CallID: "c", Err: "no answer"},
		{Item: item(turns.Paused), CallID: "c", Said: said(20000, 21000), Answer: at(21600)},
		{Item: item(turns.Paused), CallID: "c", Said: said(30000, 32000), Answer: at(32400)}, // two stored turns
		{Item: item(turns.Paused), CallID: "c", Said: said(35000, 37000), Answer: at(36000)}, // voice in the pause
		{Item: item(turns.Backchannel), CallID: "c", Said: said(41000, 41500)},
		{Item: item(turns.Backchannel), CallID: "c", Said: said(61000, 61500)},
		{Item: item(turns.Backchannel), CallID: "c", Said: said(62000, 62500), Interrupted: at(62300)},
		{Item: item(turns.Backchannel), CallID: "c", Said: said(63000, 63500), StoppedForGood: true},
		{Item: item(turns.Interruption), CallID: "c", Said: said(81000, 82000), Reply: at(80000), Stopped: at(81300), Interrupted: at(81240)},
		{Item: item(turns.Interruption), CallID: "c", Said: said(90000, 91000), Reply: at(89000)}, // went on
		{Item: item(turns.Interruption), CallID: "c", Said: said(95000, 96000), Reply: at(94000), Stopped: at(95000), InGap: true},
	}
	decisions := map[string][]bargeLine{"c": {
		{At: at(81235), After: 1210 * time.Millisecond}, // frame at 81200
		{At: at(95250), After: 1200 * time.Millisecond}, // frame at 95190
	}}
	r := analyse(variants[2], results, hist, decisions)

	require.Equal(t, 3, r.Said[turns.Finished])
	require.Equal(t, 1, r.Unmeasured[turns.Finished])
	require.Equal(t, "finished: no answer", r.FirstErr)
	require.Equal(t, 2, r.Reply.N)
	require.InDelta(t, 300, r.Reply.P50, 0.01)
	require.InDelta(t, 500, r.Reply.P95, 0.01)
	require.Equal(t, 1, r.QuestionReply.N)
	require.InDelta(t, 500, r.QuestionReply.P50, 0.01)
	require.Equal(t, 2, r.Wait.N)
	require.InDelta(t, 200, r.Wait.P50, 0.01)
	require.InDelta(t, 700, r.Wait.P95, 0.01)

	require.Equal(t, 3, r.Paused)
	require.Equal(t, 2, r.CutOffs)
	require.InDelta(t, 66.67, rate(r.CutOffs, r.Paused), 0.01)
	require.Equal(t, 1, r.PausedReply.N)

	require.Equal(t, 4, r.Backchannels)
	require.Equal(t, 3, r.FalseInterruptions)
	require.Equal(t, [3]int{1, 1, 1}, [3]int{r.ByStored, r.ByEvent, r.ByVoice})

	require.Equal(t, 3, r.Interruptions)
	require.Equal(t, 1, r.NotStopped)
	require.Equal(t, 1, r.InGap)
	require.Equal(t, 2, r.BargeIn.N)
	require.InDelta(t, 300, r.BargeIn.P95, 0.01)
	require.Equal(t, 2, r.Detect.N)
	require.InDelta(t, 190, r.Detect.P50, 0.01)
	require.InDelta(t, 200, r.Detect.P95, 0.01)
	require.InDelta(t, 35, r.Handle.P50, 0.01)
	require.InDelta(t, 60, r.Handle.P95, 0.01)
	require.Equal(t, 1, r.Drain.N, "no drain for a barge-in in a pause")
	require.InDelta(t, 100, r.Drain.P50, 0.01)
	require.Equal(t, 1, r.Event.N)
	require.Zero(t, rate(1, 0))
}

func TestParseHistory(t *testing.T) {
	var ts []rest.HistoryTurn
	require.NoError(t, json.Unmarshal([]byte(`[
		{"role":"user","text":"where is my order","startedAt":"2026-12-03T13:00:00Z","endedAt":"2026-12-03T13:00:01Z",
		 "timings":{"speechEndedAt":"2026-12-03T13:00:01.5Z","firstPacketAt":"2026-12-03T13:00:02.5Z","endOfTurnWaitMs":412.5}},
		{"role":"assistant","text":"Most orders","interrupted":true,"startedAt":"2026-12-03T13:00:02Z","endedAt":"2026-12-03T13:00:04Z"}
	]`), &ts))
	h := parseHistory(ts)
	require.Len(t, h, 2)
	require.True(t, h[0].HasEndOfTurnWaitMs)
	require.Equal(t, 412500*time.Microsecond, h[0].EndOfTurnWait)
	end := time.Date(2026, 12, 3, 13, 0, 1, 5e8, time.UTC)
	require.Len(t, h.callerTurns(spoke{Onset: end.Add(-time.Second), End: end}), 1)
	require.Empty(t, h.callerTurns(spoke{Onset: end.Add(time.Second), End: end.Add(2 * time.Second)}))
	a, ok := h.agentTurnAt(end.Add(time.Second))
	require.True(t, ok)
	require.True(t, a.Interrupted)
	_, ok = h.agentTurnAt(end.Add(5 * time.Second))
	require.False(t, ok)
	first, ok := h.replyStarted(end.Add(1010 * time.Millisecond))
	require.True(t, ok)
	require.Equal(t, end.Add(time.Second), first)
	_, ok = h.replyStarted(end.Add(900 * time.Millisecond))
	require.False(t, ok, "a reply heard before its first packet was sent is another one")
}
