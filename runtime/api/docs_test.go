package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOpenAPICoversRoutes fails when a registered route is missing from the
// OpenAPI document, or the document describes a route the app lacks.
func TestOpenAPICoversRoutes(t *testing.T) {
	h := newHarness(t)
	param := regexp.MustCompile(`:(\w+)`)
	registered := map[string]bool{}
	for _, r := range h.app.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Path == "/" {
			continue // Fiber adds HEAD for every GET; "/" is the catch-all 404
		}
		registered[strings.ToLower(r.Method)+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	b, err := openAPIJSON()
	require.NoError(t, err)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[m+" "+p] = true
		}
	}
	require.Equal(t, keys(registered), keys(documented))
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDocsServedOffline(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodGet, "/api/docs", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	page := string(r.Raw)
	require.Contains(t, page, "swagger-ui-bundle.js")
	require.NotRegexp(t, `(src|href)="(https?:)?//`, page, "the docs page must load nothing from another host")

	for _, asset := range []string{"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"} {
		r = h.do(t, http.MethodGet, "/api/docs/"+asset, "", nil)
		require.Equal(t, http.StatusOK, r.Status, asset)
		require.Greater(t, len(r.Raw), 1000, asset)
	}
	requireError(t, h.do(t, http.MethodGet, "/api/docs/nope.js", "", nil), http.StatusNotFound, CodeNotFound, "nope.js")

	r = h.do(t, http.MethodGet, "/api/docs-json", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "3.0.3", r.Body["openapi"])
}
