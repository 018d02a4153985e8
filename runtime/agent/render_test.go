package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/vars"
)

func TestRenderForCall(t *testing.T) {
	spec, err := LoadFile("testdata/valid/variables.yaml")
	if err != nil {
		t.Fatal(err)
	}
	given, err := vars.Bind(spec.Declarations(), map[string]any{"customer_name": "Ada {{shop}}", "order_id": 42.0})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC) // already Friday in Berlin
	got := spec.RenderForCall("c-1", "+821012345678", given, now)
	want := "You are the assistant of Juniper & Co.. The caller is Ada {{shop}}\n(+821012345678), order 42. Today is Friday 2026-12-04,\n00:30 in Europe/Berlin. VIP: false. Discount: 0.5.\nA literal {{ stays.\n"
	if got.SystemPrompt != want {
		t.Errorf("system prompt:\n%q\nwant\n%q", got.SystemPrompt, want)
	}
	if got.Greeting != "Hello Ada {{shop}}, thank you for calling Juniper & Co.." || got.GreetingFixed {
		t.Errorf("greeting = %q (fixed %v)", got.Greeting, got.GreetingFixed)
	}
	if got.Values[vars.CallID] != "c-1" || got.Values["order_id"] != int64(42) {
		t.Errorf("values = %v", got.Values)
	}

	plain, err := Parse("plain.yaml", []byte(minimal("plain")+"greeting: Hello from {{agent_name}} on {{weekday}}.\n"))
	if err != nil {
		t.Fatal(err)
	}
	got = plain.RenderForCall("c-2", "01012345678", nil, now)
	if got.Greeting != "Hello from plain on Thursday." || got.GreetingFixed {
		t.Errorf("built-ins in UTC: %q (fixed %v)", got.Greeting, got.GreetingFixed)
	}
	fixed, err := Parse("fixed.yaml", []byte(minimal("fixed")+"greeting: Hello.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fixed.RenderForCall("c-3", "", nil, now); !got.GreetingFixed || got.Greeting != "Hello." {
		t.Errorf("a greeting without variables: %+v", got)
	}
}

func TestTimezone(t *testing.T) {
	for _, tz := range []string{"UTC", "Asia/Seoul", "America/New_York", "Etc/GMT+5"} {
		if _, err := Parse("tz.yaml", []byte(minimal("tz")+"timezone: "+tz+"\n")); err != nil {
			t.Errorf("timezone %s: %v", tz, err)
		}
	}
	for _, tz := range []string{"Local", "Europe/Nowhere", "/etc/localtime", "../../etc/passwd", "utc+1"} {
		_, err := Parse("tz.yaml", []byte(minimal("tz")+"timezone: \""+tz+"\"\n"))
		if err == nil || !strings.Contains(err.Error(), "tz.yaml:") || !strings.Contains(err.Error(), "timezone: must be an IANA time zone name") {
			t.Errorf("timezone %q: err = %v", tz, err)
		}
	}
}
