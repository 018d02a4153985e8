package oai_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestOptionReader(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		read    func(r *oai.OptionReader) any
		want    any
		problem string // "" for none
	}{
		{"string", "x", func(r *oai.OptionReader) any { return r.String("k", "d") }, "x", ""},
		{"string absent", nil, func(r *oai.OptionReader) any { return r.String("k", "d") }, "d", ""},
		{"string wrong type", 3.0, func(r *oai.OptionReader) any { return r.String("k", "d") }, "d", "must be a string, not 3"},
		{"one of", "en", func(r *oai.OptionReader) any { return r.OneOf("k", "ko", "ko", "en") }, "en", ""},
		{"one of bad", "fr", func(r *oai.OptionReader) any { return r.OneOf("k", "ko", "ko", "en") }, "ko", `must be one of ko, en, not "fr"`},
		{"int from JSON", 3.0, func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 3, ""},
		{"int from Go", 4, func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 4, ""},
		{"int json.Number", json.Number("2"), func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 2, ""},
		{"int fraction", 2.5, func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 1, "must be a whole number, not 2.5"},
		{"int range", 9.0, func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 1, "must be between 0 and 5, not 9"},
		{"int string", "3", func(r *oai.OptionReader) any { return r.Int("k", 1, 0, 5) }, 1, `must be a whole number, not "3"`},
		{"float", 0.5, func(r *oai.OptionReader) any { v, _ := r.Float("k", 0, 2); return v }, 0.5, ""},
		{"float range", 2.5, func(r *oai.OptionReader) any { v, _ := r.Float("k", 0, 2); return v }, 0.0, "must be between 0 and 2, not 2.5"},
		{"float bool", true, func(r *oai.OptionReader) any { v, _ := r.Float("k", 0, 2); return v }, 0.0, "must be a number, not true"},
		{"bool", false, func(r *oai.OptionReader) any { return r.Bool("k", true) }, false, ""},
		{"bool string", "no", func(r *oai.OptionReader) any { return r.Bool("k", true) }, true, `must be true or false, not "no"`},
		{"duration", "1m30s", func(r *oai.OptionReader) any { return r.Duration("k", time.Second, 0, time.Hour) }, 90 * time.Second, ""},
		{"duration number", 30.0, func(r *oai.OptionReader) any { return r.Duration("k", time.Second, 0, time.Hour) }, time.Second, "must be a duration string"},
		{"duration garbage", "soon", func(r *oai.OptionReader) any { return r.Duration("k", time.Second, 0, time.Hour) }, time.Second, `not "soon"`},
		{"duration range", "2h", func(r *oai.OptionReader) any { return r.Duration("k", time.Second, 0, time.Hour) }, time.Second, "must be between 0s and 1h0m0s, not 2h0m0s"},
		{"object", map[string]any{}, func(r *oai.OptionReader) any { return r.String("k", "d") }, "d", "not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oai.NewOptionReader(provider.Options{"k": tt.value})
			assert.Equal(t, tt.want, tt.read(r))
			if tt.problem == "" {
				assert.Empty(t, r.Problems())
				assert.NoError(t, r.Err())
				return
			}
			require.Len(t, r.Problems(), 1)
			assert.Equal(t, "k", r.Problems()[0].Option)
			assert.Contains(t, r.Problems()[0].Message, tt.problem)
			assert.ErrorIs(t, r.Err(), provider.ErrInvalidOptions)
			assert.Contains(t, r.Err().Error(), "options.k: ")
		})
	}
}

func TestRejectUnknownListsEveryUnknownKeyInOrder(t *testing.T) {
	r := oai.NewOptionReader(provider.Options{"b": 1, "model": "m", "a": 2})
	r.RejectUnknown("model", "base_url")
	require.Equal(t, []provider.OptionProblem{
		{Option: "a", Message: "unknown option (known: base_url, model)"},
		{Option: "b", Message: "unknown option (known: base_url, model)"},
	}, r.Problems())
	assert.EqualError(t, r.Err(), "invalid provider options: options.a: unknown option (known: base_url, model); options.b: unknown option (known: base_url, model)")
}
