package main

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func connect(t *testing.T) *provider.Client {
	return providertest.Connect(t, provider.ServeConfig{
		Name: "fakeprovider", Version: "test", STT: stt{}, Chat: chat{}, TTS: tts{}, Sentiment: sentiment{}, Validator: validator{},
	})
}

func TestValidateOptions(t *testing.T) {
	c := connect(t)
	tests := []struct {
		name string
		kind provider.Kind
		opts provider.Options
		want []string
	}{
		{"defaults", provider.KindSTT, nil, nil},
		{"stt ok", provider.KindSTT, provider.Options{"stt_final": "150ms", "text": "hi"}, nil},
		{"stt bad", provider.KindSTT, provider.Options{"stt_final": 5, "txt": "x"}, []string{"txt", "stt_final"}},
		{"chat negative", provider.KindChat, provider.Options{"chat_first_token": "-1s"}, []string{"chat_first_token"}},
		{"chat empty reply", provider.KindChat, provider.Options{"reply": " "}, []string{"reply"}},
		{"tts zero char", provider.KindTTS, provider.Options{"char_duration": "0s"}, []string{"char_duration"}},
		{"tts too slow", provider.KindTTS, provider.Options{"tts_first_audio": "1m"}, []string{"tts_first_audio"}},
		{"sentiment takes none", provider.KindSentiment, provider.Options{"mode": "x"}, []string{"mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs, err := c.Validator.ValidateOptions(context.Background(), provider.ValidateRequest{Kind: tt.kind, Options: tt.opts})
			require.NoError(t, err)
			var keys []string
			for _, p := range probs {
				keys = append(keys, p.Option)
			}
			require.Equal(t, tt.want, keys)
		})
	}
}

func TestSTTFinalAfterFixedDelay(t *testing.T) {
	c := connect(t)
	st, err := c.STT.StreamSTT(context.Background(), provider.STTConfig{SampleRate: 16000, Options: provider.Options{"stt_final": "80ms", "text": "one two three"}})
	require.NoError(t, err)
	defer func() { _ = st.Close() }()
	frame := make([]int16, 320)
	for range 50 { // one second: two partials
		require.NoError(t, st.SendAudio(frame))
	}
	ended := time.Now()
	require.NoError(t, st.EndUtterance())
	var partials int
	for {
		tr, err := st.Recv()
		require.NoError(t, err)
		if !tr.Final {
			partials++
			continue
		}
		took := time.Since(ended)
		require.Equal(t, "one two three", tr.Text)
		require.GreaterOrEqual(t, took, 80*time.Millisecond)
		require.Less(t, took, 200*time.Millisecond)
		break
	}
	require.Positive(t, partials)
	require.NoError(t, st.CloseSend())
	_, err = st.Recv()
	require.ErrorIs(t, err, io.EOF)
}

func TestChatFirstSentenceInFirstToken(t *testing.T) {
	c := connect(t)
	asked := time.Now()
	s, err := c.Chat.Complete(context.Background(), provider.ChatRequest{Options: provider.Options{"chat_first_token": "60ms", "reply": "First one. Second one. Third."}})
	require.NoError(t, err)
	d, err := s.Recv()
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(asked), 60*time.Millisecond)
	require.Equal(t, "First one. ", d.Text)
	rest, err := provider.Collect(s)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: "Second one. Third."}}, rest)
}

func TestTTSLengthFollowsText(t *testing.T) {
	c := connect(t)
	asked := time.Now()
	s, err := c.TTS.Synthesize(context.Background(), provider.TTSRequest{Text: "0123456789", Options: provider.Options{"tts_first_audio": "40ms", "char_duration": "50ms"}})
	require.NoError(t, err)
	first, err := s.Recv()
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(asked), 40*time.Millisecond)
	require.Equal(t, 16000, first.Rate)
	rest, err := provider.Collect(s)
	require.NoError(t, err)
	total := first.Duration()
	for _, a := range rest {
		total += a.Duration()
	}
	require.Equal(t, 500*time.Millisecond, total)
}

func TestInvalidOptionsFailTheRequest(t *testing.T) {
	c := connect(t)
	s, err := c.Chat.Complete(context.Background(), provider.ChatRequest{Options: provider.Options{"chat_first_token": "soon"}})
	if err == nil { // a stream may report it on its first Recv
		_, err = s.Recv()
		_ = s.Close()
	}
	require.True(t, errors.Is(err, provider.ErrInvalidOptions), err)
}

func TestSplitFirstSentence(t *testing.T) {
	for _, tt := range []struct{ in, first, rest string }{
		{"Hi there. How are you?", "Hi there. ", "How are you?"},
		{"No end", "No end", ""},
		{"Ends here.", "Ends here.", ""},
		{"Wait! Now.", "Wait! ", "Now."},
	} {
		f, r := splitFirstSentence(tt.in)
		require.Equal(t, tt.first, f, tt.in)
		require.Equal(t, tt.rest, r, tt.in)
	}
}
