package provider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	pb "github.com/parleyhq/parley/runtime/provider/proto/v1"

	"github.com/parleyhq/parley/runtime/pcm"
)

// The server shims: a plugin's side of the gRPC connection, calling the
// plugin author's implementation.

type infoServer struct {
	pb.UnimplementedInfoServer
	desc     Description
	validate Validator
}

func (s *infoServer) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	res := &pb.DescribeResponse{
		Name: s.desc.Name, Version: s.desc.Version, MaxStreams: int32(min(s.desc.MaxStreams, math.MaxInt32)), Languages: s.desc.Languages,
	}
	for _, k := range s.desc.Kinds {
		res.Kinds = append(res.Kinds, string(k))
	}
	return res, nil
}

func (s *infoServer) ValidateOptions(ctx context.Context, req *pb.ValidateOptionsRequest) (*pb.ValidateOptionsResponse, error) {
	res := &pb.ValidateOptionsResponse{}
	opts, problem := decodeOptionsProblem(req.GetOptionsJson())
	if problem != nil { // a problem to report, not a failure of the call
		res.Problems = append(res.Problems, problem)
		return res, nil
	}
	if s.validate == nil {
		return res, nil
	}
	problems, err := s.validate.ValidateOptions(ctx, ValidateRequest{
		Kind: Kind(req.GetKind()), Options: opts, Language: req.GetLanguage(), Voice: req.GetVoice(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	for _, p := range problems {
		res.Problems = append(res.Problems, &pb.OptionProblem{Option: p.Option, Message: p.Message})
	}
	return res, nil
}

// decodeOptionsProblem decodes options, turning bad JSON into a problem.
func decodeOptionsProblem(b []byte) (Options, *pb.OptionProblem) {
	opts, err := unmarshalOptions(b)
	if err != nil {
		return nil, &pb.OptionProblem{Message: err.Error()}
	}
	return opts, nil
}

type sttServer struct {
	pb.UnimplementedSTTServer
	impl STT
}

func (s *sttServer) Stream(srv pb.STT_StreamServer) error {
	first, err := srv.Recv()
	if err != nil {
		return toStatus(err)
	}
	cfg := first.GetConfig()
	if cfg == nil {
		return toStatus(fmt.Errorf("%w: the first message of an STT stream must be its config", ErrInvalidInput))
	}
	opts, err := unmarshalOptions(cfg.GetOptionsJson())
	if err != nil {
		return toStatus(err)
	}
	ctx := srv.Context()
	st, err := s.impl.StreamSTT(ctx, STTConfig{Language: cfg.GetLanguage(), SampleRate: int(cfg.GetSampleRate()), Options: opts})
	if err != nil {
		return toStatus(err)
	}
	defer func() { _ = st.Close() }()

	// Two loops: the plugin's transcripts out, the runtime's frames in. The
	// handler returns as soon as either fails (which ends srv.Recv), or when
	// the plugin has answered everything after the runtime's CloseSend.
	sent := make(chan error, 1)
	go func() {
		sent <- contained("STT stream (transcripts)", func() error { return sendTranscripts(srv, st) })
	}()
	fed := make(chan error, 1)
	go func() { fed <- contained("STT stream (audio)", func() error { return feedAudio(ctx, srv, st) }) }()
	select {
	case err := <-sent:
		return toStatus(err)
	case err := <-fed:
		if err != nil {
			_ = st.Close()
			if serr := <-sent; serr != nil && !errors.Is(serr, context.Canceled) {
				err = fmt.Errorf("%w (then: %w)", err, serr)
			}
			return toStatus(err)
		}
		return toStatus(<-sent)
	}
}

// sendTranscripts forwards the plugin's transcripts to the runtime.
func sendTranscripts(srv pb.STT_StreamServer, st STTStream) error {
	for {
		t, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := srv.Send(&pb.Transcript{Text: t.Text, Final: t.Final, Confidence: float32(t.Confidence), Language: t.Language}); err != nil {
			return err
		}
	}
}

// feedAudio forwards the runtime's frames and utterance ends to the plugin.
func feedAudio(ctx context.Context, srv pb.STT_StreamServer, st STTStream) error {
	var pcm []int16
	for {
		msg, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			return st.CloseSend()
		}
		if err != nil {
			return err
		}
		switch m := msg.GetMsg().(type) {
		case *pb.STTStreamRequest_Audio:
			pcm = decodeInto(pcm[:0], m.Audio.GetPcm())
			err = st.SendAudio(pcm)
		case *pb.STTStreamRequest_EndOfUtterance:
			err = st.EndUtterance()
		default:
			err = fmt.Errorf("%w: unexpected STT stream message %T", ErrInvalidInput, m)
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// decodeInto is decodePCM reusing dst: the implementation must not keep a
// frame past SendAudio (documented on STTStream.SendAudio).
func decodeInto(dst []int16, b []byte) []int16 {
	n := len(b) / 2
	if cap(dst) < n {
		dst = make([]int16, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
	}
	return dst
}

func (s *sttServer) Transcribe(ctx context.Context, req *pb.TranscribeRequest) (*pb.Transcript, error) {
	opts, err := unmarshalOptions(req.GetOptionsJson())
	if err != nil {
		return nil, toStatus(err)
	}
	t, err := s.impl.Transcribe(ctx, TranscribeRequest{
		Audio:    pcm.Audio{Samples: decodePCM(req.GetAudio().GetPcm()), Rate: int(req.GetAudio().GetSampleRate())},
		Language: req.GetLanguage(), Options: opts,
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.Transcript{Text: t.Text, Final: true, Confidence: float32(t.Confidence), Language: t.Language}, nil
}

type chatServer struct {
	pb.UnimplementedChatServer
	impl Chat
}

func (s *chatServer) Complete(req *pb.ChatRequest, srv pb.Chat_CompleteServer) error {
	opts, err := unmarshalOptions(req.GetOptionsJson())
	if err != nil {
		return toStatus(err)
	}
	st, err := s.impl.Complete(srv.Context(), ChatRequest{
		SystemPrompt: req.GetSystemPrompt(), Messages: messagesFromProto(req.GetMessages()), Language: req.GetLanguage(),
		Options: opts, Tools: toolsFromProto(req.GetTools()),
	})
	if err != nil {
		return toStatus(err)
	}
	return toStatus(pump(st, func(d ChatDelta) error {
		return srv.Send(&pb.ChatDelta{Text: d.Text, EndCall: d.EndCall, ToolCalls: toolCallsToProto(d.ToolCalls)})
	}))
}

type ttsServer struct {
	pb.UnimplementedTTSServer
	impl TTS
}

func (s *ttsServer) Synthesize(req *pb.TTSRequest, srv pb.TTS_SynthesizeServer) error {
	opts, err := unmarshalOptions(req.GetOptionsJson())
	if err != nil {
		return toStatus(err)
	}
	st, err := s.impl.Synthesize(srv.Context(), TTSRequest{Text: req.GetText(), Voice: req.GetVoice(), Language: req.GetLanguage(), Options: opts})
	if err != nil {
		return toStatus(err)
	}
	var buf []byte
	return toStatus(pump(st, func(a pcm.Audio) error {
		buf = pcm.AppendBytesLE(buf[:0], a.Samples)
		return srv.Send(&pb.Audio{Pcm: buf, SampleRate: int32(a.Rate)})
	}))
}

// pump sends every value of st, then closes it.
func pump[T any](st Stream[T], send func(T) error) error {
	defer func() { _ = st.Close() }()
	for {
		v, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := send(v); err != nil {
			return err
		}
	}
}

type sentimentServer struct {
	pb.UnimplementedSentimentServer
	impl Sentiment
}

func (s *sentimentServer) Analyze(ctx context.Context, req *pb.SentimentRequest) (*pb.SentimentResponse, error) {
	opts, err := unmarshalOptions(req.GetOptionsJson())
	if err != nil {
		return nil, toStatus(err)
	}
	r, err := s.impl.Analyze(ctx, SentimentRequest{Text: req.GetText(), Language: req.GetLanguage(), Options: opts})
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.SentimentResponse{Label: r.Label, Score: float32(r.Score)}, nil
}
