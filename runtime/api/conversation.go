package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/service"
)

type conversationDTO struct {
	UserMessage string        `json:"userMessage"`
	AIResponse  string        `json:"aiResponse"`
	Sentiment   *sentimentDTO `json:"sentiment"`
	Timestamp   string        `json:"timestamp"`
	EndCall     bool          `json:"endCall,omitempty"`
	ToolCalls   []toolCallDTO `json:"toolCalls,omitempty"`
	TransferTo  string        `json:"transferTo,omitempty"`
}

type conversationData struct {
	Conversation conversationDTO `json:"conversation"`
	AudioURL     string          `json:"audioUrl"`
}

// processConversation is the original's POST /calls/conversation/process:
// multipart `audio`, `callId`, optional `systemPrompt`.
func (s *server) processConversation(c *fiber.Ctx) error {
	// Checked first: a full server refuses before it parses the upload.
	if !s.process.tryAcquire() {
		if s.deps.Refused != nil {
			s.deps.Refused(service.RefusedProcessing)
		}
		return busyProcessing(cap(s.process))
	}
	defer s.process.release()
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	if !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, fmt.Sprintf("Content-Type must be multipart/form-data with fields audio, callId and systemPrompt, not %q", clip(ct, 64)))
	}
	form, err := c.MultipartForm()
	if err != nil {
		return newError(http.StatusBadRequest, CodeValidation, "malformed multipart body: "+err.Error())
	}
	files := form.File["audio"]
	if len(files) == 0 {
		return newError(http.StatusBadRequest, CodeValidation, "audio: is required (a file field with the recording: WAV, WebM/Opus, Ogg/Opus or MP3)")
	}
	fh := files[0]
	if fh.Size > int64(s.cfg.HTTP.UploadLimit) {
		return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("audio is %d bytes; the limit is %d", fh.Size, s.cfg.HTTP.UploadLimit))
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, int64(s.cfg.HTTP.UploadLimit)+1))
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	res, err := s.deps.Conversation.Process(c.UserContext(), service.ProcessRequest{
		CallID:          formValue(form.Value, "callId"),
		Audio:           data,
		ContentType:     fh.Header.Get(fiber.HeaderContentType),
		SystemPrompt:    formValue(form.Value, "systemPrompt"),
		AgentPromptOnly: s.deps.Guard.KeyMode(),
	})
	if err != nil {
		return err
	}
	out := conversationData{
		Conversation: conversationDTO{UserMessage: res.UserMessage, AIResponse: res.AIResponse, Timestamp: iso(res.Timestamp), EndCall: res.EndCall},
		AudioURL:     "data:audio/wav;base64," + base64.StdEncoding.EncodeToString(audio.EncodeWAV(res.Speech)),
	}
	for _, tc := range res.ToolCalls {
		out.Conversation.ToolCalls = append(out.Conversation.ToolCalls, toToolCallDTO(tc))
	}
	out.Conversation.TransferTo = res.Transfer
	if res.Sentiment != nil {
		out.Conversation.Sentiment = &sentimentDTO{Sentiment: res.Sentiment.Label, Score: res.Sentiment.Score}
	}
	return ok(c, http.StatusOK, out)
}

func formValue(values map[string][]string, key string) string {
	if v := values[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// audioError maps decoding failures; it is consulted by classify.
func audioError(err error) (int, string, string, bool) {
	switch {
	case errors.Is(err, audio.ErrUnsupportedFormat):
		return http.StatusUnsupportedMediaType, CodeUnsupportedMedia, err.Error(), true
	case errors.Is(err, audio.ErrCorrupt), errors.Is(err, audio.ErrEmpty), errors.Is(err, audio.ErrInvalidRate):
		return http.StatusBadRequest, CodeValidation, err.Error(), true
	case errors.Is(err, audio.ErrTooLong):
		return http.StatusRequestEntityTooLarge, CodeTooLarge, err.Error(), true
	}
	return 0, "", "", false
}
