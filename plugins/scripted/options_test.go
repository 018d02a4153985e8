package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
)

func TestValidateOptions(t *testing.T) {
	valid := func() provider.Options {
		return provider.Options{
			"intents": []any{
				map[string]any{"name": "a", "keywords": []any{"x"}, "reply": "A."},
			},
			"fallback": "F.",
		}
	}
	with := func(change func(provider.Options)) provider.Options {
		o := valid()
		change(o)
		return o
	}
	type problems = []provider.OptionProblem
	for _, tc := range []struct {
		name string
		opts provider.Options
		want problems
	}{
		{"valid", valid(), nil},
		{"valid with hangup and fuzzy", with(func(o provider.Options) {
			o["hangup"] = map[string]any{"keywords": []any{"bye"}, "reply": "Bye."}
			o["fuzzy"] = 1
		}), nil},
		{"no options", nil, problems{
			{Option: "intents", Message: "required: a list of intents, each with a name, keywords and a reply"},
			{Option: "fallback", Message: "required"},
		}},
		{"unknown keys", with(func(o provider.Options) {
			o["greeting"] = "hi"
			o["intents"].([]any)[0].(map[string]any)["replies"] = "x"
			o["hangup"] = map[string]any{"keywords": []any{"bye"}, "reply": "Bye.", "name": "h"}
		}), problems{
			{Option: "greeting", Message: "unknown option (known: intents, fallback, hangup, fuzzy)"},
			{Option: "intents[0].replies", Message: "unknown option (known: name, keywords, reply, tool, missing_reply, tool_error_reply)"},
			{Option: "hangup.name", Message: "unknown option (known: keywords, reply)"},
		}},
		{"intents not a list", with(func(o provider.Options) { o["intents"] = "order" }), problems{
			{Option: "intents", Message: "must be a list of at least one intent, each with a name, keywords and a reply"},
		}},
		{"intents empty", with(func(o provider.Options) { o["intents"] = []any{} }), problems{
			{Option: "intents", Message: "must be a list of at least one intent, each with a name, keywords and a reply"},
		}},
		{"intent fields", with(func(o provider.Options) {
			o["intents"] = []any{
				map[string]any{"name": "a", "keywords": []any{"x"}, "reply": "A."},
				"just text",
				map[string]any{"name": "a", "keywords": []any{}, "reply": "  "},
				map[string]any{"name": 7, "keywords": "x, y"},
				map[string]any{"name": "e", "keywords": []any{"ok", 3, "?!"}, "reply": "E."},
			}
		}), problems{
			{Option: "intents[1]", Message: `must be a mapping with name, keywords and reply, not the text "just text"`},
			{Option: "intents[2].name", Message: `"a" is already the name of intents[0]`},
			{Option: "intents[2].keywords", Message: "must be a list of at least one word or phrase, not a list of 0"},
			{Option: "intents[2].reply", Message: "must not be empty"},
			{Option: "intents[3].name", Message: "must be text, not the number 7"},
			{Option: "intents[3].keywords", Message: `must be a list of at least one word or phrase, not the text "x, y"`},
			{Option: "intents[3].reply", Message: "required"},
			{Option: "intents[4].keywords[1]", Message: "must be a word or phrase, not the number 3"},
			{Option: "intents[4].keywords[2]", Message: `"?!" has no letters or digits to match`},
		}},
		{"missing keywords", with(func(o provider.Options) {
			delete(o["intents"].([]any)[0].(map[string]any), "keywords")
		}), problems{{Option: "intents[0].keywords", Message: "required: a list of words or phrases"}}},
		{"fallback", with(func(o provider.Options) { o["fallback"] = "" }), problems{
			{Option: "fallback", Message: "must not be empty"},
		}},
		{"hangup", with(func(o provider.Options) { o["hangup"] = map[string]any{} }), problems{
			{Option: "hangup.keywords", Message: "required: a list of words or phrases"},
			{Option: "hangup.reply", Message: "required"},
		}},
		{"hangup not a mapping", with(func(o provider.Options) { o["hangup"] = []any{"bye"} }), problems{
			{Option: "hangup", Message: "must be a mapping with keywords and reply, not a list of 1"},
		}},
		{"fuzzy zero", with(func(o provider.Options) { o["fuzzy"] = 0 }), problems{
			{Option: "fuzzy", Message: "must be a number greater than 0 and at most 1 (1 matches exact words only), not the number 0"},
		}},
		{"fuzzy too big", with(func(o provider.Options) { o["fuzzy"] = 1.5 }), problems{
			{Option: "fuzzy", Message: "must be a number greater than 0 and at most 1 (1 matches exact words only), not the number 1.5"},
		}},
		{"fuzzy text", with(func(o provider.Options) { o["fuzzy"] = "high" }), problems{
			{Option: "fuzzy", Message: `must be a number greater than 0 and at most 1 (1 matches exact words only), not the text "high"`},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newChat().ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindChat, Options: tc.opts})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestValidateDefaultAgent(t *testing.T) {
	got, err := newChat().ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindChat, Options: defaultOptions(t)})
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestValidateUnencodableOptions(t *testing.T) {
	_, err := newChat().ValidateOptions(context.Background(), provider.ValidateRequest{Options: provider.Options{"x": make(chan int)}})
	require.ErrorIs(t, err, provider.ErrInvalidOptions)
}
