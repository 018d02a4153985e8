package korean

// class is what a lexicon entry does to the words around it.
type class uint8

const (
	classUnknown class = iota
	// classWord carries a valence of its own.
	classWord
	// classIntensifier scales the valence of the next word (정말, 너무).
	classIntensifier
	// classMitigator shrinks the valence of the next word (조금, 약간).
	classMitigator
	// classNegator is a stand-alone 안 or 못: it negates the predicate that
	// follows it.
	classNegator
)

// entry is one lexicon stem.
type entry struct {
	class class
	// weight is the valence of a word, on VADER's scale (-4 to 4), or the
	// factor of an intensifier or mitigator.
	weight float64
}

// Weights of the modifiers.
const (
	intensify = 1.5
	mitigate  = 0.5
)

// stems match the start of an eojeol (a space-separated word, which
// carries its particles and endings: 좋아요, 좋은데, 좋았어요), the longest
// stem winning. Irregular verbs change their stem when conjugated, so each
// is listed in the forms that occur (느리다: 느리, 느려, 느렸, 느린).
var stems = map[string]entry{
	// Positive.
	"좋": w(2.0), "감사": w(1.8), "고맙": w(1.8), "고마워": w(1.8), "고마웠": w(1.8), "고마운": w(1.8),
	"훌륭": w(2.5), "만족": w(2.0), "행복": w(2.5), "최고": w(3.0), "친절": w(2.0),
	"편리": w(1.5), "편하": w(1.2), "편해": w(1.2), "편했": w(1.2), "편한": w(1.2),
	"빠르": w(1.2), "빨라": w(1.2), "빨랐": w(1.2), "빠른": w(1.2),
	"괜찮": w(1.0), "기쁘": w(2.2), "기뻐": w(2.2), "기뻤": w(2.2), "기쁜": w(2.2),
	"멋지": w(2.0), "멋져": w(2.0), "멋졌": w(2.0), "멋진": w(2.0), "멋있": w(2.0),
	"완벽": w(3.0), "사랑": w(2.5), "추천": w(1.2), "다행": w(1.5), "해결": w(1.0),
	"안심": w(1.0), "재미": w(1.0), "깔끔": w(1.5), "신속": w(1.5), "정확": w(1.0),
	"대박": w(2.0), "칭찬": w(1.8),

	// Negative.
	"나쁘": w(-2.0), "나빠": w(-2.0), "나빴": w(-2.0), "나쁜": w(-2.0),
	"싫": w(-2.0), "화나": w(-2.2), "화났": w(-2.2), "화가": w(-2.2), "짜증": w(-2.5),
	"불만": w(-2.0), "실망": w(-2.2), "최악": w(-3.0), "불편": w(-1.5),
	"느리": w(-1.2), "느려": w(-1.2), "느렸": w(-1.2), "느린": w(-1.2),
	"문제": w(-1.0), "고장": w(-1.8), "늦": w(-1.2), "지연": w(-1.2),
	"엉망": w(-2.5), "엉터리": w(-2.0), "형편없": w(-3.0), "불친절": w(-2.2), "불량": w(-2.0),
	"어렵": w(-1.0), "어려": w(-1.0), "어려웠": w(-1.0), "답답": w(-2.0), "속상": w(-2.0),
	"억울": w(-2.0), "황당": w(-2.0), "파손": w(-1.8), "망가": w(-1.8), "분실": w(-1.5),
	"잘못": w(-1.5), "아쉽": w(-1.2), "아쉬워": w(-1.2), "아쉬웠": w(-1.2), "아쉬운": w(-1.2),
	"귀찮": w(-1.5), "슬프": w(-2.0), "슬퍼": w(-2.0), "슬펐": w(-2.0), "걱정": w(-1.0),
	"비싸": w(-1.0), "비쌌": w(-1.0), "오류": w(-1.2), "에러": w(-1.2), "불안": w(-1.2),
	"안되": w(-1.0), "안돼": w(-1.0), "안됐": w(-1.0), "안된": w(-1.0), "별로": w(-1.5),
	// A refund is neutral to ask about but says something went wrong: a
	// light weight keeps "환불하고 싶어요" neutral and tips mixed sentences.
	"환불": w(-0.3),

	// Intensifiers.
	"정말": intensifier(), "너무": intensifier(), "진짜": intensifier(), "매우": intensifier(),
	"아주": intensifier(), "완전": intensifier(), "엄청": intensifier(), "굉장히": intensifier(),
	"되게": intensifier(), "무척": intensifier(), "대단히": intensifier(), "전혀": intensifier(),
	"몹시": intensifier(), "제일": intensifier(), "가장": intensifier(),

	// Mitigators.
	"조금": mitigator(), "약간": mitigator(), "다소": mitigator(), "살짝": mitigator(), "그다지": mitigator(),
}

// exact entries match a whole eojeol only: as prefixes they would catch
// unrelated words (참 in 참고, 좀 in 좀비, 잘 in 잘라).
var exact = map[string]entry{
	"안": {class: classNegator}, "못": {class: classNegator},
	"잘": w(0.5), "참": intensifier(), "꽤": intensifier(), "좀": mitigator(),
}

// contrasts are the words after which the sentence's weight lies (VADER's
// "but" rule): the part before counts half, the part after one and a half.
var contrasts = map[string]bool{"하지만": true, "그렇지만": true, "그런데": true, "근데": true, "그러나": true, "그래도": true}

// Suffixes and following words that negate a predicate.
var (
	// negatedEndings end an eojeol whose predicate the next eojeol negates
	// (좋지 않아요, 좋지는 않아요, 좋진 않아요, 오지도 못했어요).
	negatedEndings = []string{"지", "지는", "지도", "지가", "진"}
	// negatingStarts start that next eojeol (않아요, 못해요).
	negatingStarts = []string{"않", "못"}
	// joinedNegations are the same written without a space (좋지않아요).
	joinedNegations = []string{"지않", "지는않", "지도않", "진않", "지못", "지는못", "지도못"}
	// lightVerbs are the verbs a noun takes (만족이 안 돼요, 해결이 안 됐어요):
	// negating one negates the noun before it.
	lightVerbs = []string{"되", "돼", "됐", "된", "됩", "하", "해", "했", "한", "합"}
)

func w(v float64) entry { return entry{class: classWord, weight: v} }

func intensifier() entry { return entry{class: classIntensifier, weight: intensify} }

func mitigator() entry { return entry{class: classMitigator, weight: mitigate} }
