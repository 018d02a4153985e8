package agent

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const toolsYAML = `tools:
  - name: lookup_order
    description: Looks up an order by its number.
    parameters:
      type: object
      properties:
        order_number: {type: string, pattern: "^[0-9]{3,12}$"}
      required: [order_number]
    http:
      url: http://127.0.0.1:8080/orders/{{order_number}}?caller={{caller_number}}
      headers:
        Authorization: Bearer ${SHOP_TOKEN}
        Accept: application/json
    filler: [One moment while I look that up.]
  - name: hang_up
    end_call: {}
  - name: transfer
    transfer_call:
      destinations: {sales: "+4930123456", support: "+4930654321"}
`

func TestToolsLoad(t *testing.T) {
	s, err := Parse("tools.yaml", []byte(minimal("tooled")+toolsYAML))
	require.NoError(t, err)
	require.Len(t, s.Tools, 3)

	lookup := s.Tool("lookup_order")
	require.Equal(t, "http", lookup.Kind())
	require.Equal(t, "GET", lookup.HTTP.MethodOrDefault())
	require.True(t, lookup.HTTP.SendQuery())
	require.Equal(t, 5*time.Second, lookup.HTTP.TimeoutOrDefault())
	require.Equal(t, 16<<10, lookup.HTTP.MaxResponse())
	require.Equal(t, time.Second, lookup.FillerDelay())

	p := s.ToolParams("lookup_order")
	require.True(t, p.Has("order_number"))
	require.False(t, p.Has("caller_number"))
	args, err := p.Check(`{"order_number": "12345"}`)
	require.NoError(t, err)
	require.Equal(t, "12345", args["order_number"])
	for in, want := range map[string]string{
		`{"order_number": "12"}`:  "do not match the parameters: at /order_number",
		`{}`:                      "missing property 'order_number'",
		`{"order_number": 12345}`: "want string",
		`{"order_number": "1234`:  "not valid JSON",
		`[1, 2]`:                  "must be a JSON object",
	} {
		_, err := p.Check(in)
		require.ErrorContains(t, err, want, in)
	}

	require.Equal(t, "end_call", s.Tool("hang_up").Kind())
	require.Contains(t, s.Tool("hang_up").DescriptionOrDefault(), "Hang up")
	_, err = s.ToolParams("hang_up").Check("")
	require.NoError(t, err, "a tool without parameters takes no arguments")

	tr := s.ToolParams("transfer")
	var schema map[string]any
	require.NoError(t, json.Unmarshal(tr.JSON, &schema))
	require.Equal(t, []any{"sales", "support"}, schema["properties"].(map[string]any)["destination"].(map[string]any)["enum"])
	_, err = tr.Check(`{"destination": "+15551234"}`)
	require.Error(t, err, "numbers are not allowed unless allow_numbers")
	_, err = tr.Check(`{"destination": "sales"}`)
	require.NoError(t, err)
	require.Nil(t, s.Tool("nope"))
	require.Nil(t, s.ToolParams("nope"))
}

// TestToolsNeedTheirEnvironment: a header naming an unset variable makes
// the agent unavailable (not invalid) with file, key and line; setting it
// makes it ready at the next reload.
func TestToolsNeedTheirEnvironment(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	r, _ := newTestRegistry(t, map[string]string{
		"default.yaml": agentYAML("default", "Hi"),
		"shop.yaml":    minimal("shop") + toolsYAML,
	}, WithEnv(lookup))
	i := infoOf(t, r, "shop")
	require.Equal(t, StatusUnavailable, i.Status)
	require.Len(t, i.Errors, 1)
	require.Regexp(t, `shop\.yaml:\d+: tools\[0\]\.http\.headers\.Authorization: needs the environment variable SHOP_TOKEN, which is not set`, i.Errors[0])
	_, err := r.Get("shop")
	require.ErrorIs(t, err, ErrUnavailable)

	env["SHOP_TOKEN"] = "s3cret"
	require.NoError(t, r.Reload())
	require.Equal(t, StatusReady, infoOf(t, r, "shop").Status)
	v, missing := ExpandEnv("Bearer ${SHOP_TOKEN} ${SHOP_TOKEN}", lookup)
	require.Equal(t, "Bearer s3cret s3cret", v)
	require.Empty(t, missing)
	require.NotContains(t, strings.Join(infoOf(t, r, "shop").Errors, ""), "s3cret")
}
