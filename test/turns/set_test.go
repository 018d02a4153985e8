package turns

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, k := range Kinds {
		items := set.Items(k)
		total += len(items)
		ko := 0
		for _, it := range items {
			if it.Kind != k {
				t.Errorf("Items(%s) holds %s, a %s item", k, it.ID, it.Kind)
			}
			if it.Lang == "ko" {
				ko++
			}
		}
		t.Logf("%s: %d items, %d in Korean", k, len(items), ko)
		if m := minimums[k]; len(items) < m.all || ko < m.ko {
			t.Errorf("%s: %d items (%d Korean), want at least %d (%d)", k, len(items), ko, m.all, m.ko)
		}
	}
	if all := set.All(); len(all) != total {
		t.Errorf("All: %d items, the kinds hold %d", len(all), total)
	}
	ids := map[string]bool{}
	for _, it := range set.All() {
		if ids[it.ID] {
			t.Errorf("id %s twice", it.ID)
		}
		ids[it.ID] = true
		if got, ok := set.Item(it.ID); !ok || got.Transcript != it.Transcript {
			t.Errorf("Item(%s) = %v, %v", it.ID, got, ok)
		}
		if !strings.HasPrefix(it.ID, it.Lang+"-"+it.Kind.String()+"-") {
			t.Errorf("id %s: want %s-%s-<nn>", it.ID, it.Lang, it.Kind)
		}
	}
}

// TestPausesSpread checks that every paused item's pause is within
// 0.5-1.2 s and that each 100 ms band of that range holds several items.
func TestPausesSpread(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	bands := make([]int, 7) // [0.5, 0.6), ..., [1.1, 1.2]
	for _, it := range set.Items(Paused) {
		p := it.Pauses()
		if len(p) != 1 || p[0] < MinPause || p[0] > MaxPause {
			t.Errorf("%s: pauses %v, want one within %v-%v", it.ID, p, MinPause, MaxPause)
			continue
		}
		bands[min(int((p[0]-MinPause)/(100*time.Millisecond)), len(bands)-1)]++
	}
	for i, n := range bands {
		if n < 5 {
			t.Errorf("%d paused items with a pause in [%v, %v), want 5 or more", n,
				MinPause+time.Duration(i)*100*time.Millisecond, MinPause+time.Duration(i+1)*100*time.Millisecond)
		}
	}
}

// TestTagsMatchText checks that the tags say what the text does: a paused
// item's words before the pause are of its tag's class, a Korean finished
// item ends in a finished ending. The text rules' unit tests rely on it.
func TestTagsMatchText(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	numbers := []string{"oh", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "twenty", "forty"}
	en := map[string]func(last string) bool{
		"conjunction": func(w string) bool {
			return slices.Contains([]string{"and", "but", "because", "if", "so", "unless", "or", "whether"}, w)
		},
		"preposition": func(w string) bool {
			return slices.Contains([]string{"for", "to", "at", "about", "from", "near", "in", "on", "with"}, w)
		},
		"article": func(w string) bool { return slices.Contains([]string{"a", "an", "the"}, w) },
		"filler":  func(w string) bool { return slices.Contains([]string{"um", "uh", "like", "mean"}, w) },
		"number":  func(w string) bool { return slices.Contains(numbers, w) },
		"possessive": func(w string) bool {
			return slices.Contains([]string{"my", "our", "your", "his", "her", "their"}, w) || strings.HasSuffix(w, "'s")
		},
		"other": func(string) bool { return true },
	}
	ko := map[string][]string{
		"conjunction": {"고", "데", "서", "면"},
		"particle":    {"은", "는", "을", "를", "에", "이", "가"},
		"filler":      {"음"},
		"number":      {"공", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"},
	}
	for _, it := range set.Items(Paused) {
		first := it.Segments[0].Text
		switch it.Lang {
		case "en":
			words := strings.Fields(strings.ToLower(first))
			if last := words[len(words)-1]; !en[it.Tag](last) {
				t.Errorf("%s (%s): %q ends in %q", it.ID, it.Tag, first, last)
			}
		case "ko":
			if !hasSuffix(first, ko[it.Tag]) {
				t.Errorf("%s (%s): %q does not end in one of %v", it.ID, it.Tag, first, ko[it.Tag])
			}
		}
	}
	for _, it := range set.Items(Finished) {
		if it.Lang == "ko" && !hasSuffix(strings.TrimRight(it.Transcript, ".?!"), []string{"요", "다", "까", "죠"}) {
			t.Errorf("%s: %q: a finished Korean item ends in 요, 다, 까 or 죠", it.ID, it.Transcript)
		}
	}
}

func hasSuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func TestParseErrors(t *testing.T) {
	const ok = `{id: en-finished-01, lang: en, kind: finished, tag: question, voice: "flite:slt", text: "Where is my order?"}`
	tests := []struct {
		name, yaml, want string
	}{
		{"empty", ``, "empty"},
		{"no items", `items: []`, "no items"},
		{"unknown key", `items: [{id: a, lang: en, kind: finished, tag: question, voice: "flite:slt", text: "Hi.", speed: 2}]`, "speed"},
		{"syntax", "items: [\n  - {id: a", "yaml"},
		{"bad id", `items: [{id: "A B", lang: en, kind: finished, tag: question, voice: "flite:slt", text: "Hi?"}]`, `item A B: id "A B"`},
		{"bad lang", `items: [{id: a, lang: fr, kind: finished, tag: question, voice: "flite:slt", text: "Salut?"}]`, `item a: lang "fr"`},
		{"bad kind", `items: [{id: a, lang: en, kind: done, tag: question, voice: "flite:slt", text: "Hi?"}]`, `item a: kind "done"`},
		{"tag of another kind", `items: [{id: a, lang: en, kind: finished, tag: article, voice: "flite:slt", text: "Hi?"}]`, `item a: tag "article": a finished item's tag is one of question`},
		{"unknown voice", `items: [{id: a, lang: en, kind: finished, tag: question, voice: "flite:kal", text: "Hi?"}]`, `item a: voice "flite:kal"`},
		{"voice of another language", `items: [{id: a, lang: ko, kind: finished, tag: question, voice: "flite:slt", text: "네?"}]`, "item a: voice flite:slt speaks en, the item is ko"},
		{"no text", `items: [{id: a, lang: en, kind: finished, tag: question, voice: "flite:slt"}]`, "item a: no text and no segments"},
		{"text and segments", `items: [{id: a, lang: en, kind: finished, tag: question, voice: "flite:slt", text: "Hi?", segments: [{text: "Hi?"}]}]`, "item a: has both text and segments"},
		{"digits", `items: [{id: a, lang: en, kind: finished, tag: statement, voice: "flite:slt", text: "My order is 4567."}]`, "item a: segment 1 \"My order is 4567.\": write numbers in words"},
		{"markup", `items: [{id: a, lang: en, kind: finished, tag: statement, voice: "flite:slt", text: "a <b> c"}]`, "item a: segment 1 \"a <b> c\": no <"},
		{"duplicate id", "items:\n  - " + ok + "\n  - " + strings.Replace(ok, "Where is my order?", "Where is my parcel?", 1), "item en-finished-01: id is used by an earlier item"},
		{"duplicate text", "items:\n  - " + ok + "\n  - " + strings.Replace(ok, "-01", "-02", 1), "item en-finished-02: same finished text as en-finished-01"},
		{"finished with a pause", `items: [{id: a, lang: en, kind: finished, tag: statement, voice: "flite:slt", segments: [{text: "I want", pause: 900ms}, {text: "a refund."}]}]`, "item a: 2 segments: a finished item is one piece of speech"},
		{"paused in one piece", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", text: "I want a refund."}]`, "item a: 1 segments: a paused item has two"},
		{"pause too long", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", segments: [{text: "I want a", pause: 1300ms}, {text: "refund."}]}]`, "item a: pause 1.3s outside 500ms-1.2s"},
		{"pause too short", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", segments: [{text: "I want a", pause: 400ms}, {text: "refund."}]}]`, "item a: pause 400ms outside"},
		{"pause not a duration", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", segments: [{text: "I want a", pause: 0.9}, {text: "refund."}]}]`, `item a: segment 1: pause "0.9": want a duration`},
		{"pause at the end", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", segments: [{text: "I want a", pause: 900ms}, {text: "refund.", pause: 900ms}]}]`, "item a: the last segment has a pause"},
		{"punctuation before the pause", `items: [{id: a, lang: en, kind: paused, tag: article, voice: "flite:slt", segments: [{text: "Well, I want a", pause: 900ms}, {text: "refund."}]}]`, "item a: segment 1 \"Well, I want a\": a paused item has punctuation only at its end"},
		{"say without text", `items: [{id: a, lang: en, kind: backchannel, tag: acknowledgement, voice: "flite:slt", say: "um hum"}]`, "item a: say without text"},
		{"item without id", `items: [{lang: en, kind: finished, tag: question, voice: "flite:slt", text: "Hi?"}]`, `item #1: id ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := parse([]byte(tc.yaml), false)
			if err == nil {
				t.Fatalf("no error, %d items", len(set.items))
			}
			if !errors.Is(err, ErrInvalidSet) {
				t.Errorf("error %v does not wrap ErrInvalidSet", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		set, err := parse([]byte("items:\n  - "+ok), false)
		if err != nil || len(set.Items(Finished)) != 1 {
			t.Fatalf("parse = %v, %v", set, err)
		}
		if it := set.Items(Finished)[0]; it.Voice != (Voice{"flite", "slt"}) || it.Transcript != "Where is my order?" {
			t.Errorf("item %+v", it)
		}
	})
	t.Run("too few", func(t *testing.T) {
		_, err := parse([]byte("items:\n  - "+ok), true)
		if err == nil || !strings.Contains(err.Error(), "1 finished items, want at least 60") ||
			!strings.Contains(err.Error(), "0 Korean interruption items, want at least 3") {
			t.Fatalf("error %v, want the counts", err)
		}
	})
}

func TestKindString(t *testing.T) {
	for _, k := range Kinds {
		if parseKind(k.String()) != k {
			t.Errorf("parseKind(%q) != %d", k, k)
		}
	}
	if KindUnknown.String() != "unknown" || Kind(9).String() != "Kind(9)" || parseKind("x") != KindUnknown {
		t.Error("unknown kinds")
	}
}
