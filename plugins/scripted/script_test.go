package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// defaultOptions are the chat options of the shipped default agent, loaded
// as the runtime loads them.
func defaultOptions(t testing.TB) provider.Options {
	t.Helper()
	spec, err := agent.LoadFile("../../agents/default.yaml")
	require.NoError(t, err)
	require.Equal(t, "scripted", spec.Providers.Chat.Plugin)
	return spec.Providers.Chat.Options
}

// koreanOptions is a Korean script.
var koreanOptions = provider.Options{
	"intents": []map[string]any{
		{"name": "order_status", "keywords": []string{"주문", "배송", "택배", "도착"}, "reply": "주문하신 상품은 3일 안에 도착합니다."},
		{"name": "refund", "keywords": []string{"환불", "반품", "교환"}, "reply": "30일 안에 환불해 드립니다."},
		{"name": "human", "keywords": []string{"상담원", "사람"}, "reply": "상담원에게 연결해 드리겠습니다."},
	},
	"fallback": "죄송합니다, 다시 말씀해 주시겠어요?",
	"hangup":   map[string]any{"keywords": []string{"안녕히 계세요", "끊을게요", "수고하세요"}, "reply": "전화 주셔서 감사합니다. 안녕히 계세요."},
}

func mustScript(t testing.TB, opts provider.Options) *script {
	t.Helper()
	p, err := newScripts().get(opts)
	require.NoError(t, err)
	require.Empty(t, p.problems)
	return p.script
}

func TestRespond(t *testing.T) {
	en := mustScript(t, defaultOptions(t))
	ko := mustScript(t, koreanOptions)
	for _, tc := range []struct {
		name    string
		s       *script
		text    string
		intent  string
		endCall bool
	}{
		{"exact word", en, "I want to check my order", "order_status", false},
		{"stemmed", en, "when are orders shipped", "order_status", false},
		{"punctuation and case", en, "DELIVERY?!", "order_status", false},
		{"opening hours", en, "what time do you open on saturday", "opening_hours", false},
		{"returns", en, "I got the wrong item and want a refund", "returns", false},
		{"person", en, "can I talk to a real person please", "human", false},
		{"phrase", en, "thank you", "thanks", false},
		{"fuzzy dropped letter", en, "where is my ordr", "order_status", false},
		{"fuzzy garbled", en, "my delivry has not come", "order_status", false},
		{"fuzzy transposed", en, "I need a refnud", "returns", false},
		{"fuzzy against stem", en, "my packges are late", "order_status", false},
		{"short keywords are exact only", en, "I want to buy a lamp", "", false},
		{"fallback", en, "what is the meaning of life", "", false},
		{"empty text", en, "", "", false},
		{"hangup", en, "okay goodbye", "hangup", true},
		{"hangup phrase", en, "that's all", "hangup", true},
		{"hangup phrase without apostrophe", en, "thats all thanks", "hangup", true},
		{"hangup beats another intent", en, "thank you so much bye", "hangup", true},
		{"more hits win", en, "I want to return my order because the package was broken and damaged", "returns", false},
		{"korean particles", ko, "주문 상태를 확인하고 싶어요", "order_status", false},
		{"korean endings", ko, "택배가 아직 도착하지 않았어요", "order_status", false},
		{"korean refund", ko, "환불받고 싶어요", "refund", false},
		{"korean fuzzy vowel", ko, "베송이 언제 되나요", "order_status", false},
		{"korean human", ko, "상담원 연결해 주세요", "human", false},
		{"korean hangup phrase", ko, "네 감사합니다 안녕히 계세요", "hangup", true},
		{"korean greeting is not goodbye", ko, "안녕하세요", "", false},
		{"korean fallback", ko, "날씨가 좋네요", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.s.respond(tc.text)
			require.Equal(t, tc.intent, a.intent)
			require.Equal(t, tc.endCall, a.endCall)
		})
	}
}

func TestRespondTieBreakAndScore(t *testing.T) {
	s := mustScript(t, provider.Options{
		"intents": []map[string]any{
			{"name": "first", "keywords": []string{"box", "lamp"}, "reply": "first"},
			{"name": "second", "keywords": []string{"box", "chair"}, "reply": "second"},
			{"name": "phrase", "keywords": []string{"gift card"}, "reply": "phrase"},
			{"name": "overlap", "keywords": []string{"thanks", "thank you"}, "reply": "overlap"},
			{"name": "thanks_box", "keywords": []string{"thank you", "box"}, "reply": "thanks_box"},
		},
		"fallback": "fallback",
	})
	for _, tc := range []struct{ text, intent string }{
		{"box", "first"},                // tie: the earlier intent
		{"box chair", "second"},         // two hits beat one
		{"lamp chair", "first"},         // tie again
		{"gift card", "phrase"},         // both words of the phrase
		{"card", ""},                    // half a phrase is no match
		{"gift for my card", ""},        // the words must be adjacent
		{"thanks", "overlap"},           // "thanks" and "thank you" both stem "thank"
		{"thank you", "overlap"},        // 2, a tie with thanks_box
		{"thank you box", "thanks_box"}, // 3 beats overlap's 2: its two keywords count "thank" once
	} {
		t.Run(tc.text, func(t *testing.T) {
			require.Equal(t, tc.intent, s.respond(tc.text).intent)
		})
	}
}

func TestRespondExactOnly(t *testing.T) {
	opts := defaultOptions(t)
	opts["fuzzy"] = 1.0
	s := mustScript(t, opts)
	require.Equal(t, "", s.respond("where is my ordr").intent)
	require.Equal(t, "order_status", s.respond("where is my order").intent)
}

func TestRespondIsDeterministic(t *testing.T) {
	s := mustScript(t, defaultOptions(t))
	for _, text := range []string{"box order refund hours", "ordr delivry", "thank you goodbye", "asdf"} {
		first := s.respond(text)
		for range 50 {
			require.Equal(t, first, s.respond(text))
		}
	}
}

func TestNewReply(t *testing.T) {
	for _, text := range []string{"Hello there.", "One", "  lead. and  double.  spaces ", "줄.\n바꿈 있는 답", "End. "} {
		r := newReply(text)
		joined := ""
		for _, p := range r.pieces {
			joined += p
		}
		require.Equal(t, text, joined)
	}
	require.Equal(t, []string{"Of course. ", "Bye!"}, newReply("Of course. Bye!").pieces)
	require.Equal(t, []string{"Wait... ", "what?! ", "3.5 days"}, newReply("Wait... what?! 3.5 days").pieces)
	require.Equal(t, []string{"네. ", "감사합니다!"}, newReply("네. 감사합니다!").pieces)
}
