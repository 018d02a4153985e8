package agent

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTestsLoad(t *testing.T) {
	// minimal is 7 lines: variables start on line 8, tests on line 12.
	good := minimal("tested") + `variables:
  shop: {type: string, default: Juniper}
tools:
  - {name: bye, end_call: {}}
tests:
  - name: goodbye
    variables: {shop: Acme}
    greeting: hello
    steps:
      - say: hello
      - say: goodbye
        expect: {reply: "good ?bye", contains: bye, tool: bye, hangup: true}
`
	s, err := Parse("t.yaml", []byte(good))
	require.NoError(t, err)
	require.Len(t, s.Tests, 1)
	require.Len(t, s.Tests[0].Steps, 2)
	require.True(t, *s.Tests[0].Steps[1].Expect.Hangup)
	require.Equal(t, 19, s.Line("tests[0].steps[1].expect"))
	require.Equal(t, 18, s.Line("tests[0].steps[1]"))

	bad := minimal("tested") + `tests:
  - name: broken
    variables: {who: x}
    steps:
      - say: hi
        expect:
          reply: "(unclosed"
          tool: lookup
          arguments: {n: 1}
          sentiment: positive
          transfer: team
  - name: broken
    steps: []
  - name: typo
    steps:
      - say: hi
        expect: {replly: x}
`
	_, err = Parse("t.yaml", []byte(bad))
	var le *LoadError
	require.True(t, errors.As(err, &le), "%v", err)
	want := []string{
		`t.yaml:10: tests[0].variables: variables.who: is not declared: this agent declares no variables`,
		`t.yaml:14: tests[0].steps[0].expect.reply: is not a valid regular expression`,
		`t.yaml:15: tests[0].steps[0].expect.tool: names "lookup", which is not one of the agent's tools (it has none)`,
		`t.yaml:17: tests[0].steps[0].expect.sentiment: the agent has no sentiment provider`,
		`t.yaml:18: tests[0].steps[0].expect.transfer: the agent has no transfer_call tool`,
		`t.yaml:19: tests[1].name: "broken" is also the name of tests[0]`,
		`t.yaml:20: tests[1].steps: is required`,
		`t.yaml:24: tests[2].steps[0].expect.replly: unknown key`,
	}
	msg := le.Error()
	for _, w := range want {
		require.Contains(t, msg, w)
	}
}
