package korean

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSign(t *testing.T) {
	for _, tc := range []struct {
		text string
		sign int // -1, 0, 1
	}{
		{"좋아요", 1}, {"좋았어요", 1}, {"좋은데요", 1},
		{"안 좋아요", -1}, {"안좋아요", -1}, {"좋지 않아요", -1}, {"좋지않아요", -1}, {"좋진 않아요", -1}, {"좋지는 않았어요", -1},
		{"나쁘지 않아요", 1}, {"문제 없어요", 1}, {"문제없어요", 1}, {"재미없어요", -1},
		{"만족하지 못했어요", -1}, {"만족을 못했어요", -1}, {"해결이 안 됐어요", -1},
		{"못 받았어요", -1}, {"못받았어요", -1}, {"오지 않았어요", -1}, {"안 돼요", -1}, {"안돼요", -1},
		{"안녕하세요", 0}, {"안내해 주세요", 0}, {"참고로 주문번호는 123입니다", 0}, {"", 0},
		{"해결해 주세요", 0}, {"빨리 받고 싶어요", 0},
		{"빨랐지만 엉망이었어요", -1}, {"비싸지만 훌륭해요", 1}, {"비싸요 하지만 훌륭해요", 1}, {"훌륭해요 하지만 비싸요", -1},
		{"서비스가 별로", -1}, {"별로예요", -1},
	} {
		t.Run(tc.text, func(t *testing.T) {
			c := Compound(tc.text)
			require.GreaterOrEqual(t, c, -1.0)
			require.LessOrEqual(t, c, 1.0)
			switch tc.sign {
			case 1:
				require.Greater(t, c, 0.0)
			case -1:
				require.Less(t, c, 0.0)
			default:
				require.Zero(t, c)
			}
		})
	}
}

func TestModifiers(t *testing.T) {
	base := Compound("좋아요")
	require.Greater(t, Compound("정말 좋아요"), base)
	require.Greater(t, Compound("정말 너무 좋아요"), Compound("정말 좋아요"))
	require.Less(t, Compound("조금 좋아요"), base)
	require.Less(t, Compound("너무 배송이 느려요"), Compound("배송이 느려요"), "an intensifier reaches over one eojeol")
	require.Equal(t, base, Compound("너무 배송이 지금 좋아요"), "but not over two")
	require.Less(t, Compound("정말 안 좋아요"), Compound("안 좋아요"))
	require.Equal(t, Compound("좋아요!!"), base, "punctuation is not part of the word")
}

func TestLookupLongestStem(t *testing.T) {
	for _, tc := range []struct {
		tok    string
		weight float64
		rest   string
	}{
		{"불친절했어요", -2.2, "했어요"},
		{"친절했어요", 2.0, "했어요"},
		{"불만족스러워요", -2.0, "족스러워요"},
		{"주문", 0, "주문"},
	} {
		t.Run(tc.tok, func(t *testing.T) {
			e, rest := lookup(tc.tok)
			require.Equal(t, tc.weight, e.weight)
			require.Equal(t, tc.rest, rest)
		})
	}
}

func BenchmarkCompound(b *testing.B) {
	for b.Loop() {
		Compound("배송은 빨랐지만 포장이 엉망이었어요 정말 실망스럽습니다")
	}
}
