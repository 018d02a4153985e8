package main

import (
	"testing"

	"github.com/parleyhq/parley/runtime/provider"
)

// heldOut are sentences written after the lexicon and its rules were
// frozen and never used to tune them: their accuracy is the honest one.
// The test fails if it drops below minHeldOutAccuracy, and logs every miss.
var heldOut = []labelled{
	{"제 주문이 어디쯤 왔는지 알려주세요", provider.Neutral},
	{"영업시간이 어떻게 되나요", provider.Neutral},
	{"반품 절차를 알고 싶습니다", provider.Neutral},
	{"주소를 변경하려고 전화했어요", provider.Neutral},
	{"상품이 아직 도착하지 않았어요", provider.Negative},
	{"벌써 두 번째 전화하는 건데 너무 답답하네요", provider.Negative},
	{"포장이 다 찢어져서 왔어요 정말 실망입니다", provider.Negative},
	{"상담원분이 너무 불친절하셨어요", provider.Negative},
	{"환불이 아직도 안 됐어요", provider.Negative},
	{"물건이 잘못 왔어요", provider.Negative},
	{"주문한 거 잘 받았습니다 감사해요", provider.Positive},
	{"덕분에 문제가 해결됐어요 정말 고맙습니다", provider.Positive},
	{"배송이 생각보다 빨라서 좋았어요", provider.Positive},
	{"친절하게 설명해 주셔서 감사합니다", provider.Positive},
	{"제품 품질이 아주 만족스러워요", provider.Positive},
	{"가격은 괜찮은데 배송이 너무 늦어요", provider.Negative},
	{"Could you tell me when my parcel will arrive", provider.Neutral},
	{"I need to change my delivery address", provider.Neutral},
	{"I'd like to exchange this for a bigger size", provider.Neutral},
	{"This is the third time I've called and nobody has fixed it", provider.Negative},
	{"The item arrived damaged and I'm really disappointed", provider.Negative},
	{"Your website is useless", provider.Negative},
	{"Wonderful, thank you for sorting that out", provider.Positive},
	{"You've been very helpful", provider.Positive},
	{"The lamp is lovely, I'm very happy with it", provider.Positive},
}

const minHeldOutAccuracy = 0.8

func TestHeldOutAccuracy(t *testing.T) {
	right := 0
	byLanguage := map[string][2]int{} // right, total
	for _, s := range heldOut {
		res := analyze(t, s.text, "auto", nil)
		lang := languageOf("auto", s.text)
		n := byLanguage[lang]
		n[1]++
		if res.Label == s.label {
			right++
			n[0]++
		} else {
			t.Logf("miss: %q: got %s (%.3f), want %s", s.text, res.Label, res.Score, s.label)
		}
		byLanguage[lang] = n
	}
	acc := float64(right) / float64(len(heldOut))
	t.Logf("held-out accuracy %d/%d = %.2f (ko %d/%d, en %d/%d)", right, len(heldOut), acc,
		byLanguage[languageKorean][0], byLanguage[languageKorean][1], byLanguage[languageEnglish][0], byLanguage[languageEnglish][1])
	if acc < minHeldOutAccuracy {
		t.Fatalf("held-out accuracy %.2f below %.2f", acc, minHeldOutAccuracy)
	}
}
