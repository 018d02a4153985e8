package endpoint

import "strings"

// Korean rules read the end of the last word: Korean puts the verb, and
// with it the ending that closes or continues the sentence, last.
var (
	koShort = newSet("네 예 응 어 아 아니 아니요 아니오 아뇨 맞아 맞아요 맞습니다 그래 그래요 그렇죠 그럼요 물론이죠 " +
		"좋아 좋아요 좋습니다 알겠어요 알겠습니다 감사합니다 고마워요 고맙습니다 됐어요 괜찮아요 여보세요 안녕하세요")
	koFillers      = newSet("음 어 아 그 저 저기 뭐 뭐지 그게 그러니까 이제 막 좀 약간 혹시")
	koConjunctions = newSet("그리고 그래서 그런데 근데 하지만 그러나 그러면 그럼 또 또는 아니면 왜냐하면 그니까")
	// koQuestions are whole last words that ask, though their ending would
	// read as continuing ("뭐라고?").
	koQuestions = newSet("뭐라고 왜요 뭐요 어디요 언제요")
	// koNumberCues ask for a number or a code.
	koNumberCues = []string{"번호", "코드", "전화", "계좌", "주문", "예약", "우편", "카드"}
)

// Endings, longest first where one contains another.
var (
	// koOpenEndings continue the sentence: connectives (고, 서, 면, 지만,
	// 려고, ...), embedded questions (는지) and case particles. 는데 and
	// its kin are a rule of their own (see koreanWords).
	koOpenEndings = []string{
		"지만", "려고", "으려고", "도록", "거나", "든지", "다가", "면서", "자마자",
		"는지", "은지", "인지", "을지", "니까", "어서", "아서", "해서", "라서", "이라서",
		"에서", "에게", "한테", "부터", "까지", "보다", "처럼", "으로", "이랑",
		"고", "서", "면", "며", "은", "는", "을", "를", "에", "의", "와", "과", "랑", "로",
	}
	// koLeanOpen are one-syllable particles that also end many nouns (이,
	// 가, 도, 만): a weaker cue.
	koLeanOpen = []string{"이", "가", "도", "만"}
	// koClosedEndings close a statement or a question.
	koClosedEndings = []string{
		"요", "다", "죠", "까", "니", "냐", "자", "네", "군", "지", "래", "대", "나",
	}
)

// korean applies the Korean rules to text.
func korean(text string) Cue {
	p := punctuation(text)
	w := strings.Fields(text)
	for i := range w {
		w[i] = strings.TrimFunc(w[i], func(r rune) bool { return !isHangulOrDigit(r) })
	}
	w = nonEmpty(w)
	if len(w) == 0 {
		return p
	}
	return withPunctuation(p, koreanWords(w))
}

func koreanWords(w []string) Cue {
	last := w[len(w)-1]
	if len(w) <= 3 && all(w, koShort) {
		return Finished // "네", "아니요 괜찮아요"
	}
	if c, ok := koreanNumber(w); ok {
		return c
	}
	switch {
	case koFillers[last], koConjunctions[last]:
		return Unfinished
	case koQuestions[last]:
		return Finished
	case strings.HasSuffix(last, "니까"):
		// 합니까, 입니까 ask (the syllable before 니 ends in ㅂ);
		// 가니까, 하니까 give a reason and go on.
		r := []rune(last)
		if len(r) >= 3 && finalConsonant(r[len(r)-3]) == jongBieup {
			return Finished
		}
		return Unfinished
	case strings.HasSuffix(last, "데"):
		// 는데, 은데, 인데, 한데, 던데: 데 after a syllable ending in ㄴ
		// ("but", "and so") goes on.
		r := []rune(last)
		if len(r) >= 2 && finalConsonant(r[len(r)-2]) == jongNieun {
			return Unfinished
		}
	}
	for _, e := range koOpenEndings {
		if strings.HasSuffix(last, e) && last != e {
			return Unfinished
		}
	}
	for _, e := range koClosedEndings {
		if strings.HasSuffix(last, e) {
			return Finished
		}
	}
	for _, e := range koLeanOpen {
		if strings.HasSuffix(last, e) && last != e {
			return LeanUnfinished
		}
	}
	return LeanFinished // a noun answer: "내일", "삼번"
}

// koreanNumber reads a transcript ending in numerals (digits or the
// Sino-Korean 일 이 삼 ... 공): after what asks for a number, fewer than
// four digits are unfinished.
func koreanNumber(w []string) (Cue, bool) {
	digits, i := 0, len(w)-1
	for ; i >= 0; i-- {
		n, ok := koNumeral(w[i])
		if !ok {
			break
		}
		digits += n
	}
	if i == len(w)-1 {
		return Unknown, false
	}
	cue := false
	for j := max(0, i-2); j <= i; j++ {
		for _, c := range koNumberCues {
			cue = cue || strings.Contains(w[j], c)
		}
	}
	switch {
	case cue && digits < 4:
		return Unfinished, true
	case cue:
		return LeanFinished, true
	}
	return Unknown, true
}

// koNumeral returns how many digits word spells: ASCII digits, or only
// Sino-Korean digit syllables.
func koNumeral(word string) (int, bool) {
	if isDigits(word) {
		return len(word), true
	}
	n := 0
	for _, r := range word {
		if !strings.ContainsRune("공영일이삼사오육칠팔구", r) {
			return 0, false
		}
		n++
	}
	return n, n > 0
}

// Final consonant indexes of ㄴ and ㅂ in a Hangul syllable.
const (
	jongNieun = 4
	jongBieup = 17
)

// finalConsonant returns the final consonant index (0 for none) of a
// precomposed Hangul syllable, -1 for any other rune.
func finalConsonant(r rune) int {
	if r < 0xAC00 || r > 0xD7A3 {
		return -1
	}
	return int(r-0xAC00) % 28
}

func isHangulOrDigit(r rune) bool {
	return (r >= 0xAC00 && r <= 0xD7A3) || (r >= 0x3131 && r <= 0x318E) || (r >= '0' && r <= '9')
}

func nonEmpty(w []string) []string {
	out := w[:0]
	for _, x := range w {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}
