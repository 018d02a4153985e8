package media

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/pion/transport/v5/packetio"
	"github.com/stretchr/testify/require"
)

func TestBoundedQueueDropsPastItsBound(t *testing.T) {
	tests := []struct {
		name    string
		kind    packetio.BufferPacketType
		size    int
		packets int // how many fit
	}{
		{"rtp by count", packetio.RTPBufferPacket, 100, rtpQueuePackets},
		{"rtp by bytes", packetio.RTPBufferPacket, 1200, rtpQueueBytes / (1200 + 2)},
		{"rtcp by count", packetio.RTCPBufferPacket, 60, rtcpQueuePackets},
		{"rtcp by bytes", packetio.RTCPBufferPacket, 1000, rtcpQueueBytes / (1000 + 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newBoundedQueue(tt.kind, 1)
			t.Cleanup(func() { _ = q.Close() })
			w := q.(interface {
				WriteWithAttributes([]byte, packetio.Attributes) (int, error)
			})
			pkt := make([]byte, tt.size)
			var fit int
			for range 10 * tt.packets {
				pkt[0] = byte(fit)
				if _, err := w.WriteWithAttributes(pkt, packetio.Attributes{{Key: "n", Value: fit}}); err != nil {
					require.ErrorIs(t, err, packetio.ErrFull, "pion/srtp drops the packet on exactly this error")
					break
				}
				fit++
			}
			require.Equal(t, tt.packets, fit)

			// The queued packets come out in order with their attributes.
			r := q.(interface {
				ReadWithAttributes([]byte, packetio.Attributes) (int, packetio.Attributes, error)
			})
			buf := make([]byte, 1500)
			for i := range fit {
				n, attrs, err := r.ReadWithAttributes(buf, nil)
				require.NoError(t, err)
				require.Equal(t, tt.size, n)
				require.Equal(t, byte(i), buf[0])
				require.Equal(t, packetio.Attributes{{Key: "n", Value: i}}, attrs)
			}
			// Room again once read.
			_, err := q.Write(pkt)
			require.NoError(t, err)
		})
	}
}

func TestBoundedQueueDeadlineAndClose(t *testing.T) {
	q := newBoundedQueue(packetio.RTPBufferPacket, 1)
	d := q.(interface{ SetReadDeadline(time.Time) error })
	require.NoError(t, d.SetReadDeadline(time.Now().Add(-time.Second)))
	_, err := q.Read(make([]byte, 10))
	require.Error(t, err, "a past deadline ends the read")
	require.NoError(t, d.SetReadDeadline(time.Time{}))

	_, err = q.Write([]byte{1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, q.Close())
	n, err := q.Read(make([]byte, 10))
	require.NoError(t, err, "a closed queue is drained first")
	require.Equal(t, 3, n)
	_, err = q.Read(make([]byte, 10))
	require.True(t, errors.Is(err, io.EOF), "then EOF: %v", err)
}
