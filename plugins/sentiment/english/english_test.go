package english

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNeutralise(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"I would like to check my order", "I would to check my order"},
		{"I'd like a refund", "I'd a refund"},
		{"It looks like it's lost", "It looks it's lost"},
		{"I like this lamp", "I like this lamp"},
		{"Can you please help me", "Can you me"},
		{"Thanks for your help!", "Thanks for your help!"},
		{"Yes please", ""},
		{"No, I don't need anything", "I don't need anything"},
		{"No problem at all", "No problem at all"},
		{"okay", ""},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, neutralise(tc.in))
		})
	}
}

func TestCompound(t *testing.T) {
	require.Zero(t, Compound("I would like to check my order"))
	require.Greater(t, Compound("I like this lamp"), 0.2)
	require.Less(t, Compound("this is terrible"), -0.2)
	require.Zero(t, Compound(""))
}
