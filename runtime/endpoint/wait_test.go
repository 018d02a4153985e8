package endpoint

import (
	"testing"
	"time"
)

func TestPolicyWait(t *testing.T) {
	p := Policy{MinSilence: 200 * time.Millisecond, MaxSilence: 1500 * time.Millisecond, Eagerness: EagernessMedium}
	falling := Prosody{Pitched: true, PitchSlope: -15, EnergySlope: -40}
	heldLevel := Prosody{Pitched: true, PitchSlope: 0.5, Held: 400 * time.Millisecond}
	tests := []struct {
		name     string
		s        Signals
		from, to time.Duration
	}{
		{"finished words", Signals{Text: Finished}, 200 * time.Millisecond, 250 * time.Millisecond},
		{"finished words, falling voice", Signals{Text: Finished, Prosody: falling}, 200 * time.Millisecond, 210 * time.Millisecond},
		{"unfinished words", Signals{Text: Unfinished}, 1400 * time.Millisecond, 1500 * time.Millisecond},
		{"unfinished words, held voice", Signals{Text: Unfinished, Prosody: heldLevel}, 1480 * time.Millisecond, 1500 * time.Millisecond},
		{"no words, falling voice", Signals{Prosody: falling}, 300 * time.Millisecond, 500 * time.Millisecond},
		{"no words, held voice", Signals{Prosody: heldLevel}, 1000 * time.Millisecond, 1400 * time.Millisecond},
		{"nothing at all: halfway", Signals{}, 840 * time.Millisecond, 860 * time.Millisecond},
		{"leaning words", Signals{Text: LeanFinished}, 250 * time.Millisecond, 400 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := p.Wait(tt.s); got < tt.from || got > tt.to {
			t.Errorf("%s: wait %v, want %v-%v", tt.name, got, tt.from, tt.to)
		}
	}
}

func TestPolicyEagerness(t *testing.T) {
	for _, s := range []Signals{{}, {Text: LeanFinished}, {Text: LeanUnfinished}, {Prosody: Prosody{Pitched: true, PitchSlope: -8}}} {
		var waits []time.Duration
		for _, e := range []Eagerness{EagernessHigh, EagernessMedium, EagernessLow} {
			p := Policy{MinSilence: 200 * time.Millisecond, MaxSilence: 1500 * time.Millisecond, Eagerness: e}
			waits = append(waits, p.Wait(s))
		}
		if waits[0] >= waits[1] || waits[1] >= waits[2] {
			t.Errorf("%+v: waits high, medium, low = %v: want increasing", s, waits)
		}
	}
	if !EagernessLow.Valid() || !EagernessHigh.Valid() || Eagerness("eager").Valid() || Eagerness("").Valid() {
		t.Error("Valid")
	}
}

func TestPolicySpeechRate(t *testing.T) {
	p := Policy{MinSilence: 200 * time.Millisecond, MaxSilence: 1500 * time.Millisecond, Eagerness: EagernessMedium}
	slow := p.Wait(Signals{Prosody: Prosody{Rate: 2.5}})
	typical := p.Wait(Signals{Prosody: Prosody{Rate: 4}})
	fast := p.Wait(Signals{Prosody: Prosody{Rate: 7}})
	if slow <= typical || typical <= fast {
		t.Errorf("slow %v, typical %v, fast %v: want decreasing", slow, typical, fast)
	}
	// Within the bounds however slow.
	if w := p.Wait(Signals{Text: Unfinished, Prosody: Prosody{Rate: 0.5}}); w > p.MaxSilence {
		t.Errorf("very slow speaker waits %v, past max %v", w, p.MaxSilence)
	}
	// A fixed wait (min = max) is that wait.
	fixed := Policy{MinSilence: 700 * time.Millisecond, MaxSilence: 700 * time.Millisecond}
	if w := fixed.Wait(Signals{Text: Unfinished}); w != 700*time.Millisecond {
		t.Errorf("fixed: %v", w)
	}
}
