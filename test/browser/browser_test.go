// Package browser runs the original system's browser example client,
// unchanged but for where it loads socket.io-client from, in headless Debian
// Chromium against a freshly built parley runtime, and checks that the call
// connects over WebRTC and the agent's greeting is heard. See README.md.
package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/e2e"
)

const (
	pageFile = "original-client.html"
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
	e2e.Chromium(t)
	node := e2e.Node(t)
	begin := time.Now()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	e2e.NPMCI(t, here)

	dir := e2e.BuildRuntime(t, e2e.Race)
	// The fake microphone: silence, so the caller does not talk over the
	// greeting (which would barge in), then a question when flite is
	// there. The call only needs the greeting to play.
	question := ""
	if _, err := exec.LookPath("flite"); err == nil {
		question = "hello, where is my order"
	}
	wav := e2e.FliteWAV(t, question, 6*time.Second, time.Second)
	t.Logf("prepared in %v", time.Since(begin).Round(time.Millisecond))

	rt := e2e.Start(t, e2e.Binary(dir), "PARLEY_LOG_LEVEL=debug")

	// Chromium also exits by itself when node dies: it is driven over a pipe.
	drv := e2e.StartDriver(t, node, here, 90*time.Second, "call.mjs", "--port", fmt.Sprint(rt.Port), "--wav", wav, "--hold", "--timeout", "40000")
	callStart := time.Now()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\nnode stderr:\n%s\nruntime log (tail):\n%s", fmt.Sprintf(format, args...), drv.Stderr.Tail(40), rt.Logs.Tail(60))
	}

	// call.mjs prints {"event":"greeted"} after the greeting and waits;
	// meanwhile the call must be IN_PROGRESS on the server.
	if !drv.Lines.Scan() {
		fail("call.mjs printed nothing (%v)", drv.Lines.Err())
	}
	var greeted struct {
		Event  string `json:"event"`
		CallID string `json:"callId"`
	}
	if err := json.Unmarshal(drv.Lines.Bytes(), &greeted); err != nil {
		fail("call.mjs: %v: %s", err, drv.Lines.Bytes())
	}
	if greeted.Event != "greeted" {
		// It failed before the greeting and printed its result instead.
		_ = drv.Wait()
		fail("the call did not get to the greeting: %s", drv.Lines.Bytes())
	}
	midStatus := callStatus(t, rt, greeted.CallID)
	if _, err := io.WriteString(drv.Stdin, "end\n"); err != nil {
		fail("write to call.mjs: %v", err)
	}
	if !drv.Lines.Scan() {
		_ = drv.Wait()
		fail("call.mjs printed no result (%v)", drv.Lines.Err())
	}
	raw := append([]byte(nil), drv.Lines.Bytes()...)
	waitErr := drv.Wait()
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
	if st := callStatus(t, rt, res.CallID); st != "ENDED" {
		fail("call %s is %s after endCall, want ENDED", res.CallID, st)
	}
	t.Logf("remote audio envelope (max RMS per 100 ms from the track's arrival): %v", res.Audio.Envelope)
	t.Logf("call %s: IN_PROGRESS during the greeting, ENDED after endCall; history: %s", res.CallID, rt.Get(t, "/api/v1/calls/"+res.CallID+"/history"))
	t.Logf("whole test %v", time.Since(begin).Round(time.Millisecond))
}

// callStatus is the call's status through the REST API.
func callStatus(t *testing.T, rt *e2e.Runtime, id string) string {
	t.Helper()
	var body struct {
		Data struct {
			Call struct {
				Status string `json:"status"`
			} `json:"call"`
		} `json:"data"`
	}
	raw := rt.Get(t, "/api/v1/calls/"+id)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("GET call %s: %v: %s", id, err, raw)
	}
	return body.Data.Call.Status
}
