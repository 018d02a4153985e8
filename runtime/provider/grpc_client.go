package provider

import (
	"context"
	"errors"
	"io"
	"sync"

	pb "github.com/parleyhq/parley/runtime/provider/proto/v1"

	"github.com/parleyhq/parley/runtime/pcm"
)

// The client shims: the runtime's side of the gRPC connection to a plugin.
var (
	_ Validator = (*infoClient)(nil)
	_ STT       = (*sttClient)(nil)
	_ Chat      = (*chatClient)(nil)
	_ TTS       = (*ttsClient)(nil)
	_ Sentiment = (*sentimentClient)(nil)
)

type infoClient struct{ c pb.InfoClient }

// maxLanguages bounds the languages a plugin can declare (espeak-ng has
// about 130).
const maxLanguages = 1000

// Describe asks the plugin who it is.
func (c *infoClient) Describe(ctx context.Context) (Description, error) {
	res, err := c.c.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return Description{}, fromStatus(ctx, err)
	}
	d := Description{Name: res.GetName(), Version: res.GetVersion(), MaxStreams: max(0, int(res.GetMaxStreams()))}
	for _, k := range res.GetKinds() {
		d.Kinds = append(d.Kinds, Kind(k))
	}
	// Bounded, as everything a plugin sends: a list no plugin needs is cut.
	langs := res.GetLanguages()
	d.Languages = append([]string(nil), langs[:min(len(langs), maxLanguages)]...)
	return d, nil
}

func (c *infoClient) ValidateOptions(ctx context.Context, req ValidateRequest) ([]OptionProblem, error) {
	opts, err := marshalOptions(req.Options)
	if err != nil {
		return nil, err
	}
	res, err := c.c.ValidateOptions(ctx, &pb.ValidateOptionsRequest{
		Kind: string(req.Kind), OptionsJson: opts, Language: req.Language, Voice: req.Voice,
	})
	if err != nil {
		return nil, fromStatus(ctx, err)
	}
	var out []OptionProblem
	for _, p := range res.GetProblems() {
		out = append(out, OptionProblem{Option: p.GetOption(), Message: p.GetMessage()})
	}
	return out, nil
}

type sttClient struct{ c pb.STTClient }

func (c *sttClient) StreamSTT(ctx context.Context, cfg STTConfig) (STTStream, error) {
	opts, err := marshalOptions(cfg.Options)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	st, err := c.c.Stream(ctx)
	if err != nil {
		err = fromStatus(ctx, err) // before cancel, which would mask the cause
		cancel()
		return nil, err
	}
	err = st.Send(&pb.STTStreamRequest{Msg: &pb.STTStreamRequest_Config{Config: &pb.STTConfig{
		Language: cfg.Language, SampleRate: int32(cfg.SampleRate), OptionsJson: opts,
	}}})
	if err != nil {
		err = fromStatus(ctx, err) // before cancel, which would mask the cause
		cancel()
		return nil, err
	}
	return &sttClientStream{ctx: ctx, cancel: cancel, st: st, rate: int32(cfg.SampleRate)}, nil
}

// sttClientStream reuses one frame buffer: gRPC serialises a message before
// Send returns.
type sttClientStream struct {
	ctx    context.Context
	cancel context.CancelFunc
	st     pb.STT_StreamClient
	rate   int32
	buf    []byte
	frame  pb.Audio
	msg    pb.STTStreamRequest
	wrap   pb.STTStreamRequest_Audio
}

func (s *sttClientStream) SendAudio(samples []int16) error {
	s.buf = pcm.AppendBytesLE(s.buf[:0], samples)
	s.frame.Pcm, s.frame.SampleRate = s.buf, s.rate
	s.wrap.Audio = &s.frame
	s.msg.Msg = &s.wrap
	return fromStatus(s.ctx, s.sendErr(s.st.Send(&s.msg)))
}

func (s *sttClientStream) EndUtterance() error {
	err := s.st.Send(&pb.STTStreamRequest{Msg: &pb.STTStreamRequest_EndOfUtterance{EndOfUtterance: &pb.EndOfUtterance{}}})
	return fromStatus(s.ctx, s.sendErr(err))
}

// sendErr gets the real error: after a failed Send, gRPC reports io.EOF
// and keeps the status for Recv.
func (s *sttClientStream) sendErr(err error) error {
	if !errors.Is(err, io.EOF) {
		return err
	}
	if _, rerr := s.st.Recv(); rerr != nil {
		return rerr
	}
	return err
}

func (s *sttClientStream) Recv() (Transcript, error) {
	res, err := s.st.Recv()
	if errors.Is(err, io.EOF) {
		return Transcript{}, io.EOF
	}
	if err != nil {
		return Transcript{}, fromStatus(s.ctx, err)
	}
	return Transcript{Text: res.GetText(), Final: res.GetFinal(), Confidence: float64(res.GetConfidence()), Language: res.GetLanguage()}, nil
}

func (s *sttClientStream) CloseSend() error { return fromStatus(s.ctx, s.st.CloseSend()) }

func (s *sttClientStream) Close() error {
	s.cancel()
	return nil
}

func (c *sttClient) Transcribe(ctx context.Context, req TranscribeRequest) (Transcript, error) {
	opts, err := marshalOptions(req.Options)
	if err != nil {
		return Transcript{}, err
	}
	res, err := c.c.Transcribe(ctx, &pb.TranscribeRequest{
		Audio:    &pb.Audio{Pcm: pcm.AppendBytesLE(nil, req.Audio.Samples), SampleRate: int32(req.Audio.Rate)},
		Language: req.Language, OptionsJson: opts,
	})
	if err != nil {
		return Transcript{}, fromStatus(ctx, err)
	}
	return Transcript{Text: res.GetText(), Final: true, Confidence: float64(res.GetConfidence()), Language: res.GetLanguage()}, nil
}

type chatClient struct{ c pb.ChatClient }

func (c *chatClient) Complete(ctx context.Context, req ChatRequest) (Stream[ChatDelta], error) {
	opts, err := marshalOptions(req.Options)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	st, err := c.c.Complete(ctx, &pb.ChatRequest{
		SystemPrompt: req.SystemPrompt, Messages: messagesToProto(req.Messages), Language: req.Language,
		OptionsJson: opts, Tools: toolsToProto(req.Tools),
	})
	if err != nil {
		err = fromStatus(ctx, err) // before cancel, which would mask the cause
		cancel()
		return nil, err
	}
	return &recvStream[pb.ChatDelta, ChatDelta]{ctx: ctx, cancel: cancel, recv: st.Recv, conv: func(d *pb.ChatDelta) ChatDelta {
		return ChatDelta{Text: d.GetText(), EndCall: d.GetEndCall(), ToolCalls: toolCallsFromProto(d.GetToolCalls())}
	}}, nil
}

type ttsClient struct{ c pb.TTSClient }

func (c *ttsClient) Synthesize(ctx context.Context, req TTSRequest) (Stream[pcm.Audio], error) {
	opts, err := marshalOptions(req.Options)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	st, err := c.c.Synthesize(ctx, &pb.TTSRequest{Text: req.Text, Voice: req.Voice, Language: req.Language, OptionsJson: opts})
	if err != nil {
		err = fromStatus(ctx, err) // before cancel, which would mask the cause
		cancel()
		return nil, err
	}
	return &recvStream[pb.Audio, pcm.Audio]{ctx: ctx, cancel: cancel, recv: st.Recv, conv: func(a *pb.Audio) pcm.Audio {
		return pcm.Audio{Samples: decodePCM(a.GetPcm()), Rate: int(a.GetSampleRate())}
	}}, nil
}

// recvStream adapts a gRPC server stream to Stream[T]; Close cancels the
// call, which the plugin sees as its context ending.
type recvStream[W any, T any] struct {
	ctx    context.Context
	cancel context.CancelFunc
	recv   func() (*W, error)
	conv   func(*W) T
	once   sync.Once
}

func (s *recvStream[W, T]) Recv() (T, error) {
	w, err := s.recv()
	if err != nil {
		var zero T
		if errors.Is(err, io.EOF) {
			return zero, io.EOF
		}
		return zero, fromStatus(s.ctx, err)
	}
	return s.conv(w), nil
}

func (s *recvStream[W, T]) Close() error {
	s.once.Do(s.cancel)
	return nil
}

type sentimentClient struct{ c pb.SentimentClient }

func (c *sentimentClient) Analyze(ctx context.Context, req SentimentRequest) (SentimentResult, error) {
	opts, err := marshalOptions(req.Options)
	if err != nil {
		return SentimentResult{}, err
	}
	res, err := c.c.Analyze(ctx, &pb.SentimentRequest{Text: req.Text, Language: req.Language, OptionsJson: opts})
	if err != nil {
		return SentimentResult{}, fromStatus(ctx, err)
	}
	return SentimentResult{Label: res.GetLabel(), Score: float64(res.GetScore())}, nil
}
