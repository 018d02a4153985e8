package demo

import (
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley/internal/e2e"
)

// runtimeProc is the runtime under test and the REST API reads the test
// makes of it.
type runtimeProc struct {
	*e2e.Runtime
}

// get decodes the data of a 200 response's envelope into v.
func (rt *runtimeProc) get(t *testing.T, path string, v any) {
	t.Helper()
	b := rt.Get(t, path)
	env := struct {
		Data any `json:"data"`
	}{Data: v}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

// call returns the call's status and end reason.
func (rt *runtimeProc) call(t *testing.T, id string) (status, reason string) {
	t.Helper()
	var data struct {
		Call struct {
			Status    string `json:"status"`
			EndReason string `json:"endReason"`
		} `json:"call"`
	}
	rt.get(t, "/api/v1/calls/"+id, &data)
	return data.Call.Status, data.Call.EndReason
}

// callCount is how many calls the runtime has stored.
func (rt *runtimeProc) callCount(t *testing.T) int {
	t.Helper()
	var data struct {
		Pagination struct {
			Total int `json:"total"`
		} `json:"pagination"`
	}
	rt.get(t, "/api/v1/calls?limit=1", &data)
	return data.Pagination.Total
}

func (rt *runtimeProc) history(t *testing.T, id string) []historyTurn {
	t.Helper()
	var data struct {
		Turns []historyTurn `json:"turns"`
	}
	rt.get(t, "/api/v1/calls/"+id+"/history", &data)
	return data.Turns
}
