package media

import (
	"io"
	"time"

	"github.com/pion/transport/v5/packetio"
)

// Receive queue bounds. Pion queues each incoming SRTP and SRTCP stream in
// a packetio.Buffer until it is read; pion/srtp's own bounds are 1 MB an
// SRTP stream and 100 KB an SRTCP one (srtpBufferSize, srtcpBufferSize in
// pion/srtp v3.1.3), and a packetio.Buffer never shrinks, so a queue that
// once reached a backlog keeps that memory for the rest of the call. For a
// conversation, audio queued more than a couple of seconds is stale (the
// pipeline drops caller audio a second behind), so the agent peer bounds
// its queues far lower: what does not fit is dropped, as Pion drops it
// at its own bounds.
const (
	// rtpQueuePackets is 2.4 s of 20 ms packets (Opus's and PCMU's usual
	// packet time in browsers), 12 s of Opus's longest 120 ms packets.
	rtpQueuePackets = 120
	// rtpQueueBytes bounds the bytes of those packets (a 20 ms Opus packet
	// is about 100 bytes, PCMU's 160).
	rtpQueueBytes = 64 << 10
	// rtcpQueuePackets and rtcpQueueBytes bound a stream's control packets
	// (reports every second or so, read as they come).
	rtcpQueuePackets = 32
	rtcpQueueBytes   = 16 << 10
)

// newBoundedQueue is the agent peer's SettingEngine.BufferFactory: a
// packetio.Buffer with the bounds above for each SRTP or SRTCP stream.
func newBoundedQueue(kind packetio.BufferPacketType, _ uint32) io.ReadWriteCloser {
	b := packetio.NewBuffer()
	if kind == packetio.RTCPBufferPacket {
		b.SetLimitCount(rtcpQueuePackets)
		b.SetLimitSize(rtcpQueueBytes)
	} else {
		b.SetLimitCount(rtpQueuePackets)
		b.SetLimitSize(rtpQueueBytes)
	}
	return &queue{b: b}
}

// queue adapts a packetio.Buffer to what pion/srtp reads and writes: an
// io.ReadWriteCloser that also carries packet attributes and a read
// deadline (packetio.Buffer's own Read and Write take attributes, so it
// cannot embed it). Errors pass through unwrapped: pion/srtp matches them
// (packetio.ErrFull drops the packet; io.EOF and deadlines end reads).
type queue struct {
	b *packetio.Buffer
}

func (q *queue) Read(p []byte) (int, error) {
	n, _, err := q.b.Read(p, nil)
	return n, err
}

func (q *queue) Write(p []byte) (int, error) {
	return q.b.Write(p, nil)
}

// ReadWithAttributes reads one packet and its attributes.
func (q *queue) ReadWithAttributes(p []byte, a packetio.Attributes) (int, packetio.Attributes, error) {
	return q.b.Read(p, a)
}

// WriteWithAttributes queues one packet and its attributes.
func (q *queue) WriteWithAttributes(p []byte, a packetio.Attributes) (int, error) {
	return q.b.Write(p, a)
}

// SetReadDeadline unblocks Read at t.
func (q *queue) SetReadDeadline(t time.Time) error {
	return q.b.SetReadDeadline(t)
}

func (q *queue) Close() error {
	return q.b.Close()
}
