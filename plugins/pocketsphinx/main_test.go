package main

import (
	"testing"

	"github.com/hashicorp/go-hclog"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newTestRecognizer is a recognizer freed when the test ends.
func newTestRecognizer(t testing.TB) *recognizer {
	t.Helper()
	r := newRecognizer(hclog.NewNullLogger())
	t.Cleanup(r.Close)
	return r
}
