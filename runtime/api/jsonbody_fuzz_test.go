package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// FuzzJSONBody checks jsonBody, which reads every JSON request, with any
// body and Content-Type: a refusal is a 400, 413 or 415 in the envelope's
// terms with a message no longer than the body plus a sentence; an
// accepted body is valid JSON of the right type within the limit, and the
// decoded value round-trips.
func FuzzJSONBody(f *testing.F) {
	for _, s := range []string{
		`{"callerNumber":"010-1234-5678"}`,
		`{"callerNumber":"01012345678","receiverNumber":"01098765432","agent":"support-ko"}`,
		`{"callerNumber":null}`, `{}`, `[]`, `"x"`, `{"callerNumber":1}`, `{"nope":1}`, `{"agent":"a"} {}`,
		`{"callerNumber":"\ud800"}`, ` `, `{"callerNumber":"0`,
	} {
		f.Add("application/json", []byte(s))
	}
	f.Add("application/json; charset=utf-8", []byte(`{"agent":"default"}`))
	f.Add("text/plain", []byte(`{"agent":"default"}`))
	const limit = 1024
	app := fiber.New()
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		var rc fasthttp.RequestCtx
		rc.Request.Header.SetMethod(http.MethodPost)
		rc.Request.Header.SetContentType(contentType)
		rc.Request.SetBody(body)
		c := app.AcquireCtx(&rc)
		defer app.ReleaseCtx(c)

		var v initiateBody
		err := jsonBody(c, limit, &v)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an API error", err)
			}
			switch {
			case ae.status == http.StatusBadRequest && ae.code == CodeValidation:
			case ae.status == http.StatusRequestEntityTooLarge && ae.code == CodeTooLarge:
			case ae.status == http.StatusUnsupportedMediaType && ae.code == CodeUnsupportedMedia:
			default:
				t.Fatalf("refused with %d %s", ae.status, ae.code)
			}
			// The refusal quotes the Content-Type (%q: up to 4 bytes for
			// each byte sent) and the name of an unknown field.
			if ae.message == "" || len(ae.message) > len(body)+512 {
				t.Fatalf("message of %d bytes for a body of %d", len(ae.message), len(body))
			}
			return
		}
		if len(body) > limit || !json.Valid(body) {
			t.Fatalf("accepted %d bytes (valid JSON: %t)", len(body), json.Valid(body))
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var again initiateBody
		rc.Request.SetBody(b)
		if err := jsonBody(c, limit, &again); err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("%+v re-encoded as %s gave %+v, %v", v, b, again, err)
		}
	})
}
