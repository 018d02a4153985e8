// Package cluster_test runs parley as three instances behind a load
// balancer, all on loopback: Debian's PostgreSQL (internal/pgtest), NATS
// (internal/bustest) and HAProxy with the shipped configuration
// (internal/lbtest, deploy/haproxy/haproxy.cfg), and three built runtimes
// sharing them. Calls are made through the load balancer and joined
// through another instance than the one holding them, their signaling
// carried by the official socket.io-client (e2e.Bridge) and their media by
// Pion peers in the test; one instance is
// SIGKILLed mid-call; then every instance is restarted in turn with a
// drain.
package cluster_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/internal/lbtest"
	"github.com/parleyhq/parley/internal/pgtest"
)

// lease is the instances' lease: how long a SIGKILLed instance's calls
// stay live (plus a third of it, the survivors' sweep interval).
const lease = 3 * time.Second

// cluster is the three instances, their load balancer and what they share.
type cluster struct {
	t     *testing.T
	pg    *pgtest.Server
	nats  *bustest.Server
	bin   string
	env   []string // every instance's: database, bus, lease
	nodes [3]*node
	lb    *lbtest.LB
	// via carries the agent calls' signaling: the official client.
	via *e2e.Bridge
}

// node is one instance; its port and data directory outlive a restart.
type node struct {
	rt   *e2e.Runtime
	port int
	data string
}

func newCluster(t *testing.T) *cluster {
	if testing.Short() {
		t.Skip("builds the runtime and starts PostgreSQL, NATS, HAProxy and three instances")
	}
	c := &cluster{t: t, bin: e2e.BuildDefault(t)}
	c.pg, c.nats = pgtest.Start(t), bustest.NATS(t)
	c.env = []string{
		"PARLEY_DATABASE_URL=" + c.pg.NewDatabase(t), "PARLEY_BUS_URL=" + c.nats.URL,
		"PARLEY_INSTANCE_LEASE=" + lease.String(), "PARLEY_TRUSTED_PROXIES=127.0.0.1",
		"PARLEY_DRAIN_TIMEOUT=60s",
	}
	var bases [3]string
	for i := range c.nodes {
		c.nodes[i] = &node{port: e2e.FreePort(t), data: t.TempDir()}
		c.start(i)
		bases[i] = c.nodes[i].rt.Base
	}
	c.lb = lbtest.Start(t, bases)
	c.via = e2e.StartBridge(t, 15*time.Minute)
	c.waitRouted(0, 1, 2)
	return c
}

// start starts (or starts again) instance i on its port and data
// directory, as lbtest.Server(i).
func (c *cluster) start(i int) {
	n := c.nodes[i]
	n.rt = e2e.StartWith(c.t, c.bin, e2e.RuntimeOptions{
		Port: n.port, DataDir: n.data,
		Env: append(slices.Clone(c.env), "PARLEY_INSTANCE_ID="+lbtest.Server(i)),
	})
}

// index returns which instance id is, failing the test for another.
func (c *cluster) index(id any) int {
	for i := range c.nodes {
		if id == lbtest.Server(i) {
			return i
		}
	}
	c.t.Fatalf("instance %v is none of the cluster's", id)
	return -1
}

// api sends a REST request through the load balancer; to >= 0 sends it to
// that instance (its stickiness cookie), else wherever it balances it.
func (c *cluster) api(to int, method, path, body string) map[string]any {
	c.t.Helper()
	var h http.Header
	if to >= 0 {
		h = lbtest.To(to)
	}
	return e2e.API(c.t, c.lb.Base, h, method, path, body)
}

// get returns call id as the API shows it, through any instance.
func (c *cluster) get(id string) map[string]any {
	c.t.Helper()
	return c.api(-1, http.MethodGet, "/api/v1/calls/"+id, "")["call"].(map[string]any)
}

// waitRouted waits until the load balancer's round robin reaches every
// instance in want, and only those, each of them ready (its health checks
// have marked them up).
func (c *cluster) waitRouted(want ...int) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		seen := map[int]bool{}
		all := true // every answer a 200 from an instance
		for range 12 {
			resp, err := http.Get(c.lb.Base + "/readyz")
			if err != nil {
				all = false
				continue
			}
			_ = resp.Body.Close()
			from := -1
			for _, ck := range resp.Cookies() {
				if ck.Name == lbtest.Cookie {
					from = c.index(ck.Value)
				}
			}
			if resp.StatusCode != http.StatusOK || from < 0 {
				all = false
				continue
			}
			seen[from] = true
		}
		if all && len(seen) == len(want) && !slices.ContainsFunc(want, func(i int) bool { return !seen[i] }) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the load balancer routes to %v (all ready: %v), want %v", seen, all, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// agentCall is a call to the default agent made through the load
// balancer: created wherever it balanced the POST (owner), joined and
// connected through edge by the official socket.io-client.
type agentCall struct {
	id, session string
	owner, edge int
	caller      *e2e.Caller
}

// dial creates a call (on instance create, or wherever the load balancer
// puts it when create < 0), then joins it, sends the offer and connects
// the media through edgeFor(owner): the official socket.io-client signals
// as the original example client does, for a loopback Pion peer.
func (c *cluster) dial(create int, edgeFor func(owner int) int) *agentCall {
	c.t.Helper()
	made := c.api(create, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678"}`)["call"].(map[string]any)
	a := &agentCall{id: made["id"].(string), session: made["sessionId"].(string), owner: c.index(made["instance"])}
	a.edge = edgeFor(a.owner)
	a.caller = e2e.Dial(c.t, c.lb.Base, a.session, e2e.DialOptions{
		Peer: "caller-" + a.id[:8], Header: lbtest.To(a.edge), Record: []string{"call-status"}, Via: c.via,
	})
	c.api(a.edge, http.MethodPost, "/api/v1/calls/"+a.id+"/connect", "")
	a.caller.WaitConnected(c.t, 20*time.Second)
	// The status the owner broadcasts reaches the socket on the edge.
	a.caller.Events.Wait(c.t, "call-status", 1, func(m map[string]any) bool { return m["status"] == "IN_PROGRESS" }, 20*time.Second)
	return a
}

// end hangs a call up through instance via (it need not hold it) and
// checks that it ENDED and that the caller heard so through its edge.
func (c *cluster) end(a *agentCall, via int) {
	c.t.Helper()
	got := c.api(via, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")["call"].(map[string]any)
	if got["status"] != "ENDED" {
		c.t.Fatalf("call %s after end through %s: %v", a.id, lbtest.Server(via), got)
	}
	a.caller.Events.Wait(c.t, "call-status", 1, func(m map[string]any) bool { return m["status"] == "ENDED" }, 10*time.Second)
}

// waitNoMedia waits until no instance in which has a WebRTC peer
// connected (parley_webrtc_peers_connected): the calls ended where their
// media was.
func (c *cluster) waitNoMedia(which ...int) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for _, i := range which {
		for {
			n := c.metric(i, "parley_webrtc_peers_connected")
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("%s still has %v WebRTC peers connected after its calls ended", lbtest.Server(i), n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// metric returns the value of an unlabelled metric on instance i.
func (c *cluster) metric(i int, name string) float64 {
	c.t.Helper()
	resp, err := http.Get(c.nodes[i].rt.Base + "/metrics")
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				c.t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	c.t.Fatalf("%s has no metric %s", lbtest.Server(i), name)
	return 0
}

// other returns an instance that is neither a nor b.
func other(a, b int) int {
	for i := range 3 {
		if i != a && i != b {
			return i
		}
	}
	return (a + 1) % 3
}

func TestCluster(t *testing.T) {
	c := newCluster(t)

	t.Run("30 calls joined through another instance", func(t *testing.T) {
		owners := map[int]int{}
		for wave := range 5 {
			var calls []*agentCall
			for range 6 {
				a := c.dial(-1, func(owner int) int { return (owner + 1 + wave%2) % 3 })
				if a.edge == a.owner {
					t.Fatalf("call %s joined through its own instance", a.id)
				}
				owners[a.owner]++
				calls = append(calls, a)
			}
			for _, a := range calls {
				c.end(a, other(a.owner, a.edge)) // through the third instance
			}
			c.waitNoMedia(0, 1, 2)
		}
		for i := range c.nodes {
			if owners[i] == 0 {
				t.Fatalf("no call held by %s: %v", lbtest.Server(i), owners)
			}
		}
		t.Logf("calls held per instance: %v; the official client's transports: %v", owners, c.via.Transports())
	})

	t.Run("person-to-person session split over two instances", func(t *testing.T) {
		made := c.api(-1, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","receiverNumber":"01087654321"}`)["call"].(map[string]any)
		owner := c.index(made["instance"])
		dir := filepath.Join(e2e.Root(t), "test", "signaling")
		// Both peers on instances other than the one holding the session.
		e2e.NodeTest(t, dir, []string{
			"CLUSTER_LB_URL=" + c.lb.Base, "CLUSTER_SESSION=" + made["sessionId"].(string),
			"CLUSTER_COOKIE_A=" + lbtest.Cookie + "=" + lbtest.Server((owner+1)%3),
			"CLUSTER_COOKIE_B=" + lbtest.Cookie + "=" + lbtest.Server((owner+2)%3),
		}, "cluster.test.mjs")
		if got := c.api(-1, http.MethodPost, "/api/v1/calls/"+made["id"].(string)+"/end", "")["call"].(map[string]any); got["status"] != "ENDED" {
			t.Fatalf("person-to-person call after end: %v", got)
		}
	})

	t.Run("the original browser client through the load balancer", func(t *testing.T) {
		// The README's example page, unchanged, in Chromium, on another
		// origin than the load balancer (so its browser keeps no cookie of
		// the load balancer's): socket.io-client starts with long-polling,
		// and every request of its Engine.IO session must reach the
		// instance that opened it (HAProxy follows the session id).
		e2e.Chromium(t)
		node := e2e.Node(t)
		dir := filepath.Join(e2e.Root(t), "test", "browser")
		e2e.NPMCI(t, dir)
		wav := e2e.FliteWAV(t, "", 8*time.Second, 0)
		for round := range 3 {
			drv := e2e.StartDriver(t, node, dir, 90*time.Second, "call.mjs", "--port", fmt.Sprint(c.lbPort()), "--wav", wav, "--hold", "--timeout", "40000")
			if !drv.Lines.Scan() {
				t.Fatalf("call.mjs printed nothing (%v): %s", drv.Lines.Err(), drv.Stderr.Tail(20))
			}
			var greeted struct {
				Event  string `json:"event"`
				CallID string `json:"callId"`
			}
			if err := json.Unmarshal(drv.Lines.Bytes(), &greeted); err != nil || greeted.Event != "greeted" {
				_ = drv.Wait()
				t.Fatalf("round %d: the page's call did not get to the greeting: %s\n%s", round, drv.Lines.Bytes(), drv.Stderr.Tail(20))
			}
			held := c.get(greeted.CallID)
			if held["status"] != "IN_PROGRESS" {
				t.Fatalf("the page's call: %v", held)
			}
			if _, err := io.WriteString(drv.Stdin, "end\n"); err != nil {
				t.Fatal(err)
			}
			if !drv.Lines.Scan() {
				t.Fatalf("call.mjs printed no result: %s", drv.Stderr.Tail(20))
			}
			var res struct {
				OK            bool   `json:"ok"`
				Error         string `json:"error"`
				Transport     string `json:"transport"`
				GreetingHeard bool   `json:"greetingHeard"`
			}
			raw := append([]byte(nil), drv.Lines.Bytes()...)
			if err := drv.Wait(); err != nil || json.Unmarshal(raw, &res) != nil || !res.OK || !res.GreetingHeard {
				t.Fatalf("round %d: the page's call: %v %s", round, err, raw)
			}
			t.Logf("round %d: the original page's call, held by %s, greeting heard, socket.io over %s", round, held["instance"], res.Transport)
		}
	})

	t.Run("SIGKILL of an instance fails only its calls", func(t *testing.T) {
		const victim = 2
		// Every call is joined through a survivor, so only the victim's
		// own calls lose their media.
		edgeFor := func(owner int) int {
			if owner == victim {
				return 0
			}
			return 1 - owner
		}
		var calls []*agentCall
		for i := range 6 {
			calls = append(calls, c.dial(i%3, edgeFor))
		}
		killed := time.Now()
		if err := c.nodes[victim].rt.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-c.nodes[victim].rt.Exited()
		for _, a := range calls {
			if a.owner != victim {
				continue
			}
			for {
				got := c.get(a.id)
				if got["status"] == "FAILED" {
					if got["endReason"] != "instance lost" {
						t.Fatalf("call %s: %v, want reason instance lost", a.id, got)
					}
					break
				}
				if time.Since(killed) > lease+lease/3+5*time.Second {
					t.Fatalf("call %s of the killed instance still %v %v after the kill", a.id, got["status"], time.Since(killed))
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		t.Logf("the killed instance's calls FAILED (instance lost) %v after the kill (lease %v)", time.Since(killed).Round(10*time.Millisecond), lease)
		// The survivors' calls are untouched, and new calls succeed.
		for _, a := range calls {
			if a.owner == victim {
				continue
			}
			if got := c.get(a.id); got["status"] != "IN_PROGRESS" {
				t.Fatalf("a survivor's call %s: %v", a.id, got)
			}
			if s := a.caller.PC.ConnectionState().String(); s != "connected" {
				t.Fatalf("a survivor's call %s: media %s", a.id, s)
			}
		}
		c.waitRouted(0, 1)
		for range 2 {
			calls = append(calls, c.dial(-1, func(owner int) int { return 1 - owner }))
		}
		for _, a := range calls {
			if a.owner != victim {
				c.end(a, -1)
			}
		}
		c.start(victim)
		c.waitRouted(0, 1, 2)
	})

	t.Run("rolling restart with drain loses no call", func(t *testing.T) {
		var made []string
		for i := range c.nodes {
			// Calls held by i, joined through the others.
			var calls []*agentCall
			for k := range 2 {
				a := c.dial(i, func(owner int) int { return (owner + 1 + k) % 3 })
				calls = append(calls, a)
				made = append(made, a.id)
			}
			if err := c.nodes[i].rt.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// Draining: new calls go to the others, and succeed.
			others := []int{(i + 1) % 3, (i + 2) % 3}
			slices.Sort(others)
			c.waitRouted(others...)
			for range 2 {
				a := c.dial(-1, func(owner int) int { return other(owner, i) })
				if a.owner == i {
					t.Fatalf("call %s placed on %s, which is draining", a.id, lbtest.Server(i))
				}
				c.end(a, -1)
				made = append(made, a.id)
			}
			// The draining instance's calls go on until they are hung
			// up (through the others), then it stops by itself.
			for _, a := range calls {
				if got := c.get(a.id); got["status"] != "IN_PROGRESS" {
					t.Fatalf("call %s on the draining instance: %v", a.id, got)
				}
				c.end(a, -1)
			}
			select {
			case <-c.nodes[i].rt.Exited():
			case <-time.After(30 * time.Second):
				t.Fatalf("%s did not stop once its calls ended", lbtest.Server(i))
			}
			if code := c.nodes[i].rt.ExitCode(); code != 0 {
				// 66 is the race detector's: its report is in the log.
				t.Fatalf("%s exited %d after its drain; its log (tail):\n%s", lbtest.Server(i), code, c.nodes[i].rt.Logs.Tail(300))
			}
			c.start(i)
			c.waitRouted(0, 1, 2)
		}
		for _, id := range made {
			if got := c.get(id); got["status"] != "ENDED" || got["endReason"] != "hangup" {
				t.Errorf("call %s after the rolling restart: %v", id, got)
			}
		}
		t.Logf("%d calls over a rolling restart of 3 instances, all ENDED by hang-up", len(made))
	})

	t.Run("new calls placed on the instance with room", func(t *testing.T) {
		// Every call is created through parley-1, which holds at most 6
		// (PARLEY_MAX_CALLS): past its first calls the others get them,
		// and none is refused.
		owners := map[int]int{}
		var calls []*agentCall
		for range 9 {
			a := c.dial(0, func(owner int) int { return (owner + 1) % 3 })
			owners[a.owner]++
			calls = append(calls, a)
			time.Sleep(300 * time.Millisecond) // a load report in between now and then
		}
		t.Logf("9 calls created through %s, held by: %v", lbtest.Server(0), owners)
		if owners[1] == 0 || owners[2] == 0 || owners[0] > 6 {
			t.Fatalf("calls created through %s held by %v: not placed by room", lbtest.Server(0), owners)
		}
		for _, a := range calls {
			c.end(a, -1)
		}
	})

	t.Run("bus or database down: new calls refused at once, live calls go on", func(t *testing.T) {
		live := c.dial(-1, func(owner int) int { return (owner + 1) % 3 })
		stillTalking := func() {
			t.Helper()
			if s := live.caller.PC.ConnectionState().String(); s != "connected" {
				t.Fatalf("the live call's media: %s", s)
			}
		}

		// The bus: every instance refuses new calls, saying so; through
		// the load balancer (every instance unready) the answer is its
		// 503 in the runtime's envelope.
		if err := c.nats.Kill(); err != nil {
			t.Fatal(err)
		}
		t.Logf("bus down: new calls refused after %v", c.refused(live.owner, "the bus between instances is unreachable").Round(time.Millisecond))
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			status, body := c.post(c.lb.Base, "/api/v1/calls", `{"callerNumber":"01012345678"}`)
			if status == http.StatusServiceUnavailable && strings.Contains(body, `"code":"SERVICE_UNAVAILABLE"`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("through the load balancer with the bus down: %d %s", status, body)
			}
		}
		stillTalking()
		if err := c.nats.Restart(); err != nil {
			t.Fatal(err)
		}
		c.waitRouted(0, 1, 2)
		c.end(c.dial(-1, func(owner int) int { return (owner + 2) % 3 }), -1)

		// The database: stopped where it is (connections hang), new calls
		// are refused within the check's second.
		if err := c.pg.Pause(); err != nil {
			t.Fatal(err)
		}
		took := c.refused(live.owner, "the database is unreachable")
		stillTalking()
		if err := c.pg.Resume(); err != nil {
			t.Fatal(err)
		}
		t.Logf("database down: new calls refused after %v", took.Round(time.Millisecond))
		c.waitRouted(0, 1, 2)
		c.end(live, -1)
	})
}

// lbPort is the load balancer's port.
func (c *cluster) lbPort() int {
	u, err := url.Parse(c.lb.Base)
	if err != nil {
		c.t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// refused waits until a new call on instance i (directly, not through
// the load balancer) is refused with 503 SERVICE_UNAVAILABLE naming what
// is down, and returns how long that took.
func (c *cluster) refused(i int, what string) time.Duration {
	c.t.Helper()
	start := time.Now()
	for {
		status, body := c.post(c.nodes[i].rt.Base, "/api/v1/calls", `{"callerNumber":"01012345678"}`)
		if status == http.StatusServiceUnavailable && strings.Contains(body, "SERVICE_UNAVAILABLE") {
			if !strings.Contains(body, what) {
				c.t.Fatalf("503 without saying %q: %s", what, body)
			}
			return time.Since(start)
		}
		if time.Since(start) > 15*time.Second {
			c.t.Fatalf("new calls on %s still answered %d %s", lbtest.Server(i), status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// post sends a JSON POST to base+path and returns the status and body.
func (c *cluster) post(base, path, body string) (int, string) {
	c.t.Helper()
	resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// String names the call for failures.
func (a *agentCall) String() string {
	return fmt.Sprintf("%s (held by %s, joined through %s)", a.id, lbtest.Server(a.owner), lbtest.Server(a.edge))
}
