package security

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
)

const httpKey = "security-test-key-0123456789abcdef"

// TestHTTP builds the runtime once for the HTTP attacks below.
func TestHTTP(t *testing.T) {
	bin := e2e.BuildDefault(t)
	t.Run("routes in each mode", func(t *testing.T) { testRoutesInEachMode(t, bin) })
	t.Run("call token from the command line", func(t *testing.T) { testCallTokenFromTheCommandLine(t, bin) })
	t.Run("compression bombs", func(t *testing.T) { testCompressionBombs(t, bin) })
	t.Run("huge body to a JSON route", func(t *testing.T) { testHugeBodyToJSONRoute(t, bin) })
	t.Run("idle connection flood", func(t *testing.T) { testIdleConnectionFlood(t, bin) })
	t.Run("TLS", func(t *testing.T) { testTLS(t, bin) })
}

type httpReply struct {
	Status int
	Header http.Header
	Body   []byte
	Code   string // error.code of the envelope, if any
}

func request(t *testing.T, client *http.Client, method, url, cred, contentType string, body io.Reader, header ...string) httpReply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var env struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(raw, &env)
	return httpReply{Status: res.StatusCode, Header: res.Header, Body: raw, Code: env.Error.Code}
}

// routes are every route of the REST API with a request that reaches its
// handler (ids of calls that do not exist: the handler's 404 proves the
// request was let through).
var routes = []struct{ method, path, body string }{
	{"GET", "/api/v1/calls/config", ""},
	{"POST", "/api/v1/calls", `{"callerNumber":"01012345678"}`},
	{"GET", "/api/v1/calls", ""},
	{"GET", "/api/v1/calls/550e8400-e29b-41d4-a716-446655440000", ""},
	{"POST", "/api/v1/calls/550e8400-e29b-41d4-a716-446655440000/connect", ""},
	{"POST", "/api/v1/calls/550e8400-e29b-41d4-a716-446655440000/end", ""},
	{"GET", "/api/v1/calls/550e8400-e29b-41d4-a716-446655440000/history", ""},
	{"POST", "/api/v1/calls/conversation/process", ""},
	{"GET", "/api/v1/agents", ""},
	{"GET", "/api/v1/plugins", ""},
	{"POST", "/api/v1/tokens", `{}`},
	{"GET", "/metrics", ""},
	{"GET", "/api/docs", ""},
	{"GET", "/api/docs/swagger-ui.css", ""},
	{"GET", "/api/docs-json", ""},
}

// public answer in key mode without a credential.
var public = []string{"/healthz", "/readyz", "/", "/index.html", "/app.js", "/style.css", "/socket.io/socket.io.js"}

func testRoutesInEachMode(t *testing.T, bin string) {
	t.Run("open", func(t *testing.T) {
		rt := e2e.Start(t, bin)
		for _, r := range routes {
			got := request(t, nil, r.method, rt.Base+r.path, "", "application/json", strings.NewReader(r.body))
			require.NotContains(t, []int{401, 403}, got.Status, "%s %s: %s", r.method, r.path, got.Body)
		}
		require.NotContains(t, rt.Logs.String(), "OPEN MODE ON A NETWORK ADDRESS", "listening on 127.0.0.1 is not exposed")
	})
	t.Run("key", func(t *testing.T) {
		rt := e2e.Start(t, bin, "PARLEY_API_KEYS=other-key-aaaaaaaaaaaaaaaa,"+httpKey)
		for _, r := range routes {
			for _, cred := range []string{"", httpKey + "x", "pt1.forged.token"} {
				got := request(t, nil, r.method, rt.Base+r.path, cred, "application/json", strings.NewReader(r.body))
				require.Equal(t, http.StatusUnauthorized, got.Status, "%s %s with %q: %s", r.method, r.path, cred, got.Body)
				require.Equal(t, "UNAUTHORIZED", got.Code)
			}
			got := request(t, nil, r.method, rt.Base+r.path, httpKey, "application/json", strings.NewReader(r.body))
			require.NotContains(t, []int{401, 403}, got.Status, "%s %s with the key: %s", r.method, r.path, got.Body)
		}
		for _, p := range public {
			got := request(t, nil, "GET", rt.Base+p, "", "", nil)
			require.Equal(t, http.StatusOK, got.Status, "%s is public: %s", p, got.Body)
		}
		require.NotContains(t, rt.Logs.String(), httpKey, "keys are never logged")
		require.NotContains(t, rt.Logs.String(), "other-key-aaaaaaaaaaaaaaaa", "keys are never logged")
		require.Contains(t, rt.Logs.String(), `"key_mode":true`)
	})
	t.Run("open on every interface warns", func(t *testing.T) {
		rt := e2e.Start(t, bin, "PARLEY_HOST=")
		require.Contains(t, rt.Logs.String(), "OPEN MODE ON A NETWORK ADDRESS")
		require.Contains(t, rt.Logs.String(), "PARLEY_API_KEYS")
	})
}

// testCallTokenFromTheCommandLine mints a token with `parley token` (same
// data directory, so the same generated secret) and places its one call.
func testCallTokenFromTheCommandLine(t *testing.T, bin string) {
	data := t.TempDir()
	rt := e2e.Start(t, bin, "PARLEY_API_KEYS="+httpKey, "PARLEY_DATA_DIR="+data)
	cmd := exec.Command(bin, "token", "--agent", "default", "--ttl", "5m", "--url", rt.Base)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PARLEY_DATA_DIR=" + data, "PARLEY_AGENTS_DIR=" + filepath.Join(e2e.Root(t), "agents")}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	tok := strings.SplitN(string(out), "\n", 2)[0]
	require.True(t, strings.HasPrefix(tok, "pt1."), "%s", out)
	require.Contains(t, string(out), rt.Base+"/#token="+tok)

	cfg := request(t, nil, "GET", rt.Base+"/api/v1/calls/config", tok, "", nil)
	require.Equal(t, http.StatusOK, cfg.Status, "%s", cfg.Body)
	created := request(t, nil, "POST", rt.Base+"/api/v1/calls", tok, "application/json", strings.NewReader(`{"callerNumber":"01012345678"}`))
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	again := request(t, nil, "POST", rt.Base+"/api/v1/calls", tok, "application/json", strings.NewReader(`{"callerNumber":"01012345678"}`))
	require.Equal(t, http.StatusConflict, again.Status)
	require.Equal(t, "TOKEN_USED", again.Code)
	for _, r := range routes[2:] {
		got := request(t, nil, r.method, rt.Base+r.path, tok, "application/json", strings.NewReader(r.body))
		require.Equal(t, http.StatusForbidden, got.Status, "%s %s with a token: %s", r.method, r.path, got.Body)
	}

	// A token minted with another secret is refused.
	other := exec.Command(bin, "token")
	other.Env = []string{"PATH=" + os.Getenv("PATH"), "PARLEY_DATA_DIR=" + t.TempDir(), "PARLEY_AGENTS_DIR=" + filepath.Join(e2e.Root(t), "agents")}
	out, err = other.CombinedOutput()
	require.NoError(t, err, "%s", out)
	forged := strings.SplitN(string(out), "\n", 2)[0]
	got := request(t, nil, "GET", rt.Base+"/api/v1/calls/config", forged, "", nil)
	require.Equal(t, http.StatusUnauthorized, got.Status)

	bad := exec.Command(bin, "token", "--agent", "nobody")
	bad.Env = cmd.Env
	out, err = bad.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), `agent "nobody"`)
}

// bomb returns about 1 MiB of encoded zeros that decode to size bytes.
func bomb(t *testing.T, encoding string, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch encoding {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	case "deflate":
		w, _ = flate.NewWriter(&buf, flate.BestCompression)
	case "br":
		// Zeros compress to almost nothing at any level; the best level
		// takes minutes for 1 GiB.
		w = brotli.NewWriterLevel(&buf, brotli.BestSpeed)
	}
	zeros := make([]byte, 1<<20)
	for n := 0; n < size; n += len(zeros) {
		_, err := w.Write(zeros)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// testCompressionBombs sends gzip, deflate and brotli bodies to a JSON
// route, the upload route and Engine.IO long-polling: small enough to pass
// each route's body limit but decoding to 56 MiB (gzip, deflate) or 1 GiB
// (brotli), and 1 GiB bombs that are over the limits. Each is refused, and
// the runtime's memory grows by less than 50 MB.
func testCompressionBombs(t *testing.T, bin string) {
	rt := e2e.Start(t, bin)
	before := rt.RSS(t)
	for _, enc := range []string{"gzip", "deflate", "br"} {
		big := bomb(t, enc, 1<<30)
		small := big
		if len(big) >= 60<<10 {
			small = bomb(t, enc, 56<<20)
		}
		require.Less(t, len(small), 60<<10, "%s: the small bomb passes the 64 KiB body limit", enc)
		t.Logf("%s bombs: %d and %d bytes encoded", enc, len(small), len(big))

		got := request(t, nil, "POST", rt.Base+"/api/v1/calls", "", "application/json", bytes.NewReader(small), "Content-Encoding", enc)
		require.Equal(t, http.StatusUnsupportedMediaType, got.Status, "%s: %s", enc, got.Body)
		require.Equal(t, "UNSUPPORTED_MEDIA_TYPE", got.Code)
		if len(big) > 64<<10 {
			status, raw := postRaw(t, rt, "/api/v1/calls", big, "Content-Type: application/json", "Content-Encoding: "+enc)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%s: %s", enc, raw)
		}

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, err := mw.CreateFormFile("audio", "a.wav")
		require.NoError(t, err)
		_, _ = fw.Write(big)
		_ = mw.WriteField("callId", "550e8400-e29b-41d4-a716-446655440000")
		require.NoError(t, mw.Close())
		got = request(t, nil, "POST", rt.Base+"/api/v1/calls/conversation/process", "", mw.FormDataContentType(), &form, "Content-Encoding", enc)
		require.Equal(t, http.StatusUnsupportedMediaType, got.Status, "%s upload: %s", enc, got.Body)

		got = request(t, nil, "POST", rt.Base+"/socket.io/?EIO=4&transport=polling", "", "text/plain", bytes.NewReader(small), "Content-Encoding", enc)
		require.Equal(t, http.StatusUnsupportedMediaType, got.Status, "%s polling: %s", enc, got.Body)
	}
	grew := rt.RSS(t) - before
	t.Logf("RSS %d MB -> %d MB", before>>20, (before+grew)>>20)
	require.Less(t, grew, int64(50<<20), "the runtime's memory grew by %d MB", grew>>20)
	require.Equal(t, http.StatusOK, request(t, nil, "GET", rt.Base+"/healthz", "", "", nil).Status)
}

// postRaw sends a POST on its own connection the way a client would,
// writing the body while reading the answer: the runtime may answer (and
// close) before the body is all sent, which Go's HTTP client reports as an
// error instead of the response.
func postRaw(t *testing.T, rt *e2e.Runtime, path string, body []byte, header ...string) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(rt.Base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Length: %d\r\n\r\n", path, strings.Join(header, "\r\n"), len(body))
	require.NoError(t, err)
	go func() { _, _ = conn.Write(body) }()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// testHugeBodyToJSONRoute sends a 25 MiB body to a JSON route: 413, and the
// runtime does not hold it.
func testHugeBodyToJSONRoute(t *testing.T, bin string) {
	rt := e2e.Start(t, bin)
	before := rt.RSS(t)
	status, raw := postRaw(t, rt, "/api/v1/calls", bytes.Repeat([]byte("1"), 25<<20), "Content-Type: application/json")
	require.Equal(t, http.StatusRequestEntityTooLarge, status, "%s", raw)
	require.Contains(t, string(raw), "PAYLOAD_TOO_LARGE")
	grew := rt.RSS(t) - before
	require.Less(t, grew, int64(20<<20), "the runtime's memory grew by %d MB", grew>>20)
}

// testIdleConnectionFlood opens 500 idle connections from one address: the
// runtime keeps at most PARLEY_HTTP_MAX_CONNS_PER_IP (128) of them, answers
// the rest with 429, and goes on serving other addresses.
func testIdleConnectionFlood(t *testing.T, bin string) {
	rt := e2e.Start(t, bin)
	addr := strings.TrimPrefix(rt.Base, "http://")
	before := rt.RSS(t)
	conns := make([]net.Conn, 0, 500)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range 500 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	// The refused ones get a 429 and are closed; the kept ones stay silent.
	statuses := make(chan int, len(conns))
	deadline := time.Now().Add(2 * time.Second)
	for _, c := range conns {
		go func() {
			_ = c.SetReadDeadline(deadline)
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				statuses <- 0
				return
			}
			statuses <- res.StatusCode
		}()
	}
	refused := 0
	for range conns {
		switch s := <-statuses; s {
		case 0:
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("an idle connection got %d", s)
		}
	}
	require.Equal(t, 500-128, refused, "connections over the per-address cap are refused")

	// Another loopback address is its own client.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 2 * time.Second}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
	require.Equal(t, http.StatusOK, request(t, client, "GET", rt.Base+"/healthz", "", "", nil).Status)
	grew := rt.RSS(t) - before
	require.Less(t, grew, int64(50<<20), "500 idle connections grew the runtime by %d MB", grew>>20)

	for _, c := range conns {
		_ = c.Close()
	}
	conns = conns[:0]
	require.Eventually(t, func() bool {
		res, err := (&http.Client{Timeout: time.Second}).Get(rt.Base + "/healthz")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond, "closed connections give their places back")
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parley test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// testTLS serves HTTPS and WSS directly: the REST API answers over TLS with
// the configured certificate, and the Socket.IO websocket upgrades over it.
func testTLS(t *testing.T, bin string) {
	cert, key, pool := selfSigned(t)
	rt := e2e.Start(t, bin, "PARLEY_TLS_CERT_FILE="+cert, "PARLEY_TLS_KEY_FILE="+key)
	require.True(t, strings.HasPrefix(rt.Base, "https://"))
	tlsConf := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConf}}
	got := request(t, client, "GET", rt.Base+"/api/v1/calls/config", "", "", nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)

	// A plain-HTTP request to the TLS port gets no API.
	res, err := http.Get(strings.Replace(rt.Base, "https://", "http://", 1) + "/healthz")
	if err == nil {
		_ = res.Body.Close()
		require.NotEqual(t, http.StatusOK, res.StatusCode)
	}

	// WSS: an Engine.IO websocket upgrade over TLS.
	conn, err := tls.Dial("tcp", strings.TrimPrefix(rt.Base, "https://"), tlsConf)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
		"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	up, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, up.StatusCode)
	require.Equal(t, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", up.Header.Get("Sec-WebSocket-Accept"))
}
