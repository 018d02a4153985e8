package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// sendUtterance sends pcm in 20 ms frames and ends the utterance.
func sendUtterance(t *testing.T, st provider.STTStream, pcm []int16, rate int) {
	t.Helper()
	frame := rate / 50
	for i := 0; i < len(pcm); i += frame {
		require.NoError(t, st.SendAudio(pcm[i:min(i+frame, len(pcm))]))
	}
	require.NoError(t, st.EndUtterance())
}

// readAll receives until io.EOF.
func readAll(t *testing.T, st provider.STTStream) []provider.Transcript {
	t.Helper()
	var out []provider.Transcript
	for {
		tr, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(out, tr)
	}
}

// checkWAV asserts b is a mono 16-bit PCM WAV at rate holding pcm.
func checkWAV(t *testing.T, b []byte, pcm []int16, rate int) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 44)
	le := binary.LittleEndian
	assert.Equal(t, "RIFF", string(b[0:4]))
	assert.Equal(t, uint32(len(b)-8), le.Uint32(b[4:8]))
	assert.Equal(t, "WAVE", string(b[8:12]))
	assert.Equal(t, "fmt ", string(b[12:16]))
	assert.Equal(t, uint32(16), le.Uint32(b[16:20]))
	assert.Equal(t, uint16(1), le.Uint16(b[20:22]), "PCM")
	assert.Equal(t, uint16(1), le.Uint16(b[22:24]), "mono")
	assert.Equal(t, uint32(rate), le.Uint32(b[24:28]))
	assert.Equal(t, uint32(2*rate), le.Uint32(b[28:32]))
	assert.Equal(t, uint16(2), le.Uint16(b[32:34]))
	assert.Equal(t, uint16(16), le.Uint16(b[34:36]))
	assert.Equal(t, "data", string(b[36:40]))
	require.Equal(t, uint32(2*len(pcm)), le.Uint32(b[40:44]))
	for i, s := range pcm {
		require.Equal(t, s, int16(le.Uint16(b[44+2*i:])), "sample %d", i)
	}
}

func TestStreamTranscribesEachUtterance(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.TranscriptionPath,
		oaifake.Transcription(" 주문 상태를 확인하고 싶어요. ", "korean"),
		oaifake.Transcription("Thanks.", "english"))
	st, err := f.client.STT.StreamSTT(t.Context(), provider.STTConfig{Language: "ko", SampleRate: 16000, Options: f.opts(provider.Options{"prompt": "주문번호"})})
	require.NoError(t, err)
	defer st.Close()

	first, second := tone(700*time.Millisecond, 16000), tone(300*time.Millisecond, 16000)
	sendUtterance(t, st, first, 16000)
	require.NoError(t, st.EndUtterance()) // empty: a final without a request
	sendUtterance(t, st, second, 16000)
	require.NoError(t, st.CloseSend())
	got := readAll(t, st)

	require.Len(t, got, 3)
	assert.Equal(t, "주문 상태를 확인하고 싶어요.", got[0].Text)
	assert.True(t, got[0].Final)
	assert.Equal(t, "ko", got[0].Language)
	assert.InDelta(t, 0.905, got[0].Confidence, 0.01) // exp(-0.1)
	assert.Equal(t, provider.Transcript{Final: true, Language: "ko"}, got[1])
	assert.Equal(t, "Thanks.", got[2].Text)
	assert.Equal(t, "en", got[2].Language, "the detected language wins")

	reqs := f.srv.Requests(oaifake.TranscriptionPath)
	require.Len(t, reqs, 2, "the empty utterance makes no request")
	r := reqs[0]
	assert.Equal(t, map[string]string{"model": "whisper-1", "language": "ko", "prompt": "주문번호", "response_format": "verbose_json"}, r.Fields)
	assert.Equal(t, "utterance.wav", r.FileName)
	assert.Equal(t, "Bearer "+testKey, r.Authorization())
	checkWAV(t, r.File, first, 16000)
	checkWAV(t, reqs[1].File, second, 16000)
}

func TestLanguageChoice(t *testing.T) {
	tests := []struct {
		name         string
		agent        string
		option       any
		detected     string
		wantField    string
		wantLanguage string
	}{
		{name: "agent language", agent: "en", detected: "english", wantField: "en", wantLanguage: "en"},
		{name: "option overrides agent", agent: "ko", option: "en", detected: "english", wantField: "en", wantLanguage: "en"},
		{name: "auto lets Whisper detect", agent: "auto", detected: "korean", wantLanguage: "ko"},
		{name: "auto option", agent: "en", option: "auto", detected: "english", wantLanguage: "en"},
		{name: "compatible server reports a code", agent: "auto", detected: "ko", wantLanguage: "ko"},
		{name: "no language reported", agent: "en", detected: "", wantField: "en", wantLanguage: "en"},
		{name: "a regional tag is sent as its base language", agent: "pt-BR", detected: "portuguese", wantField: "pt", wantLanguage: "pt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.Transcription("text", tt.detected))
			opts := f.opts(nil)
			if tt.option != nil {
				opts["language"] = tt.option
			}
			tr, err := f.client.STT.Transcribe(t.Context(), provider.TranscribeRequest{
				Audio: pcm.Audio{Samples: tone(100*time.Millisecond, 8000), Rate: 8000}, Language: tt.agent, Options: opts,
			})
			require.NoError(t, err)
			assert.Equal(t, tt.wantLanguage, tr.Language)
			reqs := f.srv.Requests(oaifake.TranscriptionPath)
			require.Len(t, reqs, 1)
			lang, sent := reqs[0].Fields["language"]
			if tt.wantField == "" {
				assert.False(t, sent, "language must not be sent, got %q", lang)
			} else {
				assert.Equal(t, tt.wantField, lang)
			}
		})
	}
}

func TestTranscribeOneShot(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.Transcription("I would like to check my order.", "english"))
	samples := tone(time.Second, 24000)
	tr, err := f.client.STT.Transcribe(t.Context(), provider.TranscribeRequest{
		Audio: pcm.Audio{Samples: samples, Rate: 24000}, Language: "en", Options: f.opts(provider.Options{"model": "whisper-large-v3"}),
	})
	require.NoError(t, err)
	assert.Equal(t, "I would like to check my order.", tr.Text)
	assert.True(t, tr.Final)
	reqs := f.srv.Requests(oaifake.TranscriptionPath)
	require.Len(t, reqs, 1)
	assert.Equal(t, "whisper-large-v3", reqs[0].Fields["model"])
	checkWAV(t, reqs[0].File, samples, 24000)

	tr, err = f.client.STT.Transcribe(t.Context(), provider.TranscribeRequest{Audio: pcm.Audio{Rate: 16000}, Language: "en", Options: f.opts(nil)})
	require.NoError(t, err)
	assert.Equal(t, provider.Transcript{Final: true, Language: "en"}, tr)
	assert.Len(t, f.srv.Requests(oaifake.TranscriptionPath), 1, "silence makes no request")
}

func TestGPT4oTranscribeAsksForJSON(t *testing.T) {
	f := newFixture(t, nil)
	tr, err := f.client.STT.Transcribe(t.Context(), provider.TranscribeRequest{
		Audio: pcm.Audio{Samples: tone(100*time.Millisecond, 16000), Rate: 16000}, Language: "ko",
		Options: f.opts(provider.Options{"model": "gpt-4o-mini-transcribe"}),
	})
	require.NoError(t, err)
	assert.Equal(t, "hello", tr.Text)
	assert.Equal(t, "ko", tr.Language)
	assert.Equal(t, "json", f.srv.Requests(oaifake.TranscriptionPath)[0].Fields["response_format"])
}

func TestCloseAbortsTheRequestInFlight(t *testing.T) {
	for _, how := range []string{"close", "cancel"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.Slow(10*time.Second, oaifake.Transcription("late", "english")))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			st, err := f.client.STT.StreamSTT(ctx, provider.STTConfig{Language: "en", SampleRate: 16000, Options: f.opts(nil)})
			require.NoError(t, err)
			sendUtterance(t, st, tone(200*time.Millisecond, 16000), 16000)
			require.Eventually(t, func() bool { return len(f.srv.Requests(oaifake.TranscriptionPath)) == 1 }, 2*time.Second, 5*time.Millisecond)
			start := time.Now()
			if how == "close" {
				require.NoError(t, st.Close())
			} else {
				cancel()
				_, err := st.Recv()
				require.ErrorIs(t, err, context.Canceled)
				require.NoError(t, st.Close())
			}
			require.Eventually(t, func() bool { return f.srv.Disconnects() == 1 }, 2*time.Second, 5*time.Millisecond)
			assert.Less(t, time.Since(start), time.Second)
		})
	}
}

func TestUtteranceCap(t *testing.T) {
	f := newFixture(t, nil)
	st, err := f.stt.StreamSTT(t.Context(), provider.STTConfig{Language: "en", SampleRate: 8000, Options: f.opts(nil)})
	require.NoError(t, err)
	defer st.Close()
	minute := make([]int16, 60*8000)
	for range 5 {
		require.NoError(t, st.SendAudio(minute))
	}
	err = st.SendAudio([]int16{1})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	assert.Contains(t, err.Error(), "utterance longer than 5m0s")
}

func TestStreamErrors(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.stt.StreamSTT(t.Context(), provider.STTConfig{Language: "en", SampleRate: 4000, Options: f.opts(nil)})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	_, err = f.stt.StreamSTT(t.Context(), provider.STTConfig{Language: "en", SampleRate: 16000, Options: f.opts(provider.Options{"language": "french"})})
	require.ErrorIs(t, err, provider.ErrInvalidOptions)

	f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.Unauthorized("Incorrect API key provided: "+testKey))
	st, err := f.client.STT.StreamSTT(t.Context(), provider.STTConfig{Language: "en", SampleRate: 16000, Options: f.opts(nil)})
	require.NoError(t, err)
	defer st.Close()
	sendUtterance(t, st, tone(100*time.Millisecond, 16000), 16000)
	_, err = st.Recv()
	require.ErrorIs(t, err, provider.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid API key")
	assert.NotContains(t, err.Error(), testKey)
	assert.NotContains(t, f.logs.String(), testKey)
}

func TestRetriesReplayTheUpload(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.ServerError(), oaifake.RateLimited("0"), oaifake.Transcription("ok", "english"))
	tr, err := f.client.STT.Transcribe(t.Context(), provider.TranscribeRequest{
		Audio: pcm.Audio{Samples: tone(100*time.Millisecond, 16000), Rate: 16000}, Language: "en", Options: f.opts(nil),
	})
	require.NoError(t, err)
	assert.Equal(t, "ok", tr.Text)
	reqs := f.srv.Requests(oaifake.TranscriptionPath)
	require.Len(t, reqs, 3)
	for _, r := range reqs[1:] {
		assert.Equal(t, reqs[0].Body, r.Body)
		assert.Equal(t, reqs[0].File, r.File)
	}
	assert.NotContains(t, f.logs.String(), testKey)
}

func TestAFailedUtteranceEndsTheStream(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.TranscriptionPath, oaifake.Error(400, "audio file is too short", "invalid_request_error", ""))
	st, err := f.stt.StreamSTT(t.Context(), provider.STTConfig{Language: "en", SampleRate: 16000, Options: f.opts(nil)})
	require.NoError(t, err)
	defer st.Close()
	sendUtterance(t, st, tone(50*time.Millisecond, 16000), 16000)
	_, err = st.Recv()
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	assert.Contains(t, err.Error(), "audio file is too short")
	// Later utterances are refused rather than queued forever.
	require.Eventually(t, func() bool { return st.SendAudio([]int16{1}) != nil }, time.Second, 5*time.Millisecond)
	for range maxPendingUtterances + 1 {
		assert.Error(t, st.EndUtterance())
	}
}
