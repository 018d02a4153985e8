package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the OpenAPI document and Swagger UI page
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sync"

	"github.com/gofiber/fiber/v2"
	swaggerfiles "github.com/swaggo/files/v2"
	"go.yaml.in/yaml/v3"
)

//go:embed openapi.yaml
var openAPIYAML []byte

//go:embed swagger.html
var swaggerHTML []byte

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml to JSON: %w", err)
	}
	return b, nil
})

func (s *server) openAPIJSON(c *fiber.Ctx) error {
	b, err := openAPIJSON()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// swaggerPolicy is the Swagger UI page's Content-Security-Policy: its
// scripts, styles and the OpenAPI document come from this server; the one
// inline script (the SwaggerUIBundle call in swagger.html) is allowed by
// its hash, so no other inline script runs; no page may frame it.
var swaggerPolicy = "default-src 'self'; script-src 'self' " + inlineScriptHash(swaggerHTML) + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// inlineScriptHash returns the CSP source ('sha256-...') of the first
// inline <script> in page, or 'none' without one.
func inlineScriptHash(page []byte) string {
	const open, end = "<script>", "</script>"
	i := bytes.Index(page, []byte(open))
	if i < 0 {
		return "'none'"
	}
	body := page[i+len(open):]
	body = body[:bytes.Index(body, []byte(end))]
	sum := sha256.Sum256(body)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// swaggerIndex serves a Swagger UI page whose scripts and styles come from
// this server (github.com/swaggo/files), so the docs work offline.
func (s *server) swaggerIndex(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentSecurityPolicy, swaggerPolicy)
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	return c.Send(swaggerHTML)
}

func (s *server) swaggerAsset(c *fiber.Ctx) error {
	name := path.Base(c.Params("file"))
	b, err := fs.ReadFile(swaggerfiles.FS, name)
	if err != nil {
		return newError(http.StatusNotFound, CodeNotFound, fmt.Sprintf("no docs asset %q", name))
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		c.Set(fiber.HeaderContentType, ct)
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(b)
}
