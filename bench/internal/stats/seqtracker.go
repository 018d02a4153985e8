package stats

// SeqTracker counts RTP packets lost on one stream from sequence-number gaps,
// the RFC 3550 way: expected = highest extended sequence number seen - first
// + 1, lost = expected - received. Sequence numbers wrap at 65536; a packet
// more than half the space behind the highest is taken as late, not as a
// wrap. A back-to-back duplicate counts as received (as in RFC 3550), so it
// can hide a loss; Duplicates reports how many were seen.
type SeqTracker struct {
	started    bool
	base       int64 // lowest extended sequence number seen
	highest    int64
	received   uint64
	late       uint64
	duplicates uint64
	last       int64
}

// extend places seq in the 16-bit cycle closest to ref.
func extend(ref int64, seq uint16) int64 {
	ext := ref&^0xFFFF | int64(seq)
	switch {
	case ext-ref > 1<<15:
		ext -= 1 << 16
	case ref-ext > 1<<15:
		ext += 1 << 16
	}
	return ext
}

// Add records one received packet.
func (s *SeqTracker) Add(seq uint16) {
	s.received++
	if !s.started {
		s.started = true
		s.base, s.highest, s.last = int64(seq), int64(seq), int64(seq)
		return
	}
	ext := extend(s.highest, seq)
	switch {
	case ext == s.last:
		s.duplicates++
	case ext > s.highest:
		s.highest = ext
	default:
		s.late++
	}
	s.last = ext
	s.base = min(s.base, ext)
}

// Loss is the loss of one or more streams.
type Loss struct {
	Expected   uint64  `json:"expected"`
	Received   uint64  `json:"received"`
	Lost       uint64  `json:"lost"`
	Late       uint64  `json:"late"`
	Duplicates uint64  `json:"duplicates"`
	Percent    float64 `json:"percent"`
}

// Loss returns the tracker's counts.
func (s *SeqTracker) Loss() Loss {
	if !s.started {
		return Loss{}
	}
	l := Loss{Expected: uint64(s.highest - s.base + 1), Received: s.received, Late: s.late, Duplicates: s.duplicates}
	if l.Expected > l.Received {
		l.Lost = l.Expected - l.Received
	}
	l.Percent = PercentOf(l.Lost, l.Expected)
	return l
}

// Add sums two losses.
func (l Loss) Add(o Loss) Loss {
	s := Loss{
		Expected: l.Expected + o.Expected, Received: l.Received + o.Received, Lost: l.Lost + o.Lost,
		Late: l.Late + o.Late, Duplicates: l.Duplicates + o.Duplicates,
	}
	s.Percent = PercentOf(s.Lost, s.Expected)
	return s
}
