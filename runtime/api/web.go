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

// webFiles is the demo page: its files by URL path.
type webFiles map[string]webFile

// readWebFiles reads the demo page of fsys (nil: none).
func readWebFiles(fsys fs.FS, log *slog.Logger) webFiles {
	if fsys == nil {
		return nil
	}
	files, err := readWeb(fsys)
	if err != nil {
		log.Error("the demo page is not served", "err", err)
		return nil
	}
	return files
}

// lookup returns the file a GET or HEAD request asks for.
func (files webFiles) lookup(c *fiber.Ctx) (webFile, bool) {
	if c.Method() != http.MethodGet && c.Method() != http.MethodHead {
		return webFile{}, false
	}
	name := c.Path()
	if name == "/" {
		name = "/index.html"
	}
	f, found := files[name]
	return f, found
}

// has reports whether the request is for one of the page's files: they
// are public in key mode too (the page holds no secret; a call token comes
// in the link it is opened with).
func (files webFiles) has(c *fiber.Ctx) bool {
	_, found := files.lookup(c)
	return found
}

// mount serves the page: GET / is index.html, GET /<path> any other file.
// It is one handler behind the API routes, not routes of its own: the page
// is not part of the REST contract (routes(), openapi.yaml), and requests
// an API route answers never reach it. Anything else falls through to the
// 404 envelope.
func (files webFiles) mount(app *fiber.App) {
	if len(files) == 0 {
		return
	}
	app.Use(func(c *fiber.Ctx) error {
		f, found := files.lookup(c)
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
func readWeb(fsys fs.FS) (webFiles, error) {
	files := webFiles{}
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
