package endpoint

import (
	"strings"
	"testing"
)

// finishedness groups cues for the tables: what a rule must lean to.
type finishedness int

const (
	open   finishedness = -1 // Unfinished or LeanUnfinished
	none   finishedness = 0  // Unknown
	closed finishedness = 1  // Finished or LeanFinished
)

func lean(c Cue) finishedness {
	switch {
	case c < 0:
		return open
	case c > 0:
		return closed
	}
	return none
}

func TestTextEnglish(t *testing.T) {
	tests := []struct {
		text string
		want finishedness
	}{
		// Questions, statements and short answers: finished.
		{"where is my order", closed},
		{"Where is my order?", closed},
		{"can you tell me when the store opens", closed},
		{"so what time do you close", closed},
		{"excuse me do you deliver on sundays", closed},
		{"I want to cancel my subscription", closed},
		{"my order number is four five six seven", closed},
		{"my order number is for five six seven", closed}, // pocketsphinx's "four"
		{"yes", closed},
		{"no", closed},
		{"no thanks", closed},
		{"that's right", closed},
		{"yes it is", closed},
		{"no I can't", closed},
		{"I need to log in", closed},
		{"could you hold on", closed},
		{"who should I talk to", closed},
		{"thank you", closed},
		{"can I pay tomorrow please", closed},
		{"Tuesday", closed},
		// Unfinished points: conjunction, preposition, article, filler,
		// auxiliary, number.
		{"I ordered a lamp and", open},
		{"I would like to change it because", open},
		{"I want to talk to", open},
		{"it was delivered to the wrong address in", open},
		{"I want to change my", open},
		{"can you send me the", open},
		{"I was wondering um", open},
		{"the thing is uh", open},
		{"you know", open},
		{"my order number is", open},
		{"the problem is", open},
		{"I think that", open},
		{"and then I", open},
		{"it's", open},
		{"can you send the invoice to", open},
		{"is there a branch near", open},
		{"I'm calling about my husband's", open},
		{"my order number is four five", open},
		{"my phone number is 555", open},
		{"it costs two hundred", open},
		{"the total was twenty", open},
		{"the total came to forty", open},
		{"the booking references seven two", open},
		{"I want to book a table for,", open},
		{"Well, I was thinking...", open},
		// Whisper's full stop after a cut-off clause does not make it whole.
		{"My order number is.", open},
		// Nothing to go on.
		{"", none},
		{"   ", none},
		{"I need two", none},
	}
	for _, tt := range tests {
		if got := Text("en", tt.text); lean(got) != tt.want {
			t.Errorf("Text(en, %q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestTextKorean(t *testing.T) {
	tests := []struct {
		text string
		want finishedness
	}{
		// Finished: 요, 다, 까, 죠 endings, short answers, nouns.
		{"주문 번호가 뭐예요", closed},
		{"배송이 언제 와요?", closed},
		{"주문을 취소하고 싶습니다", closed},
		{"영업시간이 어떻게 됩니까", closed},
		{"내일 가도 될까", closed},
		{"그거 맞죠", closed},
		{"네", closed},
		{"아니요 괜찮아요", closed},
		{"감사합니다", closed},
		{"내일", closed},
		{"뭐라고", closed},
		{"주문 번호는 일 이 삼 사 오", closed},
		// Unfinished: 고, 는데, 서, 면, 니까 (reason), 지만, particles,
		// fillers, conjunctions, a short number.
		{"주문을 했고", open},
		{"어제 주문했는데", open},
		{"배송이 늦어서", open},
		{"취소하려면", open},
		{"제가 지금 바쁘니까", open},
		{"좋긴 하지만", open},
		{"제 주문 번호는", open},
		{"배송 주소를", open},
		{"서울에서", open},
		{"그게 음", open},
		{"그리고", open},
		{"언제 오는지", open},
		{"주문 번호는 일 이", open},
		{"제 이름이", open},
		{"주문했는데,", open},
		// Nothing to go on.
		{"", none},
	}
	for _, tt := range tests {
		if got := Text("ko", tt.text); lean(got) != tt.want {
			t.Errorf("Text(ko, %q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestTextPicksRules(t *testing.T) {
	// A regional tag uses its base language's rules; auto and no language
	// guess from the script.
	for _, lang := range []string{"en-US", "en_GB", "auto", ""} {
		if got := Text(lang, "my order number is"); lean(got) != open {
			t.Errorf("Text(%q, English) = %v, want unfinished", lang, got)
		}
	}
	for _, lang := range []string{"ko-KR", "auto", ""} {
		if got := Text(lang, "어제 주문했는데"); lean(got) != open {
			t.Errorf("Text(%q, Korean) = %v, want unfinished", lang, got)
		}
	}
	// Without rules, punctuation alone.
	if got := Text("fr", "je voudrais changer"); got != Unknown {
		t.Errorf("Text(fr, no mark) = %v, want Unknown", got)
	}
	if got := Text("fr", "Où est ma commande ?"); got != Finished {
		t.Errorf("Text(fr, '?') = %v, want Finished", got)
	}
	if got := Text("ja", "注文番号は、"); got != Unfinished {
		t.Errorf("Text(ja, '、') = %v, want Unfinished", got)
	}
}

func TestTextReadsOnlyTheEnd(t *testing.T) {
	long := strings.Repeat("and then I went to the shop ", 10000) + "where is my order"
	if got := Text("en", long); lean(got) != closed {
		t.Errorf("Text(long) = %v, want finished", got)
	}
	// A cut in the middle of a multi-byte rune is not a problem.
	longKo := strings.Repeat("가", 100000) + " 주문했는데"
	if got := Text("", longKo); lean(got) != open {
		t.Errorf("Text(long Korean) = %v, want unfinished", got)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"where is my order", "주문했는데", "my number is 55", "...", "?", "uh-huh", "\xff\xfe"} {
		f.Add("en", s)
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, lang, text string) {
		c := Text(lang, text)
		if c < Unfinished || c > Finished {
			t.Fatalf("Text(%q, %q) = %v, out of [-1, 1]", lang, text, c)
		}
	})
}

func TestExtends(t *testing.T) {
	for _, c := range []struct {
		final, partial string
		want           bool
	}{
		{"where is my order", "where is my", true},
		{"where is my order", "where is my or", true}, // the last word cut short
		{"Where is my order?", "where is my order", true},
		{"anything", "", true},
		{"i tried to log in blood", "i tried to log in by", false},
		{"my package just a tad", "my package just had to", false},
		{"could you give me the", "good you give me", false},
		{"", "where is", false},
	} {
		if got := Extends(c.final, c.partial); got != c.want {
			t.Errorf("Extends(%q, %q) = %v, want %v", c.final, c.partial, got, c.want)
		}
	}
}
