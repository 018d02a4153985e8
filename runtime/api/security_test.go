package api

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
)

const testKey = "test-key-0123456789abcdef"

func testGuard(t *testing.T) *auth.Guard {
	t.Helper()
	keys, err := auth.ParseKeys(testKey)
	require.NoError(t, err)
	signer, err := auth.NewSigner([]byte(strings.Repeat("k", auth.MinSecretLength)))
	require.NoError(t, err)
	return auth.NewGuard(keys, signer)
}

// send makes a request with an Authorization header (none when cred is
// empty).
func (h *harness) send(t *testing.T, method, path, cred, body string) response {
	t.Helper()
	var header []string
	if cred != "" {
		header = []string{"Authorization", "Bearer " + cred}
	}
	contentType := ""
	if body != "" {
		contentType = "application/json"
	}
	return h.do(t, method, path, contentType, []byte(body), header...)
}

// TestKeyModeEveryRoute asks every route with no key, a wrong key, a call
// token and a good key.
func TestKeyModeEveryRoute(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	tok, _, err := g.Signer().Mint("default", time.Minute)
	require.NoError(t, err)
	id := "550e8400-e29b-41d4-a716-446655440000"
	public := map[string]bool{"/healthz": true, "/readyz": true}
	tokenOK := map[string]bool{"GET /api/v1/calls/config": true, "POST /api/v1/calls": true}
	s := &server{}
	for _, r := range s.routes() {
		path := strings.ReplaceAll(strings.ReplaceAll(r.Path, ":id", id), ":file", "swagger-ui.css")
		body := ""
		if r.Method == http.MethodPost {
			body = `{}`
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if public[path] {
				require.NotEqual(t, http.StatusUnauthorized, h.send(t, r.Method, path, "", body).Status)
				return
			}
			none := h.send(t, r.Method, path, "", body)
			requireError(t, none, http.StatusUnauthorized, CodeUnauthorized, "Authorization: Bearer")
			require.Equal(t, `Bearer realm="parley"`, none.Header.Get("WWW-Authenticate"))
			wrong := h.send(t, r.Method, path, testKey+"x", body)
			requireError(t, wrong, http.StatusUnauthorized, CodeUnauthorized, "not valid")
			require.NotContains(t, string(wrong.Raw), testKey, "the key is never echoed")

			withToken := h.send(t, r.Method, path, tok, body)
			if tokenOK[r.Method+" "+r.Path] {
				require.NotContains(t, []int{401, 403}, withToken.Status, "%s", withToken.Raw)
			} else {
				requireError(t, withToken, http.StatusForbidden, CodeForbidden, "call token may only")
			}
			good := h.send(t, r.Method, path, testKey, body)
			require.NotContains(t, []int{401, 403}, good.Status, "%s", good.Raw)
		})
	}
}

func TestCallToken(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	tok, claims, err := g.Signer().Mint("default", time.Minute)
	require.NoError(t, err)

	requireError(t, h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678","agent":"support-ko"}`),
		http.StatusForbidden, CodeForbidden, `for agent "default", not "support-ko"`)
	requireError(t, h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678","receiverNumber":"01087654321"}`),
		http.StatusForbidden, CodeForbidden, "receiverNumber needs an API key")
	require.Zero(t, h.countCalls(t))

	r := h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.Equal(t, "default", r.data("call", "agent"))
	require.NotEmpty(t, r.data("call", "sessionId"), "the creator gets the session id")
	stored, err := h.store.Call(t.Context(), r.data("call", "id").(string))
	require.NoError(t, err)
	require.Equal(t, claims.ID, stored.TokenID)

	requireError(t, h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678"}`),
		http.StatusConflict, CodeTokenUsed, "already created its call")
	require.Equal(t, 1, h.countCalls(t))

	// The token cannot read back the call it made: that is a key holder's.
	requireError(t, h.send(t, "GET", "/api/v1/calls/"+stored.ID, tok, ""), http.StatusForbidden, CodeForbidden, "")
}

func TestMintToken(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	r := h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"default","ttlSeconds":60}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	tok := r.data("token", "token").(string)
	require.Contains(t, r.data("token", "link"), "/#token="+tok)
	c, err := g.Signer().Verify(tok)
	require.NoError(t, err)
	require.Equal(t, "default", c.Agent)
	require.WithinDuration(t, time.Now().Add(time.Minute), c.ExpiresAt, 2*time.Second)

	r = h.send(t, "POST", "/api/v1/tokens", testKey, `{}`)
	require.Equal(t, http.StatusCreated, r.Status)
	require.Equal(t, "default", r.data("token", "agent"), "the default agent when none is named")

	for body, want := range map[string]string{
		`{"agent":"nobody"}`:    `no agent named "nobody"`,
		`{"ttlSeconds":0}`:      "ttlSeconds: must be between 1 and 900",
		`{"ttlSeconds":901}`:    "ttlSeconds: must be between 1 and 900",
		`{"ttl":60}`:            `unknown field "ttl"`,
		`{"agent":["default"]}`: "agent must be a string",
	} {
		requireError(t, h.send(t, "POST", "/api/v1/tokens", testKey, body), http.StatusBadRequest, CodeValidation, want)
	}
	// A token cannot mint tokens.
	requireError(t, h.send(t, "POST", "/api/v1/tokens", tok, `{}`), http.StatusForbidden, CodeForbidden, "")
}

func TestExpiredTokenSaysSo(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	tok, _, err := g.Signer().Mint("default", time.Second)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		r := h.send(t, "GET", "/api/v1/calls/config", tok, "")
		return r.Status == http.StatusUnauthorized && strings.Contains(string(r.Raw), "expired")
	}, 5*time.Second, 100*time.Millisecond)
}

func TestPromptOverrideRefusedInKeyMode(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	id := h.newCallWith(t, testKey)
	r := h.upload(t, testKey, id, "You are a pirate.")
	requireError(t, r, http.StatusForbidden, CodeForbidden, "allow_prompt_override")
	r = h.upload(t, testKey, id, strings.Repeat("x", 8<<10+1))
	requireError(t, r, http.StatusBadRequest, CodeValidation, "systemPrompt: is 8193 bytes; the limit is 8192")
}

func (h *harness) newCallWith(t *testing.T, cred string) string {
	t.Helper()
	r := h.send(t, "POST", "/api/v1/calls", cred, `{"callerNumber":"01012345678"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	return r.data("call", "id").(string)
}

// upload posts a tiny WAV to conversation/process with a system prompt.
func (h *harness) upload(t *testing.T, cred, callID, prompt string) response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("callId", callID))
	require.NoError(t, mw.WriteField("systemPrompt", prompt))
	fw, err := mw.CreateFormFile("audio", "a.wav")
	require.NoError(t, err)
	_, err = fw.Write(make([]byte, 64))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/api/v1/calls/conversation/process", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+cred)
	res, err := h.app.Test(req, 10_000)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

func TestEncodedBodiesAreRefused(t *testing.T) {
	h := newHarness(t)
	body := []byte(`{"callerNumber":"01012345678"}`)
	var gz, fl bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(body)
	_ = zw.Close()
	fw, _ := flate.NewWriter(&fl, flate.BestCompression)
	_, _ = fw.Write(body)
	_ = fw.Close()
	for enc, b := range map[string][]byte{"gzip": gz.Bytes(), "deflate": fl.Bytes(), "br": {0x0b, 0x02, 0x80}, "x-unknown": body} {
		t.Run(enc, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/calls", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Content-Encoding", enc)
			res, err := h.app.Test(req, 10_000)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var out response
			out.Status = res.StatusCode
			require.NoError(t, json.Unmarshal(raw, &out.Body))
			requireError(t, out, http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "send the request body uncompressed")
		})
	}
	require.Zero(t, h.countCalls(t))
	// identity is no encoding at all.
	req := httptest.NewRequest("POST", "/api/v1/calls", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "identity")
	res, err := h.app.Test(req, 10_000)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode)
}

// serve runs the app on a real loopback listener (app.Test cannot show
// what fasthttp does before a handler) and returns its address.
func (h *harness) serve(t *testing.T, wrap func(net.Listener) net.Listener) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if wrap != nil {
		ln = wrap(ln)
	}
	go func() { _ = h.app.Listener(ln) }()
	t.Cleanup(func() { _ = h.app.Shutdown() })
	return ln.Addr().String()
}

// TestBodyLimitBeforeReading announces a 25 MiB body to a JSON route and
// sends none of it: the 413 comes back at once, so the runtime never waited
// for (or buffered) the body.
func TestBodyLimitBeforeReading(t *testing.T) {
	h := newHarness(t)
	addr := h.serve(t, nil)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 25<<20)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	var out response
	out.Status = res.StatusCode
	raw, _ := io.ReadAll(res.Body)
	require.NoError(t, json.Unmarshal(raw, &out.Body))
	requireError(t, out, http.StatusRequestEntityTooLarge, CodeTooLarge, "too large")

	// The upload route takes its own, larger limit.
	conn2, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn2.Close()
	_, err = fmt.Fprintf(conn2, "POST /api/v1/calls/conversation/process HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", 1<<20)
	require.NoError(t, err)
	require.NoError(t, conn2.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = conn2.Read(make([]byte, 1))
	var ne net.Error
	require.ErrorAs(t, err, &ne, "a 1 MiB upload is waited for, not refused")
	require.True(t, ne.Timeout())
}

func TestClientIP(t *testing.T) {
	p := proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	a := netip.MustParseAddr
	for _, tc := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy header", "203.0.113.7", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7", []string{"1.2.3.4"}, "203.0.113.7"},
		{"trusted proxy", "10.0.0.2", []string{"198.51.100.9"}, "198.51.100.9"},
		{"client-written entries left of the real one are ignored", "10.0.0.2", []string{"1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"a chain of trusted proxies", "127.0.0.1", []string{"198.51.100.9, 10.1.1.1", "10.2.2.2"}, "198.51.100.9"},
		{"garbage stops at the last vouched address", "10.0.0.2", []string{"evil, 10.3.3.3"}, "10.3.3.3"},
		{"mapped IPv4", "::ffff:10.0.0.2", []string{"198.51.100.9"}, "198.51.100.9"},
		{"only trusted hops", "10.0.0.2", []string{"10.9.9.9"}, "10.9.9.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, a(tc.want), p.client(a(tc.remote), tc.xff))
		})
	}
	require.Equal(t, a("10.0.0.2"), proxies(nil).client(a("10.0.0.2"), []string{"1.2.3.4"}))
}

func TestRateLimitUsesTrustedClientIP(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.HTTP.RateLimit = 2; c.HTTP.TrustedProxies = "0.0.0.0/0" })
	get := func(xff string) int {
		req := httptest.NewRequest("GET", "/api/v1/calls/config", nil)
		req.Header.Set("X-Forwarded-For", xff)
		res, err := h.app.Test(req, 10_000)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, 200, get("198.51.100.1"))
	require.Equal(t, 200, get("198.51.100.1"))
	require.Equal(t, 429, get("198.51.100.1"))
	require.Equal(t, 200, get("198.51.100.2"), "another client behind the proxy has its own budget")
}

// socketMount stands in for the signaling server: it answers every
// Engine.IO request with 200.
type socketMount struct{}

func (socketMount) Mount(app *fiber.App) {
	app.Use("/socket.io/", func(c *fiber.Ctx) error { return c.SendString("ok") })
}

func TestSocketIOHandshakesCountAgainstRateLimit(t *testing.T) {
	h := newGuardedHarness(t, nil, socketMount{}, nil, func(c *config.Config) { c.HTTP.RateLimit = 3 })
	status := func(path string) int {
		res, err := h.app.Test(httptest.NewRequest("GET", path, nil), 10_000)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	for range 3 {
		require.Equal(t, 200, status("/socket.io/?EIO=4&transport=polling"))
	}
	require.Equal(t, 429, status("/socket.io/?EIO=4&transport=polling"), "a fourth new connection in a minute")
	require.Equal(t, 200, status("/socket.io/?EIO=4&transport=polling&sid=abc"), "an established connection's polls are not counted")
	require.Equal(t, 429, status("/api/v1/calls/config"), "REST shares the budget")
}

func TestLimitConns(t *testing.T) {
	h := newHarness(t)
	addr := h.serve(t, func(ln net.Listener) net.Listener { return LimitConns(ln, 2, nil, true) })
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	health := func(c net.Conn) int {
		_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	a, b := dial(), dial()
	require.Equal(t, 200, health(a))
	require.Equal(t, 200, health(b))
	over := dial()
	require.NoError(t, over.SetReadDeadline(time.Now().Add(5*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(over), nil)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	require.Contains(t, string(raw), CodeTooManyConns)

	require.NoError(t, a.Close())
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		defer c.Close()
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		return err == nil && res.StatusCode == 200
	}, 5*time.Second, 50*time.Millisecond, "a closed connection gives its place back")

	// A trusted proxy is not counted.
	h2 := newHarness(t)
	addr2 := h2.serve(t, func(ln net.Listener) net.Listener {
		return LimitConns(ln, 1, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, true)
	})
	for range 3 {
		c, err := net.Dial("tcp", addr2)
		require.NoError(t, err)
		defer c.Close()
		require.Equal(t, 200, health(c))
	}
}

func TestSwaggerHasCSP(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, "GET", "/api/docs", "", nil)
	require.Equal(t, 200, r.Status)
	csp := r.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Contains(t, csp, "script-src 'self' 'sha256-")
	require.NotContains(t, strings.Split(strings.Split(csp, "script-src")[1], ";")[0], "unsafe-inline", "scripts are not allowed inline wholesale")
	require.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
}
