// Package browser runs the original system's browser example client,
// unchanged but for where it loads socket.io-client from, in headless Debian
// Chromium against a freshly built parley runtime, and checks that the call
// connects over WebRTC and the agent's greeting is heard. See README.md.
package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	chromiumPath = "/usr/bin/chromium"
	pageFile     = "original-client.html"
	// seedReadme is the original project's README, present beside the
	// repository on the machines it was ported on (not in CI clones).
	seedReadme = "../../../shared/seed/original-readme.ko.md"
	cdnScript  = `<script src="https://cdn.socket.io/4.5.4/socket.io.min.js"></script>`
	ourScript  = `<script src="http://localhost:3000/socket.io/socket.io.js"></script>`
)

// TestPageIsTheOriginal checks original-client.html is the README's example
// byte for byte except the one socket.io <script> line.
func TestPageIsTheOriginal(t *testing.T) {
	readme, err := os.ReadFile(seedReadme)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present (only beside the porting workspace)", seedReadme)
	}
	if err != nil {
		t.Fatal(err)
	}
	block, err := exampleBlock(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(block, cdnScript); n != 1 {
		t.Fatalf("the README example has %d CDN socket.io script lines, want 1", n)
	}
	page, err := os.ReadFile(pageFile)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(block, cdnScript, ourScript, 1)
	if string(page) != want {
		t.Fatalf("%s differs from the README example with the one script line replaced;\nwant:\n%s", pageFile, want)
	}
}

// exampleBlock returns the ```html code block under the README's
// "HTML + JavaScript 예제" heading, without the fences.
func exampleBlock(readme string) (string, error) {
	const heading = "### HTML + JavaScript 예제\n"
	i := strings.Index(readme, heading)
	if i < 0 {
		return "", errors.New("README has no \"HTML + JavaScript 예제\" section")
	}
	rest := readme[i+len(heading):]
	const open = "```html\n"
	j := strings.Index(rest, open)
	if j < 0 {
		return "", errors.New("no ```html block after the heading")
	}
	rest = rest[j+len(open):]
	k := strings.Index(rest, "\n```\n")
	if k < 0 {
		return "", errors.New("unterminated ```html block")
	}
	return rest[:k+1], nil
}

// callResult is what call.mjs prints (the fields the test reads).
type callResult struct {
	OK              bool     `json:"ok"`
	Phase           string   `json:"phase"`
	Error           string   `json:"error"`
	BrowserVersion  string   `json:"browserVersion"`
	SocketIOLoaded  bool     `json:"socketIOLoaded"`
	SocketConnected bool     `json:"socketConnected"`
	Transport       string   `json:"transport"`
	CallID          string   `json:"callId"`
	SessionID       string   `json:"sessionId"`
	GreetingHeard   bool     `json:"greetingHeard"`
	PageErrors      []string `json:"pageErrors"`
	Console         []string `json:"console"`
	Audio           struct {
		Envelope      []float64 `json:"envelope"`
		MaxRMS        float64   `json:"maxRms"`
		MeanRMS       float64   `json:"meanRms"`
		AudibleMs     int       `json:"audibleMs"`
		LongestSpanMs int       `json:"longestSpanMs"`
	} `json:"audio"`
	RTC struct {
		ConnectionState string `json:"connectionState"`
		Inbound         struct {
			PacketsReceived int `json:"packetsReceived"`
		} `json:"inbound"`
	} `json:"rtc"`
	AfterEnd struct {
		ConnectionState string `json:"connectionState"`
		SocketConnected bool   `json:"socketConnected"`
	} `json:"afterEnd"`
	Timings map[string]int `json:"timings"`
}

// TestOriginalClientCall is the whole call: the page's startCall button,
// WebRTC to the runtime's agent peer, the greeting played into the page's
// <audio>, then endCall.
func TestOriginalClientCall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runtime and drives Chromium")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is missing: apt-get install chromium (the Makefile's APT_PACKAGES has it)", chromiumPath)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	begin := time.Now()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	npmCI(t, here)

	dir := t.TempDir()
	buildRuntime(t, dir)
	wav := speechWAV(t, dir)
	t.Logf("prepared in %v", time.Since(begin).Round(time.Millisecond))

	rt := startRuntime(t, filepath.Join(dir, "parley"), filepath.Join(here, "..", "..", "agents"))

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "call.mjs", "--port", fmt.Sprint(rt.port), "--wav", wav, "--hold", "--timeout", "40000")
	cmd.Dir = here
	// On timeout, SIGTERM: playwright closes Chromium on it. (Chromium also
	// exits by itself when node dies: it is driven over a pipe.)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stderr := &logBuffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	callStart := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 0, 1<<20), 16<<20)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\nnode stderr:\n%s\nruntime log (tail):\n%s", fmt.Sprintf(format, args...), stderr.tail(40), rt.logs.tail(60))
	}

	// call.mjs prints {"event":"greeted"} after the greeting and waits;
	// meanwhile the call must be IN_PROGRESS on the server.
	if !lines.Scan() {
		fail("call.mjs printed nothing (%v)", lines.Err())
	}
	var greeted struct {
		Event  string `json:"event"`
		CallID string `json:"callId"`
	}
	if err := json.Unmarshal(lines.Bytes(), &greeted); err != nil {
		fail("call.mjs: %v: %s", err, lines.Bytes())
	}
	if greeted.Event != "greeted" {
		// It failed before the greeting and printed its result instead.
		_ = cmd.Wait()
		fail("the call did not get to the greeting: %s", lines.Bytes())
	}
	midStatus := rt.callStatus(t, greeted.CallID)
	if _, err := io.WriteString(stdin, "end\n"); err != nil {
		fail("write to call.mjs: %v", err)
	}
	if !lines.Scan() {
		_ = cmd.Wait()
		fail("call.mjs printed no result (%v)", lines.Err())
	}
	raw := append([]byte(nil), lines.Bytes()...)
	waitErr := cmd.Wait()
	var res callResult
	if err := json.Unmarshal(raw, &res); err != nil {
		fail("call.mjs result: %v: %s", err, raw)
	}
	t.Logf("browser call took %v: chromium %s, socket.io transport %s, RTC %s, inbound packets %d, remote audio max RMS %.4f mean %.4f audible %d ms (longest span %d ms); timings %v",
		time.Since(callStart).Round(time.Millisecond), res.BrowserVersion, res.Transport, res.RTC.ConnectionState,
		res.RTC.Inbound.PacketsReceived, res.Audio.MaxRMS, res.Audio.MeanRMS, res.Audio.AudibleMs, res.Audio.LongestSpanMs, res.Timings)
	if waitErr != nil || !res.OK {
		fail("call.mjs failed (%v) in phase %s: %s\nresult: %s", waitErr, res.Phase, res.Error, raw)
	}
	switch {
	case !res.SocketIOLoaded:
		fail("socket.io.js did not load from the runtime")
	case !res.SocketConnected:
		fail("the page's socket did not connect to /signaling")
	case res.RTC.ConnectionState != "connected":
		fail("RTCPeerConnection state %q after the greeting, want connected", res.RTC.ConnectionState)
	case !res.GreetingHeard:
		fail("greeting not heard: %s", raw)
	case len(res.PageErrors) > 0:
		fail("page errors: %v", res.PageErrors)
	case res.AfterEnd.ConnectionState != "closed" || res.AfterEnd.SocketConnected:
		fail("after endCall: peer connection %q, socket connected %v", res.AfterEnd.ConnectionState, res.AfterEnd.SocketConnected)
	}
	if midStatus != "IN_PROGRESS" {
		fail("call %s was %s while the greeting played, want IN_PROGRESS", greeted.CallID, midStatus)
	}
	if st := rt.callStatus(t, res.CallID); st != "ENDED" {
		fail("call %s is %s after endCall, want ENDED", res.CallID, st)
	}
	t.Logf("remote audio envelope (max RMS per 100 ms from the track's arrival): %v", res.Audio.Envelope)
	t.Logf("call %s: IN_PROGRESS during the greeting, ENDED after endCall; history: %s", res.CallID, rt.get(t, "/api/v1/calls/"+res.CallID+"/history"))
	t.Logf("whole test %v", time.Since(begin).Round(time.Millisecond))
}

// npmCI installs playwright-core from package-lock.json when it is missing.
// It never downloads a browser: call.mjs uses /usr/bin/chromium.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// buildRuntime builds the runtime as dir/parley and every plugin into
// dir/plugins, the layout `make build` produces, concurrently. The runtime
// gets the race detector when this test has it.
func buildRuntime(t *testing.T, dir string) {
	t.Helper()
	root := filepath.Join("..", "..")
	entries, err := os.ReadDir(filepath.Join(root, "plugins"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []string{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "internal" {
			pkgs = append(pkgs, "./plugins/"+e.Name())
		}
	}
	runtimeArgs := []string{"build", "-o", filepath.Join(dir, "parley")}
	if raceEnabled {
		runtimeArgs = append(runtimeArgs, "-race")
	}
	builds := [][]string{
		append(runtimeArgs, "./cmd/runtime"),
		// One go build for all plugins: with -o naming a directory, each
		// main package becomes dir/plugins/<its directory name>.
		append([]string{"build", "-o", filepath.Join(dir, "plugins") + string(filepath.Separator)}, pkgs...),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(builds))
	for i, args := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// speechWAV writes the fake microphone's input: leading silence, so the
// caller does not talk over the greeting (which would barge in), then a
// flite-synthesised question. The call only needs the greeting to play.
func speechWAV(t *testing.T, dir string) string {
	t.Helper()
	rate := 16000
	var speech []byte
	if flite, err := exec.LookPath("flite"); err == nil {
		raw := filepath.Join(dir, "flite.wav")
		if out, err := exec.Command(flite, "-voice", "slt", "-t", "hello, where is my order", "-o", raw).CombinedOutput(); err != nil {
			t.Fatalf("flite: %v\n%s", err, out)
		}
		if speech, rate, err = wavPCM(raw); err != nil {
			t.Fatal(err)
		}
	}
	silence := func(seconds int) []byte { return make([]byte, seconds*rate*2) }
	pcm := append(append(silence(6), speech...), silence(1)...)
	path := filepath.Join(dir, "speech.wav")
	if err := os.WriteFile(path, wavFile(pcm, rate), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wavPCM returns the data chunk of a 16-bit mono PCM WAV file and its rate.
func wavPCM(path string) ([]byte, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%s: not a WAV file", path)
	}
	rate, bits, channels := 0, 0, 0
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(p+8+size, len(b))]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, fmt.Errorf("%s: short fmt chunk", path)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
		case "data":
			if bits != 16 || channels != 1 {
				return nil, 0, fmt.Errorf("%s: %d-bit %d-channel, want 16-bit mono", path, bits, channels)
			}
			return body, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, fmt.Errorf("%s: no data chunk", path)
}

// wavFile wraps 16-bit mono PCM in a WAV header.
func wavFile(pcm []byte, rate int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+len(pcm)))
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, le, uint32(16))
	_ = binary.Write(&b, le, uint16(1)) // PCM
	_ = binary.Write(&b, le, uint16(1)) // mono
	_ = binary.Write(&b, le, uint32(rate))
	_ = binary.Write(&b, le, uint32(rate*2))
	_ = binary.Write(&b, le, uint16(2))
	_ = binary.Write(&b, le, uint16(16))
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(len(pcm)))
	b.Write(pcm)
	return b.Bytes()
}

// runtimeProc is the runtime under test.
type runtimeProc struct {
	port int
	base string
	logs *logBuffer
}

func startRuntime(t *testing.T, bin, agents string) *runtimeProc {
	t.Helper()
	agents, err := filepath.Abs(agents)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir() // no .env from the developer's tree
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		fmt.Sprintf("PORT=%d", port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR=" + t.TempDir(),
		"PARLEY_AGENTS_DIR=" + agents,
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_LOG_FORMAT=json",
		"PARLEY_LOG_LEVEL=debug",
	}
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// SIGTERM lets the runtime stop its plugins; SIGKILL if it hangs.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	rt := &runtimeProc{port: port, base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(rt.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return rt
			}
		}
		select {
		case <-exited:
			t.Fatalf("runtime exited before it was ready; log:\n%s", logs.tail(60))
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("runtime not ready after 20 s; log:\n%s", logs.tail(60))
		}
	}
}

func (rt *runtimeProc) get(t *testing.T, path string) string {
	t.Helper()
	res, err := http.Get(rt.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, res.Status, b)
	}
	return string(b)
}

func (rt *runtimeProc) callStatus(t *testing.T, id string) string {
	t.Helper()
	var body struct {
		Data struct {
			Call struct {
				Status string `json:"status"`
			} `json:"call"`
		} `json:"data"`
	}
	raw := rt.get(t, "/api/v1/calls/"+id)
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatalf("GET call %s: %v: %s", id, err, raw)
	}
	return body.Data.Call.Status
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// logBuffer collects the runtime's output while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.b.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
