package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/bench/internal/proc"
	"github.com/parleyhq/parley/bench/internal/stats"
)

// Targets of the runtime on a 2-core machine at 100 calls.
const (
	targetFrameP99Ms    = 30
	targetLossPercent   = 1
	targetRSSPerCallMiB = 10
)

// Report is the outcome of one run; -json prints it as is.
type Report struct {
	Date          string         `json:"date"`
	Machine       string         `json:"machine"`
	CPUs          int            `json:"cpus"`
	URL           string         `json:"url"`
	PID           int            `json:"pid,omitempty"`
	Audio         string         `json:"audio"`
	LoopSeconds   float64        `json:"loopSeconds"`
	Calls         int            `json:"calls"`
	Connected     int            `json:"connected"`
	Failed        int            `json:"failed"`
	Dropped       int            `json:"dropped"` // connected, then not connected at the end of the window
	Errors        map[string]int `json:"errors,omitempty"`
	ConnectErrors int            `json:"connectErrors"` // POST /connect refused; not fatal
	SignalRetries int            `json:"signalRetries"` // Engine.IO connections the Go client opened again (its own race, before any Socket.IO packet)
	WindowSeconds float64        `json:"windowSeconds"`
	Setup         struct {
		Create         Quantiles `json:"create"`
		Join           Quantiles `json:"join"`
		OfferAnswer    Quantiles `json:"offerAnswer"`
		OfferConnected Quantiles `json:"offerConnected"`
		OfferFirstRTP  Quantiles `json:"offerFirstRtp"`
		OfferVoice     Quantiles `json:"offerFirstVoice"`
	} `json:"setup"`
	// FrameInterval is the inter-arrival of the agent's RTP packets at the
	// callers, over all calls, in the window.
	FrameInterval Quantiles `json:"frameInterval"`
	// SendInterval is this program's own 20 ms tick, a control: if it is
	// late, the machine is too busy for the figures above to be the
	// runtime's alone.
	SendInterval Quantiles      `json:"sendInterval"`
	Downlink     stats.Loss     `json:"downlinkLoss"` // runtime -> callers, from sequence gaps, window
	Uplink       Uplink         `json:"uplink"`
	AgentVoiced  float64        `json:"agentVoicedPercent"` // agent packets carrying speech, whole calls
	Processes    *Processes     `json:"processes"`
	Events       map[string]int `json:"events"`
	Targets      []Target       `json:"targets"`
	// Drift is the soak part (-drift): trends over the window.
	Drift *Drift `json:"drift,omitempty"`
	// Chaos is the fault part (-chaos, -chaos-agent).
	Chaos *Chaos `json:"chaos,omitempty"`
	// Reply is the agent's reply time in the window (runtime histogram).
	Reply *Reply `json:"reply,omitempty"`
}

// Uplink is callers -> runtime: what we sent and what the runtime's RTCP
// reports say it lost (whole calls).
type Uplink struct {
	Sent       uint64  `json:"sent"`
	SendErrors uint64  `json:"sendErrors"`
	Reports    int     `json:"callsWithReports"`
	Expected   uint64  `json:"expected"`
	Lost       uint64  `json:"lost"`
	Percent    float64 `json:"percent"`
}

// Processes is CPU and memory over the window.
type Processes struct {
	Runtime             *proc.Usage     `json:"runtime,omitempty"`
	Plugins             *proc.Usage     `json:"plugins,omitempty"`
	PerPlugin           []proc.Usage    `json:"perPlugin,omitempty"`
	GeneratorCPUPercent float64         `json:"generatorCpuPercent"`
	Machine             proc.MachineCPU `json:"machine"`
}

// Quantiles summarises set-up times or packet intervals in milliseconds, as
// the report has always printed them (without the p95 of stats.Quantiles).
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50Ms"`
	P99 float64 `json:"p99Ms"`
	Max float64 `json:"maxMs"`
}

func quantiles(q stats.Quantiles) Quantiles {
	return Quantiles{N: q.N, P50: q.P50, P99: q.P99, Max: q.Max}
}

func summarize(ds []time.Duration) Quantiles { return quantiles(stats.Summarize(ds)) }

// Target is one pass/fail line.
type Target struct {
	Name  string  `json:"name"`
	Limit float64 `json:"limit"`
	Value float64 `json:"value"`
	OK    bool    `json:"ok"`
}

func sortUsage(u []proc.Usage) {
	slices.SortFunc(u, func(a, b proc.Usage) int { return strings.Compare(a.Name, b.Name) })
}

func newReport(url string, pid int, sp *loop, calls []*call, errs []error) *Report {
	r := &Report{
		Date: time.Now().UTC().Format(time.RFC3339), Machine: cpuModel(), CPUs: runtime.NumCPU(),
		URL: url, PID: pid, Audio: sp.Source, LoopSeconds: sp.Duration().Seconds(),
		Calls: len(calls), Errors: map[string]int{},
	}
	var create, join, answer, connected []time.Duration
	for i, c := range calls {
		if errs[i] != nil {
			r.Failed++
			msg := errs[i].Error()
			if len(msg) > 160 {
				msg = msg[:160]
			}
			r.Errors[msg]++
			continue
		}
		r.SignalRetries += c.p.SigRetries
		r.Connected++
		if c.p.ConnectErr != nil {
			r.ConnectErrors++
		}
		create, join = append(create, c.p.Times.Create), append(join, c.p.Times.Join)
		answer, connected = append(answer, c.p.Times.Answer), append(connected, c.p.Times.Connected)
	}
	r.Setup.Create, r.Setup.Join = summarize(create), summarize(join)
	r.Setup.OfferAnswer, r.Setup.OfferConnected = summarize(answer), summarize(connected)
	return r
}

// fill adds what the connected calls measured and the process figures.
func (r *Report) fill(sh *shared, calls []*call, m *meter) {
	frames, ticks := stats.FrameHistogram(), stats.FrameHistogram()
	var firstRTP, firstVoice []time.Duration
	var packets, voiced uint64
	for _, c := range calls {
		if c.p.Peer == nil || c.p.Times.Connected == 0 {
			continue
		}
		if c.p.Peer.PC.ConnectionState() != webrtc.PeerConnectionStateConnected {
			r.Dropped++
		}
		c.mu.Lock()
		frames.Merge(c.frames)
		ticks.Merge(c.ticks)
		r.Downlink = r.Downlink.Add(c.seq.Loss())
		r.Uplink.Sent += c.sent
		r.Uplink.SendErrors += c.sendErrs
		packets += c.packets
		voiced += c.voiced
		if c.packets > 0 {
			firstRTP = append(firstRTP, c.firstRTP)
		}
		if c.voiced > 0 {
			firstVoice = append(firstVoice, c.firstVoiced)
		}
		c.mu.Unlock()
		if exp, lost, ok := c.uplinkLoss(); ok {
			r.Uplink.Reports++
			r.Uplink.Expected += exp
			r.Uplink.Lost += lost
		}
	}
	r.Uplink.Percent = stats.PercentOf(r.Uplink.Lost, r.Uplink.Expected)
	r.FrameInterval, r.SendInterval = quantiles(frames.Summary()), quantiles(ticks.Summary())
	r.Setup.OfferFirstRTP, r.Setup.OfferVoice = summarize(firstRTP), summarize(firstVoice)
	r.AgentVoiced = stats.PercentOf(voiced, packets)
	r.WindowSeconds = m.windowEnd.Sub(m.windowStart).Seconds()
	r.Processes = m.processes(r.Connected)
	r.Events = sh.events.Snapshot()

	r.Targets = []Target{
		{Name: "agent frame interval p99 (ms)", Limit: targetFrameP99Ms, Value: r.FrameInterval.P99},
		{Name: "runtime->caller loss (%)", Limit: targetLossPercent, Value: r.Downlink.Percent},
	}
	if r.Uplink.Reports > 0 {
		r.Targets = append(r.Targets, Target{Name: "caller->runtime loss, RTCP (%)", Limit: targetLossPercent, Value: r.Uplink.Percent})
	}
	if p := r.Processes.Runtime; p != nil {
		r.Targets = append(r.Targets, Target{Name: "runtime RSS per call (MiB)", Limit: targetRSSPerCallMiB, Value: p.RSSPerCallMB})
	}
	for i := range r.Targets {
		r.Targets[i].OK = r.Targets[i].Value <= r.Targets[i].Limit
	}
	if r.FrameInterval.N == 0 {
		r.Targets[0].OK, r.Targets[1].OK = false, false // no agent audio at all
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func (r *Report) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := func(format string, args ...any) { _, _ = fmt.Fprintf(tw, format+"\n", args...) }
	_, _ = fmt.Fprintf(w, "callload %s: %d calls, %d connected, %d failed, %d dropped; %s loop of %.1f s; window %.1f s\n",
		r.URL, r.Calls, r.Connected, r.Failed, r.Dropped, r.Audio, r.LoopSeconds, r.WindowSeconds)
	_, _ = fmt.Fprintf(w, "machine: %d x %s\n\n", r.CPUs, r.Machine)
	for e, n := range r.Errors {
		_, _ = fmt.Fprintf(w, "  %d x %s\n", n, e)
	}
	if r.ConnectErrors > 0 || r.SignalRetries > 0 {
		_, _ = fmt.Fprintf(w, "POST /connect refused %d times; Engine.IO connection opened again %d times (Go client race)\n\n", r.ConnectErrors, r.SignalRetries)
	}
	line("ms\tn\tp50\tp99\tmax\t")
	q := func(name string, v Quantiles) { line("%s\t%d\t%.1f\t%.1f\t%.1f\t", name, v.N, v.P50, v.P99, v.Max) }
	q("POST /calls", r.Setup.Create)
	q("socket + join-session", r.Setup.Join)
	q("offer -> answer", r.Setup.OfferAnswer)
	q("offer -> connected", r.Setup.OfferConnected)
	q("offer -> first agent RTP", r.Setup.OfferFirstRTP)
	q("offer -> first agent speech", r.Setup.OfferVoice)
	q("agent frame interval", r.FrameInterval)
	q("caller send tick (control)", r.SendInterval)
	_ = tw.Flush()
	_, _ = fmt.Fprintf(w, "\nloss runtime->callers: %.3f %% (%d of %d; %d late, %d duplicate)\n",
		r.Downlink.Percent, r.Downlink.Lost, r.Downlink.Expected, r.Downlink.Late, r.Downlink.Duplicates)
	if r.Uplink.Reports > 0 {
		_, _ = fmt.Fprintf(w, "loss callers->runtime: %.3f %% (%d of %d, RTCP of %d calls); send errors %d of %d\n",
			r.Uplink.Percent, r.Uplink.Lost, r.Uplink.Expected, r.Uplink.Reports, r.Uplink.SendErrors, r.Uplink.Sent+r.Uplink.SendErrors)
	} else {
		_, _ = fmt.Fprintf(w, "loss callers->runtime: no RTCP reports from the runtime; send errors %d of %d\n",
			r.Uplink.SendErrors, r.Uplink.Sent+r.Uplink.SendErrors)
	}
	_, _ = fmt.Fprintf(w, "agent packets carrying speech: %.1f %%\n", r.AgentVoiced)
	switch rp := r.Reply; {
	case rp == nil:
	case rp.Error != "":
		_, _ = fmt.Fprintf(w, "reply time: %s\n", rp.Error)
	default:
		_, _ = fmt.Fprintf(w, "reply time (end of caller speech -> agent voice, runtime histogram): %d turns, mean %.0f ms, p50 <= %.0f ms, p95 <= %.0f ms\n",
			rp.Turns, rp.MeanMs, rp.P50Ms, rp.P95Ms)
	}
	_, _ = fmt.Fprintln(w)
	if p := r.Processes; p != nil {
		if p.Runtime != nil {
			line("process\tCPU %% of a core\tper call\tRSS base MiB\tsteady\tpeak\tper call\t")
			u := func(v *proc.Usage, indent string) {
				line("%s%s\t%.1f\t%.2f\t%.1f\t%.1f\t%.1f\t%.2f\t", indent, v.Name, v.CPUPercent, v.CPUPercentPerCall,
					v.RSSBaselineMB, v.RSSSteadyMB, v.RSSPeakMB, v.RSSPerCallMB)
			}
			u(p.Runtime, "")
			u(p.Plugins, "")
			for i := range p.PerPlugin {
				u(&p.PerPlugin[i], "  ")
			}
			_ = tw.Flush()
		}
		_, _ = fmt.Fprintf(w, "load generator CPU %.1f %% of a core; machine busy %.1f %% of all cores (user %.1f, system %.1f, irq+softirq %.1f, steal %.1f)\n\n",
			p.GeneratorCPUPercent, p.Machine.Busy, p.Machine.User, p.Machine.System, p.Machine.SoftIRQ, p.Machine.Steal)
	}
	for _, t := range r.Targets {
		verdict := "PASS"
		if !t.OK {
			verdict = "FAIL"
		}
		_, _ = fmt.Fprintf(w, "%s  %s = %.2f (limit %.0f)\n", verdict, t.Name, t.Value, t.Limit)
	}
	names := make([]string, 0, len(r.Events))
	for n := range r.Events {
		names = append(names, n)
	}
	slices.Sort(names)
	var ev []string
	for _, n := range names {
		ev = append(ev, fmt.Sprintf("%s %d", n, r.Events[n]))
	}
	_, _ = fmt.Fprintf(w, "signaling events received: %s\n", strings.Join(ev, ", "))
	if r.Drift != nil {
		r.Drift.print(w)
	}
	if r.Chaos != nil {
		r.Chaos.print(w)
	}
}
