package endpoint

import "strings"

// DefaultBackchannels are the acknowledgements an agent lets a caller say
// over it without stopping, per base language, when its file names none.
var DefaultBackchannels = map[string][]string{
	"en": {
		"uh-huh", "uh huh", "mm-hmm", "mhm", "mm", "hmm", "yeah", "yep", "yes", "okay", "ok", "right", "sure",
		"alright", "all right", "i see", "got it", "gotcha", "oh", "ah", "cool", "great", "good", "fine", "perfect",
		"true", "exactly", "indeed", "makes sense", "sounds good",
	},
	"ko": {"네", "예", "응", "어", "아", "음", "그렇죠", "그렇군요", "맞아요", "맞아", "그래요", "그래", "아하", "네네", "예예"},
}

// InterruptionCues are words that make speech over the agent an
// interruption however short it is ("wait", "stop", "no"), per base
// language.
var InterruptionCues = map[string][]string{
	"en": {"wait", "stop", "no", "hold", "hang", "sorry", "excuse", "pardon", "but", "actually", "what", "why",
		"how", "which", "where", "when", "who", "hey", "listen", "question", "repeat", "again", "not", "don't", "can", "could", "please",
		"bye", "goodbye", "hello", "hi"},
	"ko": {"잠깐", "잠깐만", "잠깐만요", "아니", "아니요", "아뇨", "근데", "그런데", "저기", "저기요", "그만", "멈춰", "뭐라고요", "다시",
		"안녕히", "여보세요"},
}

// maxBackchannelWords bounds an acknowledgement: "yeah yeah okay" is one,
// a sentence made of acknowledgement words is not.
const maxBackchannelWords = 4

// Backchannels recognises acknowledgements spoken over the agent.
type Backchannels struct {
	phrases map[string]bool // normalised, by words joined with one space
	longest int             // words in the longest phrase
	cues    set             // InterruptionCues, every language
}

// NewBackchannels returns the recogniser of phrases (any language mixed;
// case and punctuation do not matter).
func NewBackchannels(phrases []string) *Backchannels {
	b := &Backchannels{phrases: map[string]bool{}, cues: set{}}
	for _, words := range InterruptionCues {
		for _, w := range words {
			b.cues[w] = true
		}
	}
	for _, p := range phrases {
		w := words(p)
		if len(w) == 0 {
			continue
		}
		b.phrases[strings.Join(w, " ")] = true
		b.longest = max(b.longest, len(w))
	}
	return b
}

// Match reports whether text is nothing but acknowledgements: one phrase,
// or a few in a row ("yeah okay", "네 네"), at most four words in all.
// Empty text is not an acknowledgement.
func (b *Backchannels) Match(text string) bool {
	w := words(text)
	if len(w) == 0 || len(w) > maxBackchannelWords {
		return false
	}
	return b.cover(w)
}

// likelyWords is the most words a misheard acknowledgement comes out as
// ("yeah yeah" as "you have a", "oh I see" as "though I see").
const likelyWords = 3

// Likely reports whether short speech over the agent is more likely an
// acknowledgement than an interruption, when its words are not one (a
// recogniser often mishears a quick "uh-huh": "huh", "ahead"): at most
// likelyWords words, none of them an interruption cue such as "wait" or
// "no". Match is a stronger test.
func (b *Backchannels) Likely(text string) bool {
	w := words(text)
	if len(w) > likelyWords {
		return false
	}
	for _, x := range w {
		if b.cues[x] {
			return false
		}
	}
	return true
}

// Long reports whether text, a partial transcript of speech over the
// agent, already has more words than any acknowledgement ("yeah yeah
// okay"): an interruption, whatever the rest of the speech says. Shorter
// speech is decided on its final transcript (Match, Likely): a
// recogniser's first guesses at a quick "yeah" are often other words, cue
// words among them ("but he had").
func (b *Backchannels) Long(text string) bool {
	return len(words(text)) > maxBackchannelWords
}

// Prefix reports whether text could still become an acknowledgement: it
// is one, or it is the start of one ("uh" of "uh-huh"; "all" of "all
// right"). A partial transcript that is not a Prefix is an interruption.
func (b *Backchannels) Prefix(text string) bool {
	w := words(text)
	if len(w) == 0 {
		return true
	}
	if len(w) > maxBackchannelWords {
		return false
	}
	if b.cover(w) {
		return true
	}
	// The last words may be the start of a longer phrase.
	for k := 1; k <= min(len(w), b.longest-1); k++ {
		if b.cover(w[:len(w)-k]) || len(w) == k {
			head := strings.Join(w[len(w)-k:], " ")
			for p := range b.phrases {
				if strings.HasPrefix(p, head) {
					return true
				}
			}
		}
	}
	return false
}

// cover reports whether w splits into phrases (an empty w does).
func (b *Backchannels) cover(w []string) bool {
	if len(w) == 0 {
		return true
	}
	for k := min(len(w), b.longest); k >= 1; k-- {
		if b.phrases[strings.Join(w[:k], " ")] && b.cover(w[k:]) {
			return true
		}
	}
	return false
}
