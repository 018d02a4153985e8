package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestFirstChunkArrivesBeforeTheBodyEnds(t *testing.T) {
	f := newFixture(t, nil)
	pcm, body := tonePCM(time.Second, 24000)
	const parts, delay = 6, 120 * time.Millisecond
	f.srv.Enqueue(oaifake.SpeechPath, oaifake.Speech(body, parts, delay))

	start := time.Now()
	st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "Hello there.", Voice: "nova", Language: "en", Options: f.opts(nil)})
	require.NoError(t, err)
	defer st.Close()
	var got []int16
	var first time.Duration
	var chunks []provider.Audio
	for {
		a, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if first == 0 {
			first = time.Since(start)
		}
		chunks = append(chunks, a)
		got = append(got, a.PCM...)
	}
	total := time.Since(start)

	assert.GreaterOrEqual(t, total, (parts-1)*delay, "the fake writes its body over time")
	assert.Less(t, first, total/2, "first chunk at %s of %s: the body is not streamed", first, total)
	assert.Equal(t, pcm, got, "odd-sized writes must not shift samples")
	for i, c := range chunks {
		assert.Equal(t, 24000, c.SampleRate)
		if i < len(chunks)-1 {
			assert.Len(t, c.PCM, 960, "chunk %d is 40 ms", i)
		}
	}
}

func TestRequestBody(t *testing.T) {
	tests := []struct {
		name      string
		extra     provider.Options
		voice     string
		wantModel string
		wantVoice string
		wantSpeed any
	}{
		{name: "defaults", voice: "nova", wantModel: "tts-1", wantVoice: "nova"},
		{name: "no voice anywhere", wantModel: "tts-1", wantVoice: "alloy"},
		{name: "options", voice: "nova", extra: provider.Options{"model": "tts-1-hd", "speed": 1.25, "voice": "onyx"}, wantModel: "tts-1-hd", wantVoice: "onyx", wantSpeed: 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "안녕하세요.", Voice: tt.voice, Language: "ko", Options: f.opts(tt.extra)})
			require.NoError(t, err)
			_, err = provider.Collect(st)
			require.NoError(t, err)
			reqs := f.srv.Requests(oaifake.SpeechPath)
			require.Len(t, reqs, 1)
			got := reqs[0].JSON
			assert.Equal(t, tt.wantModel, got["model"])
			assert.Equal(t, tt.wantVoice, got["voice"])
			assert.Equal(t, "안녕하세요.", got["input"])
			assert.Equal(t, "pcm", got["response_format"])
			assert.Equal(t, tt.wantSpeed, got["speed"])
			assert.Equal(t, "Bearer "+testKey, reqs[0].Authorization())
		})
	}
}

func TestBlankTextMakesNoRequest(t *testing.T) {
	f := newFixture(t, nil)
	st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "  ", Options: f.opts(nil)})
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Empty(t, f.srv.Requests(""))
}

func TestVoiceValidation(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		voice   string
		option  any
		want    map[string]string // option -> part of message
	}{
		{name: "OpenAI voice", voice: "shimmer"},
		{name: "no voice", voice: ""},
		{name: "unknown agent voice", voice: "bob", want: map[string]string{"": `voice "bob" is not an OpenAI voice`}},
		{name: "option overrides a bad agent voice", voice: "bob", option: "echo"},
		{name: "unknown option voice", voice: "nova", option: "bob", want: map[string]string{"voice": `"bob" is not an OpenAI voice`}},
		{name: "explicit OpenAI base_url", baseURL: "https://api.openai.com/v1/", voice: "bob", want: map[string]string{"": "not an OpenAI voice"}},
		{name: "compatible server has its own voices", baseURL: "http://localhost:8880/v1", voice: "af_bella"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, oaifake.Env{"OPENAI_API_KEY": "k"})
			opts := provider.Options{}
			if tt.baseURL != "" {
				opts["base_url"] = tt.baseURL
			}
			if tt.option != nil {
				opts["voice"] = tt.option
			}
			problems, err := f.client.Validator.ValidateOptions(t.Context(), provider.ValidateRequest{Kind: provider.KindTTS, Options: opts, Voice: tt.voice, Language: "en"})
			require.NoError(t, err)
			got := map[string]string{}
			for _, p := range problems {
				got[p.Option] = p.Message
			}
			require.Len(t, got, len(tt.want), "problems: %v", problems)
			for opt, msg := range tt.want {
				assert.Contains(t, got[opt], msg)
			}
		})
	}

	f := newFixture(t, oaifake.Env{"OPENAI_API_KEY": "k"})
	st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "hi", Voice: "bob", Options: provider.Options{}})
	if err == nil {
		_, err = provider.Collect(st)
	}
	require.ErrorIs(t, err, provider.ErrInvalidOptions)
	assert.Contains(t, err.Error(), `voice "bob"`)
}

func TestValidateOptions(t *testing.T) {
	f := newFixture(t, oaifake.Env{"OPENAI_API_KEY": "k"})
	problems, err := f.client.Validator.ValidateOptions(t.Context(), provider.ValidateRequest{
		Kind: provider.KindTTS, Voice: "nova",
		Options: provider.Options{"speed": 5, "model": 1, "sample_rate": 100, "voice": true, "temperature": 1, "timeout": "1h"},
	})
	require.NoError(t, err)
	got := map[string]string{}
	for _, p := range problems {
		got[p.Option] = p.Message
	}
	assert.Contains(t, got["speed"], "between 0.25 and 4")
	assert.Contains(t, got["model"], "must be a string")
	assert.Contains(t, got["sample_rate"], "between 8000 and 48000")
	assert.Contains(t, got["voice"], "must be a string")
	assert.Contains(t, got["temperature"], "unknown option")
	assert.Contains(t, got["timeout"], "between")
	assert.Len(t, got, 6, "problems: %v", problems)
}

func TestCancelStopsTheDownload(t *testing.T) {
	f := newFixture(t, nil)
	_, body := tonePCM(2*time.Second, 24000)
	f.srv.Enqueue(oaifake.SpeechPath, oaifake.Speech(body, 20, 200*time.Millisecond))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	st, err := f.client.TTS.Synthesize(ctx, provider.TTSRequest{Text: "A long sentence.", Options: f.opts(nil)})
	require.NoError(t, err)
	_, err = st.Recv()
	require.NoError(t, err)
	cancel()
	require.NoError(t, st.Close())
	require.Eventually(t, func() bool { return f.srv.Disconnects() == 1 }, 2*time.Second, 5*time.Millisecond)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		script oaifake.Handler
		want   error
		text   string
	}{
		{name: "401", script: oaifake.Unauthorized("Incorrect API key provided: " + testKey), want: provider.ErrUnauthorized, text: "invalid API key"},
		{name: "400", script: oaifake.Error(400, "input too long", "invalid_request_error", ""), want: provider.ErrInvalidInput, text: "input too long"},
		{name: "mp3 instead of pcm", script: oaifake.Raw(200, "audio/mpeg", "ID3..."), want: provider.ErrUnavailable, text: "not raw PCM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.SpeechPath, tt.script)
			st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "hi", Voice: "nova", Options: f.opts(nil)})
			if err == nil {
				_, err = provider.Collect(st)
			}
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.text)
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, f.logs.String(), testKey)
		})
	}
}

func TestWAVFromACompatibleServer(t *testing.T) {
	f := newFixture(t, nil)
	pcm, body := tonePCM(300*time.Millisecond, 22050)
	le := binary.LittleEndian
	wav := append([]byte("RIFF"), le.AppendUint32(nil, 0xFFFFFFFF)...)
	wav = append(wav, "WAVEfmt "...)
	wav = le.AppendUint32(wav, 16)
	wav = le.AppendUint16(wav, 1)
	wav = le.AppendUint16(wav, 1)
	wav = le.AppendUint32(wav, 22050)
	wav = le.AppendUint32(wav, 44100)
	wav = le.AppendUint16(wav, 2)
	wav = le.AppendUint16(wav, 16)
	wav = append(wav, "LIST"...)
	wav = le.AppendUint32(wav, 3)
	wav = append(wav, "abc\x00"...)
	wav = append(wav, "data"...)
	wav = le.AppendUint32(wav, 0xFFFFFFFF)
	wav = append(wav, body...)
	f.srv.Enqueue(oaifake.SpeechPath, func(w http.ResponseWriter, r *http.Request, req *oaifake.Request) {
		w.Header().Set("Content-Type", "audio/wav")
		oaifake.Speech(wav, 3, 0)(w, r, req)
	})
	st, err := f.client.TTS.Synthesize(t.Context(), provider.TTSRequest{Text: "hi", Voice: "af_bella", Options: f.opts(nil)})
	require.NoError(t, err)
	chunks, err := provider.Collect(st)
	require.NoError(t, err)
	var got []int16
	for _, c := range chunks {
		assert.Equal(t, 22050, c.SampleRate)
		got = append(got, c.PCM...)
	}
	assert.Equal(t, pcm, got)
}
