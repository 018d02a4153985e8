package schema

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fs.FS
		want    []int
		wantErr bool
	}{
		{"ordered by number, not name", fstest.MapFS{
			"0010_j.sql": file(""), "0002_b.sql": file(""), "0001_a.sql": file(""), "0003_c.sql": file(""),
			"0004_d.sql": file(""), "0005_e.sql": file(""), "0006_f.sql": file(""), "0007_g.sql": file(""),
			"0008_h.sql": file(""), "0009_i.sql": file(""), "README.md": file(""),
		}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
		{"gap", fstest.MapFS{"0001_a.sql": file(""), "0003_c.sql": file("")}, nil, true},
		{"repeat", fstest.MapFS{"0001_a.sql": file(""), "0001_b.sql": file("")}, nil, true},
		{"not from 1", fstest.MapFS{"0002_b.sql": file("")}, nil, true},
		{"zero", fstest.MapFS{"0000_a.sql": file("")}, nil, true},
		{"no number", fstest.MapFS{"init.sql": file("")}, nil, true},
		{"empty", fstest.MapFS{}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := Load(tt.fsys)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheck(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}}
	require.NoError(t, Check(0, ms))
	require.NoError(t, Check(2, ms))
	err := Check(3, ms)
	require.True(t, errors.Is(err, ErrTooNew), "%v", err)
	assert.Contains(t, err.Error(), "3")
}
