package sphinx

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
)

// decode feeds pcm in 20 ms frames and ends the utterance.
func decode(t *testing.T, d *Decoder, pcm []int16) Result {
	t.Helper()
	for i := 0; i < len(pcm); i += 320 {
		if err := d.Process(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := d.End()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// same compares results: equal text, and confidence equal to 1e-3 (see
// Reset: a reused decoder's confidences can move in the 5th decimal).
func same(a, b Result) bool {
	return a.Text == b.Text && math.Abs(a.Confidence-b.Confidence) < 1e-3
}

func newDecoder(t *testing.T, cfg Config) *Decoder {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func TestDecodeSentence(t *testing.T) {
	d := newDecoder(t, DefaultConfig())
	r := decode(t, d, speechtest.Flite(t, "rms", "Can I speak to a person please?"))
	if r.Text != "can i speak to a person please" {
		t.Fatalf("got %q", r.Text)
	}
	if r.Confidence < 0.5 || r.Confidence > 1 {
		t.Fatalf("confidence %.3f of a correct result, want 0.5..1", r.Confidence)
	}
	if d.InUtterance() {
		t.Fatal("still in an utterance after End")
	}
}

func TestEndWithoutAudioIsEmpty(t *testing.T) {
	d := newDecoder(t, DefaultConfig())
	r, err := d.End()
	if err != nil || r != (Result{}) {
		t.Fatalf("End without audio = %+v, %v", r, err)
	}
	if r := decode(t, d, make([]int16, 16000)); r.Text != "" {
		t.Fatalf("one second of silence gave %q", r.Text)
	}
}

// TestResetForgetsTheSpeaker checks that a reused decoder decodes exactly
// as a fresh one: the pool relies on it.
func TestResetForgetsTheSpeaker(t *testing.T) {
	a := speechtest.Flite(t, "slt", "My package has not arrived yet.")
	fresh := decode(t, newDecoder(t, DefaultConfig()), a)

	d := newDecoder(t, DefaultConfig())
	for _, v := range []string{"awb", "rms"} {
		decode(t, d, speechtest.Flite(t, v, "What time do you open on Saturday?"))
	}
	if err := d.Process(a[:8000]); err != nil { // an utterance left open
		t.Fatal(err)
	}
	if err := d.Reset(); err != nil {
		t.Fatal(err)
	}
	if got := decode(t, d, a); !same(got, fresh) {
		t.Fatalf("after Reset %+v, fresh decoder %+v", got, fresh)
	}
}

func TestGrammar(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Grammar = `#JSGF V1.0;
grammar menu;
public <request> = [i want to] (check | cancel) [my] order | [can i] speak to a person | what are your opening hours;
`
	d := newDecoder(t, cfg)
	for _, s := range []string{"I want to check my order.", "Can I speak to a person?", "What are your opening hours?"} {
		if r := decode(t, d, speechtest.Flite(t, "slt", s)); strings.Join(speechtest.Words(s), " ") != r.Text {
			t.Errorf("grammar heard %q as %q", s, r.Text)
		}
	}
}

func TestKeyphrases(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Keyphrases = []string{"refund", "speak to a person", "opening hours"}
	d := newDecoder(t, cfg)
	for _, tc := range []struct{ say, want string }{
		{"Can I speak to a person?", "speak to a person"},
		{"What are your opening hours?", "opening hours"},
		{"I would like a refund for this lamp.", "refund"},
		{"Hello, my name is Kim.", ""},
	} {
		if r := decode(t, d, speechtest.Flite(t, "rms", tc.say)); r.Text != tc.want {
			t.Errorf("keyphrases in %q: got %q, want %q", tc.say, r.Text, tc.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	withGrammar := func(g string) Config { c := DefaultConfig(); c.Grammar = g; return c }
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing model", Config{HMM: "/nonexistent/hmm", Dict: DefaultConfig().Dict, LM: DefaultConfig().LM}, "/nonexistent/hmm"},
		{"no dictionary", Config{HMM: DefaultConfig().HMM, LM: DefaultConfig().LM}, "dictionary are required"},
		{"no search", Config{HMM: DefaultConfig().HMM, Dict: DefaultConfig().Dict}, "language model, keyphrases or a grammar"},
		{"both searches", func() Config {
			c := withGrammar("#JSGF V1.0; grammar g; public <a> = yes;")
			c.Keyphrases = []string{"yes"}
			return c
		}(), "cannot be used together"},
		{"grammar syntax", withGrammar("this is not jsgf"), "does not compile"},
		{"grammar word", withGrammar("#JSGF V1.0;\ngrammar g;\npublic <a> = yes | zqxjkw;\n"), "does not compile"},
		{"keyphrase word", func() Config { c := DefaultConfig(); c.Keyphrases = []string{"hello zqxjkw"}; return c }(), "missing from the dictionary: zqxjkw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := New(tc.cfg)
			if err == nil {
				d.Close()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want ErrConfig containing %q", err, tc.want)
			}
		})
	}
}

func TestUseAfterClose(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Process(make([]int16, 320)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d.Close()
	if err := d.Process(make([]int16, 320)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Process after Close: %v", err)
	}
	if _, err := d.End(); !errors.Is(err, ErrClosed) {
		t.Fatalf("End after Close: %v", err)
	}
	if err := d.Reset(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Reset after Close: %v", err)
	}
	if d.Hyp() != "" || d.InSpeech() || d.MissingWords("x") != nil {
		t.Fatal("queries after Close must be empty")
	}
}

func TestKey(t *testing.T) {
	a, b := DefaultConfig(), DefaultConfig()
	if a.Key() != b.Key() {
		t.Fatal("equal configs, different keys")
	}
	b.Keyphrases = []string{"x"}
	c := DefaultConfig()
	c.Grammar = "x"
	d := DefaultConfig()
	d.KeywordThreshold = DefaultKeywordThreshold
	if a.Key() == b.Key() || a.Key() == c.Key() || b.Key() == c.Key() {
		t.Fatal("different configs, same key")
	}
	if a.Key() != d.Key() {
		t.Fatal("the default threshold spelt out changes the key")
	}
}

// TestFramingDoesNotMatter checks that the caller's frame size does not
// change the result: a stream (20 ms frames) and a one-shot transcription
// (large chunks) must agree.
func TestFramingDoesNotMatter(t *testing.T) {
	pcm := speechtest.Flite(t, "awb", "I want to return a broken lamp.")
	d := newDecoder(t, DefaultConfig())
	var want Result
	for i, frame := range []int{BlockSamples, 8000, 77, len(pcm)} {
		for j := 0; j < len(pcm); j += frame {
			if err := d.Process(pcm[j:min(j+frame, len(pcm))]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := d.End()
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Reset(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = got
			continue
		}
		if !same(got, want) {
			t.Fatalf("frames of %d samples: %+v; frames of %d: %+v", frame, got, BlockSamples, want)
		}
	}
	if want.Text == "" {
		t.Fatal("nothing recognised")
	}
}

// TestNoCMemoryLeak checks that decoders give back the C memory they
// take: a decoder loaded and closed, and utterances (with partials, and a
// reset, as between two calls) on one decoder. (pocketsphinx's JSGF string
// parser leaked 7 KB a grammar, which is why grammars go through a file.)
//
// glibc's mallinfo2 counts only its main arena, so the test runs itself
// again in a child process with one arena for every thread; and as that
// arena also holds the thread-local storage of new threads, measurements
// during which a thread started are taken again.
func TestNoCMemoryLeak(t *testing.T) {
	const tunable = "glibc.malloc.arena_max=1"
	if os.Getenv("GLIBC_TUNABLES") != tunable {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoCMemoryLeak$", "-test.v")
		// One P: the Go runtime has no reason to start threads while the
		// locked thread is in C.
		cmd.Env = append(os.Environ(), "GLIBC_TUNABLES="+tunable, "GOMAXPROCS=1")
		out, err := cmd.CombinedOutput()
		t.Logf("child:\n%s", out)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	// One OS thread does all the C work.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	warmThreads()
	speech := speechtest.Flite(t, "rms", "Speak to a person.")
	grammar, keywords := DefaultConfig(), DefaultConfig()
	grammar.Grammar = "#JSGF V1.0;\ngrammar menu;\npublic <cmd> = yes | no | [can i] speak to a person [please];\n"
	keywords.Keyphrases = []string{"refund", "speak to a person"}
	// perDecoder is what pocketsphinx may keep of a closed decoder: its
	// grammar compiler's allocations settle slowly (0.05-13 KB measured),
	// the others keep up to 5 KB, and up to 10 KB (language model, 3
	// decoders) on a loaded machine, where malloc's arenas move. Losing
	// our configuration would cost 19 KB, a decoder 10-90 MB.
	for _, tc := range []struct {
		name                 string
		cfg                  Config
		decoders, utterances int
		perDecoder           int64
	}{
		{"grammar", grammar, 10, 20, 16 << 10},
		{"keywords", keywords, 10, 20, 8 << 10},
		{"language model", DefaultConfig(), 3, 20, 16 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			load := func() {
				d, err := New(tc.cfg)
				if err != nil {
					t.Fatal(err)
				}
				d.Close()
			}
			for range 3 { // pocketsphinx's one-time allocations
				load()
			}
			perDecoder := heapGrowth(t, tc.decoders, load)

			d, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			utterance := func() {
				for i := 0; i < len(speech); i += BlockSamples {
					if err := d.Process(speech[i:min(i+BlockSamples, len(speech))]); err != nil {
						t.Fatal(err)
					}
					if i%(10*BlockSamples) == 0 {
						_ = d.Hyp()
					}
				}
				if _, err := d.End(); err != nil {
					t.Fatal(err)
				}
				if err := d.Reset(); err != nil {
					t.Fatal(err)
				}
			}
			for range 5 { // tables grow to their high-water mark
				utterance()
			}
			perUtterance := heapGrowth(t, tc.utterances, utterance)
			t.Logf("C heap growth: %d bytes a decoder, %d an utterance", perDecoder, perUtterance)
			// The odd table of pocketsphinx grows as it meets longer
			// utterances: 0-410 bytes an utterance on average, measured;
			// a lost lattice or search would be kilobytes each time.
			if perDecoder > tc.perDecoder || perUtterance > 1024 {
				t.Fatalf("C heap grows %d bytes a decoder, %d an utterance: a leak", perDecoder, perUtterance)
			}
		})
	}
}

// heapGrowth is how much the C heap grows, on average, per call of f. A
// measurement during which the Go runtime started an OS thread (whose
// thread-local storage glibc allocates on the heap) is taken again.
func heapGrowth(t *testing.T, calls int, f func()) int64 {
	t.Helper()
	for range 20 {
		threads := osThreads(t)
		before := heapInUse()
		for range calls {
			f()
		}
		growth := heapInUse() - before
		if osThreads(t) == threads {
			return growth / int64(calls)
		}
	}
	t.Fatal("the Go runtime started a thread during each of 20 measurements: cannot measure the C heap")
	return 0
}

// warmThreads makes the Go runtime start the idle threads it would
// otherwise start during a measurement: a few goroutines each hold a
// thread in a blocking call at once, then hand it back to the idle pool.
func warmThreads() {
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			time.Sleep(20 * time.Millisecond)
			runtime.UnlockOSThread()
		}()
	}
	wg.Wait()
}

// osThreads is the number of OS threads of this process.
func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no thread count in /proc/self/status")
	return 0
}
