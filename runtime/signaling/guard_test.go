package signaling

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestReservedPeerID(t *testing.T) {
	for id, want := range map[string]bool{
		"agent": true, "Agent": true, "AGENT": true, " agent ": true, "agent\t": true,
		"agent-1": false, "client-peer": false, "agents": false, "my agent": false,
	} {
		if got := reservedPeerID(id); got != want {
			t.Errorf("reservedPeerID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestParseJoin(t *testing.T) {
	base := func(extra map[string]any) []any {
		m := map[string]any{"sessionId": "s", "peerId": "p"}
		for k, v := range extra {
			m[k] = v
		}
		return []any{m}
	}
	m, err := parseMessage("join-session", base(map[string]any{"token": "t", "resumeToken": "r", "observer": true}))
	if err != nil || m.Token != "t" || m.Resume != "r" || !m.Observer {
		t.Fatalf("got %+v, %v", m, err)
	}
	m, err = parseMessage("join-session", base(map[string]any{"token": nil, "observer": nil}))
	if err != nil || m.Token != "" || m.Observer {
		t.Fatalf("nulls: got %+v, %v", m, err)
	}
	for _, bad := range []map[string]any{
		{"token": 12.0},
		{"resumeToken": map[string]any{}},
		{"observer": "yes"},
		{"token": string(make([]byte, maxCredentialLen+1))},
	} {
		if _, err := parseMessage("join-session", base(bad)); err == nil || err.Code != CodeInvalidPayload {
			t.Errorf("%v: err = %v, want %s", bad, err, CodeInvalidPayload)
		}
	}
}

func TestAudioRateChanges(t *testing.T) {
	t0 := time.Unix(1000, 0)
	p := &peer{}
	steps := []struct {
		rate int
		at   time.Duration
		ok   bool
	}{
		{16000, 0, true},
		{16000, 10 * time.Millisecond, true},
		{48000, 20 * time.Millisecond, true},            // the first change
		{16000, 500 * time.Millisecond, false},          // a second within a second
		{48000, 600 * time.Millisecond, true},           // unchanged
		{8000, 20*time.Millisecond + time.Second, true}, // a second after the last change
		{44100, 20*time.Millisecond + 1500*time.Millisecond, false},
	}
	for i, s := range steps {
		err := p.checkAudioRate(s.rate, t0.Add(s.at))
		if (err == nil) != s.ok {
			t.Fatalf("step %d (%d Hz at %v): err = %v, want ok=%v", i, s.rate, s.at, err, s.ok)
		}
		if err != nil && err.Code != CodeSampleRate {
			t.Errorf("step %d: code %s", i, err.Code)
		}
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	if newLimiter(0, 0, 1024, t0) != nil {
		t.Fatal("a limiter with both limits off")
	}
	// 10 events/s: a burst of 20, then one every 100 ms.
	l := newLimiter(10, 0, 1024, t0)
	for i := range 20 {
		if ok, _ := l.allow(100, t0); !ok {
			t.Fatalf("event %d of the burst refused", i)
		}
	}
	if ok, _ := l.allow(1, t0.Add(100*time.Millisecond)); !ok {
		t.Fatal("event after 100 ms refused")
	}
	ok, first := l.allow(1, t0.Add(110*time.Millisecond))
	if ok || !first {
		t.Fatalf("event over the rate: ok=%v first=%v", ok, first)
	}
	// Once over, always over (the connection is being closed).
	if ok, first := l.allow(1, t0.Add(time.Hour)); ok || first {
		t.Fatalf("after tripping: ok=%v first=%v", ok, first)
	}

	// 1000 bytes/s: the burst is one largest message (4096 > 2000).
	l = newLimiter(0, 1000, 4096, t0)
	if ok, _ := l.allow(4096, t0); !ok {
		t.Fatal("one largest message refused")
	}
	if ok, _ := l.allow(500, t0.Add(499*time.Millisecond)); ok {
		t.Fatal("500 bytes after 499 ms allowed")
	}
	l = newLimiter(0, 1000, 10, t0)
	for i := range 40 { // 1000 bytes/s for 4 s, at 100 bytes each 100 ms
		if ok, _ := l.allow(100, t0.Add(time.Duration(i)*100*time.Millisecond)); !ok {
			t.Fatalf("steady 1000 bytes/s refused at %d", i)
		}
	}
}

func TestOriginAllowed(t *testing.T) {
	var o options
	WithAllowedOrigins([]string{" https://Call.Example.com/ ", "http://localhost:3000"})(&o)
	s := &Server{opts: o}
	for origin, want := range map[string]bool{
		"":                         true, // not a browser
		"https://call.example.com": true,
		"HTTPS://CALL.EXAMPLE.COM": true,
		"http://localhost:3000":    true,
		"http://call.example.com":  false,
		"https://evil.example":     false,
		"null":                     false,
	} {
		if got := s.originAllowed(origin); got != want {
			t.Errorf("originAllowed(%q) = %v, want %v", origin, got, want)
		}
	}
	for _, list := range [][]string{nil, {}, {"https://a.example", "*"}} {
		var o options
		WithAllowedOrigins(list)(&o)
		if s := (&Server{opts: o}); !s.originAllowed("https://evil.example") {
			t.Errorf("%q refused an origin", list)
		}
	}
}

func TestAdmitInKeyMode(t *testing.T) {
	s := &Server{opts: options{gate: fakeGate{}}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sess := Session{CallID: "c", Live: true, Agent: true, TokenID: "tok-s1"}
	tests := []struct {
		name string
		cred string
		obs  bool
		code string
	}{
		{"key as caller", "key", false, ""},
		{"key as observer", "key", true, ""},
		{"its call token", "token:s1", false, ""},
		{"its call token as observer", "token:s1", true, CodeForbidden},
		{"another call's token", "token:s2", false, CodeForbidden},
		{"wrong credential", "nope", false, CodeUnauthorized},
		{"gate failure", "explode", false, CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.opts.gate.Identify(tt.cred)
			var e *Error
			if err != nil {
				e = s.credentialError(err)
			} else {
				e = s.admit(id, sess, message{Observer: tt.obs})
			}
			switch {
			case tt.code == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case tt.code != "" && (e == nil || e.Code != tt.code):
				t.Fatalf("got %v, want %s", e, tt.code)
			}
		})
	}
	// A session created in open mode or by a key holder has no token id:
	// no call token joins it.
	if e := s.admit(Identity{TokenID: ""}, Session{CallID: "c", Live: true}, message{}); e == nil || e.Code != CodeForbidden {
		t.Errorf("empty token id joined: %v", e)
	}
}
