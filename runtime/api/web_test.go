package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/web"
)

// webHarness is the API serving the real demo page (web.FS).
func webHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	cfg, err := config.Load(config.Sources{})
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h.app = New(Deps{Config: cfg, Plugins: fixedPlugins{}, Ready: h.store.Ping, Log: log, Web: web.FS})
	return h
}

func TestWebPageServed(t *testing.T) {
	h := webHarness(t)
	r := h.do(t, http.MethodGet, "/", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'self'")
	page := string(r.Raw)
	require.Contains(t, page, `<script src="/socket.io/socket.io.js"`)
	require.Contains(t, page, `id="call-button"`)
	require.NotRegexp(t, `(?i)(src|href)\s*=\s*["']?(https?:)?//`, page, "the page must load nothing from another host")

	// Every file the page loads from itself is served with its type.
	refs := regexp.MustCompile(`(?:src|href)="(/[^"]*)"`).FindAllStringSubmatch(page, -1)
	want := map[string]string{
		"/app.js":    "text/javascript; charset=utf-8",
		"/style.css": "text/css; charset=utf-8",
	}
	seen := map[string]bool{}
	for _, m := range refs {
		seen[m[1]] = true
	}
	for asset, ct := range want {
		require.True(t, seen[asset], "index.html does not load %s", asset)
		r := h.do(t, http.MethodGet, asset, "", nil)
		require.Equal(t, http.StatusOK, r.Status, asset)
		require.Equal(t, ct, r.Header.Get("Content-Type"), asset)
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), asset)
		require.Greater(t, len(r.Raw), 500, asset)
		require.NotRegexp(t, `https?://`, string(r.Raw), "%s must not reach another host", asset)
	}
	for asset := range seen {
		if _, ours := want[asset]; !ours && asset != "/socket.io/socket.io.js" {
			t.Errorf("index.html loads %s, which this test does not check", asset)
		}
	}
}

func TestWebOnlyAnswersItsFiles(t *testing.T) {
	h := webHarness(t)
	cases := []struct {
		name, method, path string
		status             int
	}{
		{"index by name", http.MethodGet, "/index.html", http.StatusOK},
		{"head", http.MethodHead, "/", http.StatusOK},
		{"unknown file", http.MethodGet, "/nope.js", http.StatusNotFound},
		{"the Go source is not embedded", http.MethodGet, "/web.go", http.StatusNotFound},
		{"post", http.MethodPost, "/", http.StatusNotFound},
		{"API routes still answer", http.MethodGet, "/healthz", http.StatusOK},
		{"API 404 envelope", http.MethodGet, "/api/v1/nope", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, tc.method, tc.path, "", nil)
			require.Equal(t, tc.status, r.Status)
			if tc.status == http.StatusNotFound {
				require.Equal(t, false, r.Body["success"], "a miss is the API's 404 envelope: %s", r.Raw)
			}
		})
	}
}

func TestWebRevalidates(t *testing.T) {
	h := webHarness(t)
	first := h.do(t, http.MethodGet, "/app.js", "", nil)
	etag := first.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, "no-cache", first.Header.Get("Cache-Control"))

	req := httptest.NewRequest(http.MethodGet, "/app.js", nil)
	req.Header.Set("If-None-Match", "W/"+etag)
	res, err := h.app.Test(req, 10_000)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusNotModified, res.StatusCode)
}

func TestWebNotMountedWithoutFS(t *testing.T) {
	h := newHarness(t) // Deps.Web is nil
	r := h.do(t, http.MethodGet, "/", "", nil)
	require.Equal(t, http.StatusNotFound, r.Status)
}

func TestWebFileTypes(t *testing.T) {
	files, err := readWeb(fstest.MapFS{
		"index.html":   {Data: []byte("<p>")},
		"img/logo.svg": {Data: []byte("<svg/>")},
		"data.bin":     {Data: []byte{0}},
	})
	require.NoError(t, err)
	require.Equal(t, "text/html; charset=utf-8", files["/index.html"].contentType)
	require.Equal(t, "image/svg+xml", files["/img/logo.svg"].contentType)
	require.Equal(t, "application/octet-stream", files["/data.bin"].contentType)
}
