package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

const requestIDHeader = "X-Request-ID"

func requestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(requestid.ConfigDefault.ContextKey).(string); ok {
		return id
	}
	return ""
}

// accessLog writes one structured line per request, with its request id.
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// Let the error handler write the response now, so the line
			// below logs the status the client really gets.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				_ = c.SendStatus(http.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(c.UserContext(), level, "http request",
			"request_id", requestID(c),
			"method", c.Method(),
			"path", c.Path(),
			"status", status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
			"bytes_in", len(c.Request().Body()),
			"remote", clientIP(c),
		)
		return nil
	}
}

// jsonBody checks a JSON request: its size against limit, its content type,
// and decodes it strictly into v (unknown fields and wrong types are 400s
// that name the field).
func jsonBody(c *fiber.Ctx, limit int, v any) error {
	body := c.Body()
	if len(body) > limit {
		return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("request body is %d bytes; the limit is %d", len(body), limit))
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return newError(http.StatusBadRequest, CodeValidation, "request body is empty; send a JSON object")
	}
	ct := strings.ToLower(strings.TrimSpace(strings.Split(string(c.Request().Header.ContentType()), ";")[0]))
	if ct != fiber.MIMEApplicationJSON {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, fmt.Sprintf("Content-Type must be application/json, not %q", clip(ct, 64)))
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	// Numbers in free-form fields (call variables) keep their exact text.
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return newError(http.StatusBadRequest, CodeValidation, jsonMessage(err))
	}
	if dec.More() {
		return newError(http.StatusBadRequest, CodeValidation, "request body has data after the JSON object")
	}
	return nil
}

// jsonMessage explains a decoding error in terms of the request.
func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf("request body must be a JSON object, not %s", te.Value)
		}
		want := jsonType(te.Type.Kind().String())
		article := "a"
		if want == "object" || want == "array" {
			article = "an"
		}
		return fmt.Sprintf("%s must be %s %s, not %s", te.Field, article, want, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "malformed JSON: the body ends early"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "malformed JSON: " + err.Error()
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	}
	return "number"
}

// clip cuts a client-supplied value quoted back in an error message to n
// bytes, so an error never grows with what the client sent.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
