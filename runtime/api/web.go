package api

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// webPolicy is the demo page's Content-Security-Policy: scripts, styles and
// connections (the REST API, the Socket.IO websocket: 'self' covers ws: of
// the same host) from this origin only, nothing from anywhere else.
const webPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// webTypes are the content types of the page's files; the system's MIME
// table (mime.TypeByExtension) varies between machines, these do not.
var webTypes = map[string]string{
	".html": fiber.MIMETextHTMLCharsetUTF8,
	".js":   fiber.MIMETextJavaScriptCharsetUTF8,
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
}

// webFile is one file of the page, read once.
type webFile struct {
	body        []byte
	contentType string
	etag        string
}

// mountWeb serves the demo page of fsys (nil: none): GET / is index.html,
// GET /<path> any other file. It is one handler behind the API routes, not
// routes of its own: the page is not part of the REST contract (routes(),
// openapi.yaml), and requests an API route answers never reach it. Anything
// else falls through to the 404 envelope.
func mountWeb(app *fiber.App, fsys fs.FS, log *slog.Logger) {
	if fsys == nil {
		return
	}
	files, err := readWeb(fsys)
	if err != nil {
		log.Error("the demo page is not served", "err", err)
		return
	}
	app.Use(func(c *fiber.Ctx) error {
		if c.Method() != http.MethodGet && c.Method() != http.MethodHead {
			return c.Next()
		}
		name := c.Path()
		if name == "/" {
			name = "/index.html"
		}
		f, found := files[name]
		if !found {
			return c.Next()
		}
		c.Set(fiber.HeaderContentType, f.contentType)
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		// The files change only with the binary: revalidate, cheaply.
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderETag, f.etag)
		if strings.HasPrefix(f.contentType, "text/html") {
			c.Set(fiber.HeaderContentSecurityPolicy, webPolicy)
			c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
		}
		if etagMatches(c.Get(fiber.HeaderIfNoneMatch), f.etag) {
			return c.SendStatus(http.StatusNotModified)
		}
		return c.Send(f.body)
	})
}

// readWeb reads every file of fsys, keyed by its URL path.
func readWeb(fsys fs.FS) (map[string]webFile, error) {
	files := map[string]webFile{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct, known := webTypes[path.Ext(p)]
		if !known {
			if ct = mime.TypeByExtension(path.Ext(p)); ct == "" {
				ct = fiber.MIMEOctetStream
			}
		}
		sum := sha256.Sum256(b)
		files["/"+p] = webFile{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	return files, err
}

// etagMatches reports whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}
