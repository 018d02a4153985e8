package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// TestAudioErrorsAreClientErrors checks that every way an upload can fail
// to decode or convert is a 4xx with the reason, never a 500.
func TestAudioErrorsAreClientErrors(t *testing.T) {
	_, rateErr := audio.Resample(pcm.Audio{Samples: make([]int16, 100), Rate: 44101}, 16000)
	require.ErrorIs(t, rateErr, audio.ErrInvalidRate)
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("audio: %w", audio.ErrUnsupportedFormat), http.StatusUnsupportedMediaType, CodeUnsupportedMedia},
		{fmt.Errorf("audio: %w", audio.ErrCorrupt), http.StatusBadRequest, CodeValidation},
		{fmt.Errorf("audio: %w", audio.ErrEmpty), http.StatusBadRequest, CodeValidation},
		{fmt.Errorf("audio: %w", audio.ErrTooLong), http.StatusRequestEntityTooLarge, CodeTooLarge},
		{fmt.Errorf("audio: %w", rateErr), http.StatusBadRequest, CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			status, code, msg := classify(tt.err)
			require.Equal(t, tt.status, status)
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.err.Error(), msg)
		})
	}
	_, _, msg := classify(fmt.Errorf("audio: %w", rateErr))
	require.Contains(t, msg, "44101")
	require.Contains(t, msg, "16000")
}
