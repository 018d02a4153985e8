package main

import (
	"context"
	"github.com/parleyhq/parley/internal/oaifake"
	"testing"

	"github.com/jonreiter/govader"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func analyze(t *testing.T, text, language string, opts provider.Options) provider.SentimentResult {
	t.Helper()
	res, err := newAnalyzer().Analyze(context.Background(), provider.SentimentRequest{Text: text, Language: language, Options: opts})
	require.NoError(t, err)
	require.GreaterOrEqual(t, res.Score, 0.0)
	require.LessOrEqual(t, res.Score, 1.0)
	require.Equal(t, labelOf(res.Score), res.Label, "label must agree with score")
	return res
}

func TestAnalyzeSentences(t *testing.T) {
	for _, set := range []struct {
		language  string
		sentences []labelled
	}{
		{"en", englishSentences},
		{"ko", koreanSentences},
		{"auto", englishSentences},
		{"auto", koreanSentences},
	} {
		for _, s := range set.sentences {
			t.Run(set.language+"/"+s.text, func(t *testing.T) {
				res := analyze(t, s.text, set.language, provider.Options{"mode": "lexicon"})
				require.Equal(t, s.label, res.Label, "score %.3f", res.Score)
			})
		}
	}
}

// TestRequestPhrasingIsNeutral pins the known VADER false positive: plain
// VADER calls "I would like to check my order" positive because of "like".
func TestRequestPhrasingIsNeutral(t *testing.T) {
	const text = "I would like to check my order"
	raw := govader.NewSentimentIntensityAnalyzer().PolarityScores(text).Compound
	require.Greater(t, raw, 0.1, "VADER no longer scores this positive: the adjustment may be unnecessary")
	require.Equal(t, provider.Neutral, analyze(t, text, "en", nil).Label)
	// "like" as a verb of liking keeps its mood.
	require.Equal(t, provider.Positive, analyze(t, "I really like your shop", "en", nil).Label)
}

func TestScoresOrderByMood(t *testing.T) {
	for _, tc := range []struct {
		name             string
		weaker, stronger string
		language         string
		morePositive     bool
	}{
		{"ko intensifier", "좋아요", "정말 좋아요", "ko", true},
		{"ko mitigator", "조금 불편해요", "불편해요", "ko", false},
		{"ko negative intensifier", "느려요", "너무 느려요", "ko", false},
		{"en booster", "good", "very good", "en", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := analyze(t, tc.weaker, tc.language, nil).Score
			s := analyze(t, tc.stronger, tc.language, nil).Score
			if tc.morePositive {
				require.Greater(t, s, w)
			} else {
				require.Less(t, s, w)
			}
		})
	}
}

func TestLanguageOf(t *testing.T) {
	for _, tc := range []struct {
		requested, text, want string
	}{
		{"ko", "good", languageKorean},
		{"ko-KR", "good", languageKorean},
		{"en", "좋아요", languageEnglish},
		{"en-US", "좋아요", languageEnglish},
		{"auto", "배송이 너무 느려요", languageKorean},
		{"auto", "my order ID is A123 감사합니다", languageKorean},
		{"auto", "where is my order", languageEnglish},
		{"", "좋아요", languageKorean},
		{"ja", "hello", languageEnglish},
	} {
		t.Run(tc.requested+"/"+tc.text, func(t *testing.T) {
			require.Equal(t, tc.want, languageOf(tc.requested, tc.text))
		})
	}
}

func TestLabelOf(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{0, provider.Negative}, {0.44, provider.Negative}, {0.45, provider.Neutral}, {0.5, provider.Neutral},
		{0.55, provider.Neutral}, {0.56, provider.Positive}, {1, provider.Positive},
	} {
		require.Equal(t, tc.want, labelOf(tc.score), "score %v", tc.score)
	}
	require.Equal(t, provider.SentimentResult{Label: provider.Neutral, Score: 0.5}, resultOf(0))
	require.Equal(t, provider.SentimentResult{Label: provider.Positive, Score: 1}, resultOf(1))
	require.Equal(t, provider.SentimentResult{Label: provider.Negative, Score: 0}, resultOf(-1))
}

func TestAnalyzeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  provider.SentimentRequest
		want error
	}{
		{"empty text", provider.SentimentRequest{Text: "  "}, provider.ErrInvalidInput},
		{"unknown mode", provider.SentimentRequest{Text: "hi", Options: provider.Options{"mode": "magic"}}, provider.ErrInvalidOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newAnalyzer().Analyze(context.Background(), tc.req)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestValidateOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts provider.Options
		want []provider.OptionProblem
	}{
		{"none", nil, nil},
		{"lexicon", provider.Options{"mode": "lexicon"}, nil},
		{"mode not a string", provider.Options{"mode": 3}, []provider.OptionProblem{{Option: "mode", Message: "must be a string, one of lexicon, llm"}}},
		{"unknown mode", provider.Options{"mode": "vibes"}, []provider.OptionProblem{{Option: "mode", Message: `unknown mode "vibes": must be one of lexicon, llm`}}},
		{"llm with a local server", provider.Options{"mode": "llm", "model": "llama3", "base_url": "http://127.0.0.1:11434/v1"}, nil},
		{"llm bad option", provider.Options{"mode": "llm", "base_url": "http://127.0.0.1:11434/v1", "temperature": "hot"}, []provider.OptionProblem{{Option: "temperature", Message: "unknown option (known: api_key_env, base_url, max_retries, mode, model, timeout)"}}},
		{"unknown options", provider.Options{"mode": "lexicon", "threshold": 0.2, "lang": "ko"}, []provider.OptionProblem{
			{Option: "lang", Message: "unknown option (known: mode)"},
			{Option: "threshold", Message: "unknown option (known: mode)"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newAnalyzer().ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindSentiment, Options: tc.opts})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestModeSwitch checks that a mode plugged into the table is the one
// options.mode selects, as the llm mode will be.
func TestModeSwitch(t *testing.T) {
	a := newAnalyzer()
	a.modes[modeLLM] = mode{
		scorer: scorerFunc(func(context.Context, provider.SentimentRequest) (provider.SentimentResult, error) {
			return provider.SentimentResult{Label: provider.Positive, Score: 0.9}, nil
		}),
		validate: onlyOption("mode", "model"),
	}
	res, err := a.Analyze(context.Background(), provider.SentimentRequest{Text: "최악이에요", Options: provider.Options{"mode": "llm"}})
	require.NoError(t, err)
	require.Equal(t, 0.9, res.Score)
	problems, err := a.ValidateOptions(context.Background(), provider.ValidateRequest{Options: provider.Options{"mode": "llm", "model": "m"}})
	require.NoError(t, err)
	require.Empty(t, problems)
}

func TestRoundTrip(t *testing.T) {
	a := newAnalyzer()
	c := providertest.Connect(t, provider.ServeConfig{Name: "sentiment", Version: version, Sentiment: a, Validator: a})
	require.Equal(t, []provider.Kind{provider.KindSentiment}, c.Description.Kinds)
	ctx := context.Background()

	res, err := c.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: "정말 최악이에요", Language: "auto", Options: provider.Options{"mode": "lexicon"}})
	require.NoError(t, err)
	require.Equal(t, provider.Negative, res.Label)
	require.Less(t, res.Score, 0.2)

	_, err = c.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: ""})
	require.ErrorIs(t, err, provider.ErrInvalidInput)

	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindSentiment, Options: provider.Options{"mode": "lexicon", "x": 1}})
	require.NoError(t, err)
	require.Equal(t, []provider.OptionProblem{{Option: "x", Message: "unknown option (known: mode)"}}, problems)
}

func BenchmarkAnalyze(b *testing.B) {
	a := newAnalyzer()
	ctx := context.Background()
	for _, tc := range []struct{ name, text string }{
		{"en", "I would like to check my order, it has not arrived and I am quite upset"},
		{"ko", "배송은 빨랐지만 포장이 엉망이었어요 정말 실망스럽습니다"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := provider.SentimentRequest{Text: tc.text, Language: "auto"}
			for b.Loop() {
				if _, err := a.Analyze(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLLMMode scores through an OpenAI-compatible server (the fake speaks
// OpenAI's wire format) and passes Korean through.
func TestLLMMode(t *testing.T) {
	srv := oaifake.New(t)
	srv.Enqueue("/v1/chat/completions", oaifake.ChatJSON(`{"sentiment":"negative","score":0.1}`))
	res, err := newAnalyzer().Analyze(context.Background(), provider.SentimentRequest{
		Text: "정말 최악이에요", Language: "ko", Options: provider.Options{"mode": "llm", "base_url": srv.URL, "model": "m"},
	})
	require.NoError(t, err)
	require.Equal(t, provider.SentimentResult{Label: provider.Negative, Score: 0.1}, res)
	reqs := srv.Requests("/v1/chat/completions")
	require.Len(t, reqs, 1)
	require.Contains(t, string(reqs[0].Body), "정말 최악이에요")
}

// TestValidateLanguage: the lexicon mode refuses an agent in a language it
// has no lexicon for (the plugin declares no languages, since the llm mode
// scores any).
func TestValidateLanguage(t *testing.T) {
	llm := provider.Options{"mode": "llm", "model": "llama3", "base_url": "http://127.0.0.1:11434/v1"}
	for _, tc := range []struct {
		lang string
		opts provider.Options
		want []provider.OptionProblem
	}{
		{"en-GB", nil, nil},
		{"ko-KR", nil, nil},
		{"auto", nil, nil},
		{"fr", nil, []provider.OptionProblem{{Option: "mode", Message: "the lexicon mode scores en and ko only, not fr: use mode llm for other languages"}}},
		{"fr", llm, nil},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			got, err := newAnalyzer().ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindSentiment, Options: tc.opts, Language: tc.lang})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
