package agent

import (
	"strings"
	"testing"
)

// TestCheckWebhookSecrets reports an unset secret_env with the file, the
// key and its line, and nothing once the variable is set.
func TestCheckWebhookSecrets(t *testing.T) {
	spec, err := LoadFile("testdata/valid/webhooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRM_WEBHOOK_SECRET": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	err = spec.CheckWebhookSecrets(lookup)
	if err == nil {
		t.Fatal("an unset LOCAL_HOOK_SECRET was not reported")
	}
	want := "webhooks.yaml:14: webhooks[1].secret_env: environment variable LOCAL_HOOK_SECRET"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
	env["LOCAL_HOOK_SECRET"] = ""
	if err := spec.CheckWebhookSecrets(lookup); err == nil {
		t.Error("an empty LOCAL_HOOK_SECRET was accepted")
	}
	env["LOCAL_HOOK_SECRET"] = "y"
	if err := spec.CheckWebhookSecrets(lookup); err != nil {
		t.Errorf("every secret set: %v", err)
	}
	if got := len(spec.WebhooksFor(EventCallEnded)); got != 1 {
		t.Errorf("WebhooksFor(call-ended) = %d webhooks, want 1", got)
	}
}
