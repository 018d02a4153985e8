package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

var (
	_ provider.TTS       = (*tts)(nil)
	_ provider.Validator = (*tts)(nil)
)

// chunkDuration is how much audio each chunk of the stream carries.
const chunkDuration = 40 * time.Millisecond

// tts is the openai-tts provider.
type tts struct {
	backend *oai.Backend
	log     hclog.Logger
}

func newTTS(log hclog.Logger) *tts {
	return &tts{backend: oai.NewBackend(log), log: log}
}

// Synthesize implements provider.TTS. It asks for response_format pcm
// (OpenAI: raw 16-bit little-endian mono at 24 kHz) and streams the HTTP
// body as it arrives, in chunks of 40 ms: the first chunk is sent as soon
// as its bytes are in, long before the body ends. A request is made (and
// retried) before Synthesize returns, so a refused key fails here. Blank
// text gives an empty stream without a request. Cancelling ctx or closing
// the stream closes the HTTP response at once.
func (s *tts) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	o, err := s.parseOptions(req.Options, req.Voice)
	if err != nil {
		return nil, fmt.Errorf("synthesize: %w", err)
	}
	if strings.TrimSpace(req.Text) == "" {
		return provider.Produce(ctx, func(context.Context, func(pcm.Audio) error) error { return nil }), nil
	}
	sreq := openai.CreateSpeechRequest{
		Model:          openai.SpeechModel(o.model),
		Input:          req.Text,
		Voice:          openai.SpeechVoice(o.voice),
		ResponseFormat: openai.SpeechResponseFormatPcm,
		Speed:          o.speed,
	}
	reqCtx, cancel := context.WithCancel(ctx)
	start := time.Now()
	body, err := s.backend.Client(o.cfg).CreateSpeech(reqCtx, sreq)
	if err != nil {
		cancel()
		err = oai.MapError(ctx, err, o.cfg, o.model)
		if ctx.Err() == nil {
			s.log.Warn("speech failed", "model", o.model, "voice", o.voice, "error", err.Error())
		}
		return nil, fmt.Errorf("synthesize: %w", err)
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		defer func() { _ = body.Close() }()
		err := s.relay(ctx, body, send, o)
		s.log.Debug("speech done", "model", o.model, "voice", o.voice, "took", time.Since(start).String())
		return err
	}), nil
}

// relay reads the PCM of body in chunks and sends each.
func (s *tts) relay(ctx context.Context, body openai.RawResponse, send func(pcm.Audio) error, o options) error {
	r := bufio.NewReaderSize(body, 4096)
	rate, err := pcmRate(r, body.Header().Get("Content-Type"), o.rate)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("synthesize: %w", err)
	}
	buf := make([]byte, 2*int(chunkDuration.Seconds()*float64(rate)))
	for {
		// ReadFull gathers a whole chunk across reads of any size, odd
		// ones included; only the last chunk is short.
		n, err := io.ReadFull(r, buf)
		if n >= 2 {
			if serr := send(pcm.Audio{Samples: decodePCM(buf[:n&^1]), Rate: rate}); serr != nil {
				return serr
			}
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return nil
		default:
			return fmt.Errorf("synthesize: %w", oai.MapError(ctx, err, o.cfg, o.model))
		}
	}
}

// decodePCM reads 16-bit little-endian samples.
func decodePCM(b []byte) []int16 {
	out := make([]int16, len(b)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return out
}

// compressed are content types of formats that are not raw PCM: a
// compatible server that ignored response_format.
var compressed = []string{"audio/mpeg", "audio/mp3", "audio/ogg", "audio/opus", "audio/aac", "audio/flac", "audio/webm"}

// pcmRate checks that the body is raw PCM and returns its rate: the
// configured one, or the header's when the server sent a WAV file instead
// (whose header it then skips).
func pcmRate(r *bufio.Reader, contentType string, rate int) (int, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	for _, c := range compressed {
		if mt == c {
			return 0, fmt.Errorf("%w: the server sent %s, not raw PCM (response_format pcm)", provider.ErrUnavailable, mt)
		}
	}
	if head, _ := r.Peek(4); string(head) != "RIFF" {
		return rate, nil
	}
	return skipWAVHeader(r)
}
