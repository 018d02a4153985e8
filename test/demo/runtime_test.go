package demo

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/e2e"
)

// runtimeProc is the runtime under test and the REST API reads the test
// makes of it.
type runtimeProc struct {
	*e2e.Runtime
	key string // API key of a runtime in key mode
}

// get decodes the data of a 200 response's envelope into v.
func (rt *runtimeProc) get(t *testing.T, path string, v any) {
	t.Helper()
	b := rt.request(t, http.MethodGet, path, "")
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

// request makes a REST request with the runtime's key (if any) and returns
// the body of a 2xx answer, failing the test otherwise.
func (rt *runtimeProc) request(t *testing.T, method, path, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, rt.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if rt.key != "" {
		req.Header.Set("Authorization", "Bearer "+rt.key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s: %s", method, path, res.Status, b)
	}
	return b
}
