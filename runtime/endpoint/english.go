package endpoint

import "strings"

// English word lists, lower case.
var (
	enShort = newSet("yes no yeah yep yup nope sure okay ok right correct exactly thanks thank you please bye " +
		"goodbye hello hi hey fine great perfect uh-huh mm-hmm alright all that's of course not really absolutely " +
		"definitely cool good nice sounds")
	enFillers      = newSet("um umm uh uhh er erm hmm uhm ah eh mm like")
	enConjunctions = newSet("and but or so because cause cuz if when while although though since unless whether than nor as")
	enDeterminers  = newSet("a an the my your our their its every each another whose")
	enPrepositions = newSet("to for of in on at from with about by into onto under after before between through " +
		"without within near per via towards toward upon until till against among during despite including except " +
		"across behind beside besides")
	// enParticles end phrasal verbs ("log in", "sign up", "hold on").
	enParticles = newSet("in on up down out off over back through away around")
	// enPhrasal are verbs that take those particles.
	enPhrasal = newSet("log logged sign signed turn turned check checked pick picked hold set give come go get " +
		"find found look looked call called hang calm figure fill filled show carry move put take shut print cancel " +
		"pay paid sort work wake clean opt drop walk plug mess run sit stand log-in it them me him her that this")
	enAux = newSet("is are was were am be been being will would can could should shall must might may do does " +
		"did have has had won't can't don't doesn't didn't isn't aren't wasn't weren't couldn't wouldn't shouldn't")
	// enSubjects are pronouns that end an elliptic answer ("yes it is",
	// "no I can't") but not a sentence on their own ("and then I").
	enSubjects     = newSet("i you he she it we they there that this who what where which")
	enOpenSubjects = newSet("i we they he she")
	enContractions = newSet("i'm it's that's there's you're we're they're he's she's what's i've i'd i'll we'll " +
		"you'll they'll we've they've")
	enSaying  = newSet("think thought said say says know knew believe hope mean meant guess feel sure so is was")
	enWh      = newSet("what where when why how who whom which whose")
	enAsk     = newSet("can could would will do does did is are was were should may have has shall")
	enOpeners = newSet("so and okay ok um uh well hey hi hello sorry excuse me yes no yeah oh")
	enClosers = newSet("please thanks today tomorrow tonight now yesterday again too already yet anymore then there here")
	// Numbers: words that promise more, the digits, and what asks for a
	// code or a number.
	enNumberOpen = newSet("hundred thousand million point dash hyphen slash plus")
	enDigits     = map[string]int{
		"zero": 1, "oh": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1, "seven": 1,
		"eight": 1, "nine": 1, "ten": 2, "eleven": 2, "twelve": 2, "thirteen": 2, "fourteen": 2, "fifteen": 2,
		"sixteen": 2, "seventeen": 2, "eighteen": 2, "nineteen": 2, "twenty": 2, "thirty": 2, "forty": 2,
		"fifty": 2, "sixty": 2, "seventy": 2, "eighty": 2, "ninety": 2, "double": 0, "triple": 0,
	}
	enTens = newSet("twenty thirty forty fifty sixty seventy eighty ninety")
	// enDigitSounds are words recognisers write for digits inside a
	// number ("for" for four, "to" for two).
	enDigitSounds = newSet("for fore to too won ate")
	enNumberCues  = newSet("number code phone pin zip postcode account order card reference confirmation booking " +
		"ticket id extension digits")
	// enAmountCues ask for an amount: a tens word after them ("the total
	// came to forty") is more likely the start of "forty nine".
	enAmountCues = newSet("total cost costs price amount balance paid pay charged owe came")
)

// english applies the English rules to text.
func english(text string) Cue {
	p := punctuation(text)
	w := words(text)
	if len(w) == 0 {
		return p
	}
	return withPunctuation(p, englishWords(w))
}

// englishWords applies the word rules, most telling first.
func englishWords(w []string) Cue {
	n := len(w)
	last := w[n-1]
	prev := ""
	if n > 1 {
		prev = w[n-2]
	}
	if n <= 4 && all(w, enShort) {
		return Finished // "yes", "no thanks", "that's right"
	}
	if c, ok := englishNumber(w); ok {
		return c
	}
	switch {
	case enFillers[last]:
		return Unfinished
	case last == "know" && prev == "you", last == "mean" && prev == "i", last == "of" && (prev == "kind" || prev == "sort"):
		return Unfinished // "you know", "I mean", "kind of"
	case enConjunctions[last]:
		return Unfinished
	case last == "that":
		if enSaying[prev] {
			return Unfinished // "I think that"
		}
		return Unknown // "I want that"
	case enDeterminers[last]:
		return Unfinished
	case enParticles[last] && enPhrasal[prev]:
		return LeanFinished // "log in", "hold on"
	case enPrepositions[last]:
		if isWhQuestion(w) {
			return LeanFinished // "who should I talk to"
		}
		return Unfinished // "can you send the invoice to"
	case enAux[last]:
		if enSubjects[prev] {
			return Finished // "yes it is", "no I can't"
		}
		return Unfinished // "my order number is"
	case enContractions[last], enOpenSubjects[last]:
		return Unfinished
	case strings.HasSuffix(last, "'s") && !enContractions[last]:
		return LeanUnfinished // "about my husband's"
	case isQuestion(w):
		return Finished
	case enClosers[last]:
		return Finished
	}
	return LeanFinished // a clause that ends on a content word
}

// englishNumber reads a transcript that ends in a number: "hundred" or
// "point" promise more, and a short run of digits after what asks for a
// number ("my order number is four five") is unfinished. ok is false when
// the text does not end in a number.
func englishNumber(w []string) (Cue, bool) {
	last := w[len(w)-1]
	if enNumberOpen[last] {
		return Unfinished, true
	}
	digits, i := 0, len(w)-1
	for ; i >= 0; i-- {
		if d, ok := enDigits[w[i]]; ok {
			digits += d
		} else if isDigits(w[i]) {
			digits += len(w[i])
		} else if enDigitSounds[w[i]] && digits > 0 {
			digits++ // "for five six seven": a recogniser's "four"
		} else {
			break
		}
	}
	if i == len(w)-1 {
		return Unknown, false // no number at the end
	}
	cue, amount := false, false
	for j := max(0, i-3); j <= i; j++ {
		cue = cue || enNumberCues[w[j]] || enNumberCues[strings.TrimSuffix(w[j], "s")] // "references"
		amount = amount || enAmountCues[w[j]]
	}
	switch {
	case enTens[last] && (cue || amount):
		return Unfinished, true // "the total came to forty": "forty nine"
	case enTens[last]:
		return LeanUnfinished, true // "twenty" may become "twenty five"
	case cue && digits < 4:
		return Unfinished, true
	case cue:
		return LeanFinished, true // long enough to be whole; more may come
	}
	return Unknown, true
}

// isQuestion reports whether w opens like a question, after openers such
// as "so" or "excuse me".
func isQuestion(w []string) bool {
	i := questionStart(w)
	return len(w)-i >= 3 && (enWh[w[i]] || enAsk[w[i]])
}

// isWhQuestion reports whether w opens with a question word, which may
// leave its preposition at the end ("what is it for").
func isWhQuestion(w []string) bool {
	i := questionStart(w)
	return len(w)-i >= 3 && enWh[w[i]]
}

// questionStart skips the openers before a question.
func questionStart(w []string) int {
	i := 0
	for i < len(w)-1 && enOpeners[w[i]] {
		i++
	}
	return i
}

func all(w []string, s set) bool {
	for _, x := range w {
		if !s[x] {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
