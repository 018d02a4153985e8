package agent

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "700ms", want: 700 * time.Millisecond},
		{in: "2s", want: 2 * time.Second},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "1m30s", want: 90 * time.Second},
		{in: "0s", want: 0},
		{in: ".5s", want: 500 * time.Millisecond},
		{in: "250us", want: 250 * time.Microsecond},
		{in: "250µs", want: 250 * time.Microsecond},
		{in: "", wantErr: "is empty"},
		{in: "700", wantErr: `"700" has no unit`},
		{in: "0", wantErr: `"0" has no unit`},
		{in: "1.5", wantErr: "has no unit"},
		{in: "-200ms", wantErr: "must not be negative"},
		{in: "+2s", wantErr: "must not have a sign"},
		{in: "2 seconds", wantErr: "is not a duration"},
		{in: "2S", wantErr: "is not a duration"},
		{in: "ms", wantErr: "is not a duration"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Std() != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDurationYAML(t *testing.T) {
	tests := []struct {
		yaml    string
		want    time.Duration
		wantErr string
	}{
		{yaml: `d: 700ms`, want: 700 * time.Millisecond},
		{yaml: `d: "2s"`, want: 2 * time.Second},
		{yaml: `d: 700`, wantErr: "line 1: 700 is a bare number: write a duration with units"},
		{yaml: `d: 0.5`, wantErr: "0.5 is a bare number"},
		{yaml: `d: [1s]`, wantErr: "must be a duration string"},
		{yaml: `d: true`, wantErr: "must be a duration string"},
		{yaml: "x: 1\nd: -1s", wantErr: "line 2: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.yaml, func(t *testing.T) {
			var v struct {
				X int      `yaml:"x"`
				D Duration `yaml:"d"`
			}
			err := yaml.Unmarshal([]byte(tt.yaml), &v)
			if tt.wantErr != "" {
				if te := (*yaml.TypeError)(nil); !errors.As(err, &te) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v (%T), want *yaml.TypeError containing %q", err, err, tt.wantErr)
				}
				return
			}
			if err != nil || v.D.Std() != tt.want {
				t.Fatalf("got %v, %v; want %v", v.D, err, tt.want)
			}
		})
	}
}

func TestDurationText(t *testing.T) {
	d := Duration(1500 * time.Millisecond)
	b, err := d.MarshalText()
	if err != nil || string(b) != "1.5s" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back Duration
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Fatalf("UnmarshalText(%q) = %v, %v", b, back, err)
	}
	if err := back.UnmarshalText([]byte("15")); err == nil {
		t.Fatal("UnmarshalText accepted a bare number")
	}
	out, err := yaml.Marshal(struct{ D Duration }{d})
	if err != nil || strings.TrimSpace(string(out)) != "d: 1.5s" {
		t.Fatalf("yaml.Marshal = %q, %v", out, err)
	}
}

func TestShortDuration(t *testing.T) {
	for in, want := range map[time.Duration]string{
		5 * time.Minute:        "5m",
		time.Hour:              "1h",
		90 * time.Second:       "1m30s",
		100 * time.Millisecond: "100ms",
		0:                      "0s",
	} {
		if got := short(Duration(in)); got != want {
			t.Errorf("short(%v) = %q, want %q", in, got, want)
		}
	}
}
