package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/parleyhq/parley/runtime/config"
)

// uploadOverhead is what a multipart body may hold beside its audio: the
// other fields (systemPrompt is at most 8 KiB) and the part headers.
const uploadOverhead = 64 << 10

// bodyLimits sets each request's body limit from its path as soon as its
// header has arrived, so that fasthttp refuses a larger body (413) before
// reading it, instead of buffering up to the largest limit of any route:
// the upload limit for conversation/process, the Socket.IO message limit
// for Engine.IO long-polling, the JSON limit for everything else.
func bodyLimits(srv *fasthttp.Server, h config.HTTP, signalingLimit int) {
	srv.HeaderReceived = func(header *fasthttp.RequestHeader) fasthttp.RequestConfig {
		path := string(header.RequestURI())
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		limit := h.BodyLimit
		switch {
		case strings.TrimSuffix(path, "/") == "/api/v1/calls/conversation/process":
			limit = h.UploadLimit + uploadOverhead
		case strings.HasPrefix(path, "/socket.io/") && signalingLimit > 0:
			limit = signalingLimit
		}
		return fasthttp.RequestConfig{MaxRequestBodySize: limit}
	}
}

// refuseEncodedBodies answers 415 to a request body sent with a
// Content-Encoding. Fiber's Ctx.Body and fasthttp's multipart reader
// decompress gzip, deflate and brotli without any limit (a 1 MB gzip body
// of zeros grew the runtime by 4.5 GB), and no client of this API needs to
// compress what it sends.
func refuseEncodedBodies(c *fiber.Ctx) error {
	ce := strings.TrimSpace(string(c.Request().Header.ContentEncoding()))
	if ce == "" || strings.EqualFold(ce, "identity") {
		return c.Next()
	}
	// Never let anything below decode it.
	c.Request().Header.Del(fiber.HeaderContentEncoding)
	c.Request().SetBodyRaw(nil)
	return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
		fmt.Sprintf("Content-Encoding %q is not accepted; send the request body uncompressed", clip(ce, 32)))
}
