package stats

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeqTrackerLoss(t *testing.T) {
	seqs := func(from, to int) []uint16 {
		var out []uint16
		for i := from; i <= to; i++ {
			out = append(out, uint16(i)) //nolint:gosec // wraps on purpose
		}
		return out
	}
	cat := func(parts ...[]uint16) []uint16 {
		var out []uint16
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		in   []uint16
		want Loss
	}{
		{"none", nil, Loss{}},
		{"one", []uint16{7}, Loss{Expected: 1, Received: 1}},
		{"in order", seqs(100, 199), Loss{Expected: 100, Received: 100}},
		{"one gap of three", cat(seqs(100, 149), seqs(153, 199)), Loss{Expected: 100, Received: 97, Lost: 3, Percent: 3}},
		{"wraps without loss", seqs(65500, 65599), Loss{Expected: 100, Received: 100}},
		{"gap across the wrap", cat(seqs(65530, 65535), seqs(65538, 65629)), Loss{Expected: 100, Received: 98, Lost: 2, Percent: 2}},
		{
			"late packet fills its gap",
			cat(seqs(1, 10), []uint16{12, 11}, seqs(13, 20)),
			Loss{Expected: 20, Received: 20, Late: 1},
		},
		{
			"late packet before the first",
			cat([]uint16{5, 4}, seqs(6, 13)),
			Loss{Expected: 10, Received: 10, Late: 1},
		},
		{
			"late packet across the wrap is not a wrap",
			cat([]uint16{65534, 0, 65535}, seqs(1, 7)),
			Loss{Expected: 10, Received: 10, Late: 1},
		},
		{
			"duplicate hides nothing when nothing is lost",
			cat(seqs(1, 5), []uint16{5}, seqs(6, 10)),
			Loss{Expected: 10, Received: 11, Duplicates: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s SeqTracker
			for _, q := range tt.in {
				s.Add(q)
			}
			require.Equal(t, tt.want, s.Loss())
		})
	}
}

func TestLossAdd(t *testing.T) {
	a := Loss{Expected: 1000, Received: 990, Lost: 10, Percent: 1}
	b := Loss{Expected: 1000, Received: 1000}
	require.Equal(t, Loss{Expected: 2000, Received: 1990, Lost: 10, Percent: 0.5}, a.Add(b))
	require.Equal(t, a, Loss{}.Add(a))
}

func TestExtend(t *testing.T) {
	tests := []struct {
		ref  int64
		seq  uint16
		want int64
	}{
		{10, 11, 11},
		{65535, 0, 65536},
		{65536, 65535, 65535},
		{3*65536 + 5, 2, 3*65536 + 2},
		{3*65536 + 65000, 100, 4*65536 + 100},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, extend(tt.ref, tt.seq), "extend(%d, %d)", tt.ref, tt.seq)
	}
}
