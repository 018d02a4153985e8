package main

// script is a parsed dialog: what the options say, in the form matching
// needs.
type script struct {
	intents  []intent
	fallback reply
	// hangup, when set, ends the call: it wins whenever any of its
	// keywords is heard, since a caller who says goodbye is leaving,
	// whatever else they said.
	hangup *intent
	// fuzzy is the least similarity at which a misheard word still counts
	// as the keyword (1: exact words only), and edits[n] is the most edits
	// that allows between words of n letters.
	fuzzy float64
	edits [maxTabledLetters + 1]int
}

// maxTabledLetters is the longest word whose edit allowance script.edits
// holds; longer ones are computed.
const maxTabledLetters = 32

// setFuzzy sets the fuzzy threshold and tabulates its edit allowances.
func (s *script) setFuzzy(threshold float64) {
	s.fuzzy = threshold
	for n := range s.edits {
		s.edits[n] = maxEdits(threshold, n)
	}
}

// similar is the similarity of two words if it reaches s.fuzzy, else 0.
func (s *script) similar(a, b []rune, buf *[]int) float64 {
	n := max(len(a), len(b))
	k := 0
	if n < len(s.edits) {
		k = s.edits[n]
	} else {
		k = maxEdits(s.fuzzy, n)
	}
	return similar(a, b, k, buf)
}

// intent is one thing a caller may want, and the answer to it.
type intent struct {
	name     string
	keywords []keyword
	reply    reply
	// tool, when set, is called before the reply, which is then toolReply
	// filled from the tool's result.
	tool      *intentTool
	toolReply template
}

// keyword is a word or a phrase: its words must be heard in order, next to
// each other.
type keyword []term

// reply is an answer and the pieces it streams in.
type reply struct {
	text   string
	pieces []string
}

// defaultFuzzy is options.fuzzy when it is not set: "ordr" (4 of 5
// letters) still means order.
const defaultFuzzy = 0.8

// answer is the script's response to one turn.
type answer struct {
	// intent is the name of the matched intent: "hangup" for the hang-up
	// intent, "" for the fallback.
	intent  string
	reply   reply
	endCall bool
	// index is the matched intent's place in intents; -1 for the hang-up
	// intent and the fallback.
	index int
}

// respond picks the answer to the caller's text: the hang-up reply if a
// hang-up keyword is heard, else the reply of the best-scoring intent (the
// earlier one on a tie), else the fallback.
func (s *script) respond(text string) answer {
	t := newTurn(s, text)
	if s.hangup != nil && t.score(s.hangup) > 0 {
		return answer{intent: s.hangup.name, reply: s.hangup.reply, endCall: true, index: -1}
	}
	best, bestScore := -1, 0.0
	for i := range s.intents {
		if sc := t.score(&s.intents[i]); sc > bestScore {
			best, bestScore = i, sc
		}
	}
	if best < 0 {
		return answer{reply: s.fallback, index: -1}
	}
	return answer{intent: s.intents[best].name, reply: s.intents[best].reply, index: best}
}

// newReply splits text into the pieces it streams in: a sentence each,
// with the spaces after it, so that the pieces join back into text. A
// sentence is what the text-to-speech stage speaks at once, so finer pieces
// would only cost more messages.
func newReply(text string) reply {
	var pieces []string
	start, ended, spaced := 0, false, false
	for i, r := range text {
		end := r == '.' || r == '!' || r == '?' || r == '。'
		switch {
		case r == ' ' || r == '\n' || r == '\t':
			spaced = ended
		case spaced: // the first letter of the next sentence
			pieces = append(pieces, text[start:i])
			start, ended, spaced = i, end, false
		default:
			ended = end
		}
	}
	if start < len(text) {
		pieces = append(pieces, text[start:])
	}
	return reply{text: text, pieces: pieces}
}
