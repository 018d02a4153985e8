package api

import (
	_ "embed" // the OpenAPI document and Swagger UI page
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

// swaggerIndex serves a Swagger UI page whose scripts and styles come from
// this server (github.com/swaggo/files), so the docs work offline.
func (s *server) swaggerIndex(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
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
