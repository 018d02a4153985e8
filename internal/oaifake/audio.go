package oaifake

import (
	"net/http"
	"time"
)

// Transcription answers an audio transcription with text, and with
// language (Whisper's name for it, such as "korean") in verbose_json.
func Transcription(text, language string) Handler {
	return func(w http.ResponseWriter, _ *http.Request, req *Request) {
		switch req.Fields["response_format"] {
		case "text":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte(text))
		case "verbose_json":
			writeJSON(w, http.StatusOK, map[string]any{
				"task": "transcribe", "language": language, "duration": 1.5, "text": text,
				"segments": []any{map[string]any{
					"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": text, "tokens": []int{1, 2},
					"temperature": 0.0, "avg_logprob": -0.1, "compression_ratio": 1.0, "no_speech_prob": 0.01,
				}},
			})
		default:
			writeJSON(w, http.StatusOK, map[string]any{"text": text})
		}
	}
}

// Speech answers a speech request with body as raw audio, written in about
// parts flushed writes with delay before each after the first, so a client
// can be seen to stream it. The writes have odd sizes, so 16-bit samples
// straddle them. It stops when the client goes away.
func Speech(body []byte, parts int, delay time.Duration) Handler {
	size := (len(body)+max(parts, 1)-1)/max(parts, 1) | 1
	return func(w http.ResponseWriter, r *http.Request, _ *Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		f, _ := w.(http.Flusher)
		for i := 0; i < len(body); i += size {
			if i > 0 && !pause(r, delay) {
				return
			}
			if _, err := w.Write(body[i:min(i+size, len(body))]); err != nil {
				return
			}
			if f != nil {
				f.Flush()
			}
		}
	}
}
