package pipeline

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/endpoint"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/turn"
)

// preRoll is how much audio before the detected start of speech goes to
// STT with it, so the first syllable is not cut.
const preRoll = 300 * time.Millisecond

// prosodySpan is how much of the end of a turn's speech the end-of-turn
// estimate reads (endpoint.Analyse): enough for a speech rate.
const prosodySpan = 1500 * time.Millisecond

// uturn is a caller's turn on its way to a reply.
type uturn struct {
	speechStart time.Time
	speechEnd   time.Time
	endOfTurn   time.Time // when the turn detector ended it (EndUtterance)
	final       time.Time // when its final transcript came
	text        string
	language    string // what the STT heard it in; empty when it did not say
	// overAgent: the caller started it while the agent was talking, so it
	// interrupts the agent only once it passes the barge-in thresholds.
	overAgent bool
	words     int    // words in its latest partial transcript
	partial   string // its latest partial transcript
	dropped   bool   // it ended with the agent still talking: no reply
	// held: the agent paused for it (backchannels), and heldReply is the
	// reply paused; resumed: its words were an acknowledgement, and the
	// agent went on at the end of its speech.
	held      bool
	heldReply *reply
	resumed   bool
	// Speculation: ghost stands in c.finals for the final transcript
	// asked for at the start of the adaptive wait (sttAsked), when the
	// speech ended at specAt; specReply is the reply written from it.
	// ghostOf (on a ghost) is the turn it speaks for; discarded, that
	// the caller went on and its final is of no use.
	ghost     *uturn
	ghostOf   *uturn
	discarded bool
	specAt    int64
	specReply *reply
	sttAsked  time.Time
	// wait is the end-of-turn silence decided for it (adaptive), or the
	// fixed one; prosody is the end of its speech as last analysed, at
	// prosodyAt (the detector's speechEnd then).
	wait      time.Duration
	prosody   endpoint.Prosody
	prosodyAt int64
	// textCap, when capped, bounds the text cue: the speculation's final
	// rewrote the end of the partial before it, and the recogniser's
	// change of mind is no evidence that the caller is done.
	textCap endpoint.Cue
	capped  bool
	// before is the caller's turn this one goes on with (a false end of
	// turn: see continues); they are answered and stored as one.
	before *uturn
}

// said is what the caller said in t, after the turns it goes on with:
// what the agent answers, scores and stores.
func (t *uturn) said() string {
	if t.before == nil {
		return t.text
	}
	return strings.TrimSpace(t.before.said() + " " + t.text)
}

// began is when the caller began t, or the first of the turns it goes on
// with.
func (t *uturn) began() time.Time {
	if t.before == nil {
		return t.speechStart
	}
	return t.before.began()
}

// sttEvent is what the STT reader hands the loop.
type sttEvent struct {
	stream provider.STTStream
	tr     provider.Transcript
	err    error // the stream ended
}

// listener is the listening half of a conversation, owned by the loop.
type listener struct {
	c       *conversation
	vad     VADStream
	det     turnDetector
	policy  endpoint.Policy // the adaptive end-of-turn wait
	pos     int64           // samples heard
	scored  int64           // samples the VAD has scored
	ring    []int16         // at least the last preRoll+MinSpeech+a window of audio
	ringEnd int64           // position just after ring's last sample
	stream  provider.STTStream
	feed    *sttFeed // hands stream its audio, off the loop
	turn    *uturn   // the turn being sent to STT, nil between turns
	// turnAudio is the turn's audio as sent to STT (pre-roll included),
	// kept to send again when a speculation is discarded: the STT
	// finished an utterance at the pause, and the turn goes on with all of
	// its audio.
	turnAudio []int16

	blockEnergy []float64 // voicedEnd's scratch
	speechPeak  float64   // loudest 4 ms block energy of recent windows

	heardAt time.Time   // when the frame ending at pos arrived
	eot     *time.Timer // the turn's end-of-turn deadline between frames
	eotPos  int64       // the position eot is armed for, 0 when stopped
}

func newListener(c *conversation, vad VADStream) listener {
	tt := c.spec.TurnTaking
	minSilence, maxSilence := tt.Silences()
	l := listener{
		c:   c,
		vad: vad,
		det: turnDetector{cfg: TurnConfig{
			MinSpeech:  time.Duration(tt.MinSpeech),
			MinSilence: minSilence,
			MaxSilence: maxSilence,
			MaxTurn:    time.Duration(tt.MaxTurn),
			Threshold:  0.5,
			Release:    0.35,
		}},
		policy: endpoint.Policy{MinSilence: minSilence, MaxSilence: maxSilence, Eagerness: endpoint.Eagerness(tt.Eagerness)},
	}
	keep := samples(preRoll+time.Duration(tt.MinSpeech)) + int64(vad.WindowSamples()) + media.SinkFrameSamples
	keep = max(keep, samples(prosodySpan)+int64(vad.WindowSamples())+media.SinkFrameSamples)
	l.ring = make([]int16, 0, 2*keep)
	l.eot = time.NewTimer(time.Hour)
	l.eot.Stop()
	return l
}

// at returns the wall time of sample position p, given that sample pos
// arrived at now.
func (l *listener) at(p int64, now time.Time) time.Time {
	return now.Add(-time.Duration(l.pos-p) * time.Second / rate)
}

// hear takes one caller frame.
func (c *conversation) hear(f *frame) {
	l := &c.lis
	pcm := f.pcm[:]
	l.pos += int64(len(pcm))
	l.heardAt = f.at
	l.remember(pcm)
	// A turn already under way gets this frame now; one that starts in it
	// gets it with its pre-roll.
	if l.turn != nil {
		l.send(pcm)
	}
	probs, err := l.vad.Write(pcm)
	if err != nil {
		c.log.Error("vad failed", "err", err)
	}
	win := int64(l.vad.WindowSamples())
	for _, p := range probs {
		start := l.scored
		l.scored += win
		voiced := l.scored
		if p >= l.det.cfg.Threshold { // only a confident window can end the speech
			voiced = l.voicedEnd(start, l.scored)
		}
		if l.det.Window(p, start, l.scored, voiced) == speechStarted {
			c.onSpeech(f.at)
		}
		c.checkBargeIn(f.at)
	}
	if t := l.turn; t != nil && t.ghost != nil && l.det.speechEnd > t.specAt {
		c.discardSpeculation(t)
	}
	switch l.det.Advance(l.pos) {
	case turnEnded:
		if l.turn != nil {
			c.onTurnEnd()
		}
	case waitDue:
		c.decideWait(l.pos)
	}
	l.armEndOfTurn()
}

// armEndOfTurn sets the end-of-turn deadline to the wall time at which the
// turn's silence will have lasted its wait (or min_silence, when the
// adaptive wait is still to be decided), so the turn ends then and not
// when the next frame happens to arrive (up to 20 ms later), nor never
// when a client stops sending audio in silence.
func (l *listener) armEndOfTurn() {
	due, ok := l.det.Due()
	if !ok || l.turn == nil {
		if l.eotPos != 0 {
			l.eot.Stop()
			l.eotPos = 0
		}
		return
	}
	if due == l.eotPos {
		return
	}
	l.eotPos = due
	l.eot.Reset(time.Until(l.at(due, l.heardAt)))
}

// endOfTurnDue handles the end-of-turn deadline: after the frames already
// queued (one may hold speech that moves it), the turn ends if the
// deadline still stands. A frame can also reach the deadline itself and
// re-arm it further (a wait decided at min_silence): the deadline that
// fired is compared, not the one armed now.
func (c *conversation) endOfTurnDue() {
	l := &c.lis
	fired := l.eotPos
	for drained := false; !drained; {
		select {
		case f := <-c.frames:
			c.hear(f)
			c.pool.Put(f)
		default:
			drained = true
		}
	}
	due, ok := l.det.Due()
	if !ok || l.turn == nil || due != fired {
		return // ended by a frame, or moved by one (and re-armed)
	}
	l.eotPos = 0
	if l.det.Deciding() {
		c.decideWait(l.nowPos())
		l.armEndOfTurn()
		return
	}
	l.det.Reset()
	c.onTurnEnd()
}

// nowPos is the sample position of the wall clock's now: the frame clock
// stands still between frames (and when a client stops sending audio).
func (l *listener) nowPos() int64 {
	return l.pos + samples(time.Since(l.heardAt))
}

// decideWait sets the turn's end-of-turn silence from how finished it
// sounds (its partial transcript, the prosody of the end of its speech),
// and ends it if that much silence has already passed at pos. It runs when
// the silence reaches min_silence, and again when a new partial transcript
// comes during the silence.
func (c *conversation) decideWait(pos int64) {
	l := &c.lis
	t := l.turn
	if t == nil {
		return
	}
	if t.prosodyAt != l.det.speechEnd {
		t.prosody = endpoint.Analyse(l.recent(l.det.speechEnd-samples(prosodySpan), l.det.speechEnd), rate)
		t.prosodyAt = l.det.speechEnd
	}
	text := endpoint.Text(c.language(), t.partial)
	if t.capped {
		text = min(text, t.textCap)
	}
	t.wait = l.policy.Wait(endpoint.Signals{Text: text, Prosody: t.prosody})
	if t.held && !c.bc.Match(t.partial) {
		// Speech that paused the agent and is not (yet) an
		// acknowledgement: a short pause inside it ("No, | the delivery
		// was for Tuesday") must not end it, or its first words, misheard,
		// would let the agent go on before the rest stops it.
		t.wait = max(t.wait, heldWait)
	}
	c.log.Debug("end of turn decided", "wait", t.wait, "silence", l.det.Silence(pos), "words", t.partial, "text_cue", float64(text),
		"prosody_cue", float64(t.prosody.Cue()), "speculating", t.ghost != nil, "final", !t.final.IsZero())
	if t.ghost != nil && t.final.IsZero() {
		c.holdForFinal(t)
		return
	}
	l.det.Decide(t.wait)
	if due, ok := l.det.Due(); ok && pos >= due {
		t.wait = max(t.wait, l.det.Silence(pos)) // what was waited, a late final included
		l.det.Reset()
		c.onTurnEnd()
		return
	}
	c.maybeSpeculate(t)
	if t.ghost != nil && t.final.IsZero() {
		c.holdForFinal(t)
	}
}

// heldWait is the least end-of-turn silence of speech that paused the
// agent and is not an acknowledgement by its partial transcript: longer
// than the pause after a first word or two ("No, ...", "Excuse me, ...").
const heldWait = 500 * time.Millisecond

// holdForFinal keeps the turn open, within max_silence, until the final
// transcript a speculation asked for comes: its words are the best cue of
// how finished the caller is (a partial can lag the speech by a word or
// two: "I want to change" for "I want to change my"), and the reply
// cannot start before it anyway. The final decides the wait again; if it
// does not come, max_silence is what t waits.
func (c *conversation) holdForFinal(t *uturn) {
	t.wait = c.lis.det.cfg.MaxSilence
	c.lis.det.Decide(t.wait)
}

// recent returns the remembered audio between positions from and to, as
// much of it as the ring still holds.
func (l *listener) recent(from, to int64) []int16 {
	first := l.ringEnd - int64(len(l.ring))
	from, to = max(from, first), min(to, l.ringEnd)
	if from >= to {
		return nil
	}
	return l.ring[from-first : to-first]
}

// tailBlock is the resolution of voicedEnd: 4 ms.
const tailBlock = rate / 250

// speechFloor is how far below the loudest recent speech a 4 ms block may
// be and still count as sound: 35 dB (as an energy ratio).
const speechFloor = 3162

// voicedEnd returns where the sound of the window [start, end) ends: the
// end of its last 4 ms block within 35 dB of the loudest block of recent
// speech, or start when it has none. The VAD's probability lags the
// speech by a window or so; this puts the end of speech where the sound
// stopped, not where the model noticed.
func (l *listener) voicedEnd(start, end int64) int64 {
	first := l.ringEnd - int64(len(l.ring))
	if start < first || end > l.ringEnd {
		return end
	}
	w := l.ring[start-first : end-first]
	energies := l.blockEnergy[:0]
	var peak float64
	for i := 0; i+tailBlock <= len(w); i += tailBlock {
		var e float64
		for _, v := range w[i : i+tailBlock] {
			e += float64(v) * float64(v)
		}
		energies = append(energies, e)
		peak = max(peak, e)
	}
	l.blockEnergy = energies
	// The reference decays with every confident window, so that one shout
	// does not make the rest of the call "silent".
	l.speechPeak = max(peak, l.speechPeak*0.9)
	for i := len(energies) - 1; i >= 0; i-- {
		if energies[i]*speechFloor >= l.speechPeak {
			return start + int64(i+1)*tailBlock
		}
	}
	return start
}

// remember keeps the recent audio for the pre-roll: at least the last
// cap/2 samples. The ring is compacted only when full, so most frames are
// one append, not a copy of the whole ring.
func (l *listener) remember(pcm []int16) {
	if len(l.ring)+len(pcm) > cap(l.ring) {
		keep := max(cap(l.ring)/2-len(pcm), 0)
		l.ring = append(l.ring[:0], l.ring[len(l.ring)-keep:]...)
	}
	l.ring = append(l.ring, pcm...)
	l.ringEnd = l.pos
}

// onSpeech: the caller has spoken for min_speech. Start sending the turn
// to STT from just before its start; over a talking agent the turn is
// marked, and checkBargeIn decides when it interrupts.
func (c *conversation) onSpeech(now time.Time) {
	l := &c.lis
	c.heard()
	if c.life.ending != "" {
		l.det.Reset() // the agent is saying goodbye
		return
	}
	over := c.reply != nil && c.reply.speaking()
	if over && !c.spec.TurnTaking.BargeIn {
		l.det.Reset() // the agent has the floor
		return
	}
	if !l.open() {
		l.det.Reset()
		return
	}
	l.turn = &uturn{speechStart: l.at(l.det.segStart, now), overAgent: over, prosodyAt: -1}
	l.turnAudio = l.turnAudio[:0]
	// The turn so far, and a little before it.
	from := max(l.det.segStart-samples(preRoll), l.ringEnd-int64(len(l.ring)))
	l.send(l.ring[from-(l.ringEnd-int64(len(l.ring))):])
}

// open makes sure an STT stream is open.
func (l *listener) open() bool {
	if l.stream != nil {
		return true
	}
	c := l.c
	st, err := c.prov.STT.StreamSTT(c.ctx, turn.STTConfig(c.spec, rate))
	if err != nil {
		c.providerFailed("stt", err)
		return false
	}
	l.stream = st
	l.feed = newSTTFeed(c, st)
	go func() {
		defer fault.Recover(metrics.ComponentPipeline, c.fault)
		for {
			tr, err := st.Recv()
			select {
			case c.stt <- sttEvent{stream: st, tr: tr, err: err}:
			case <-c.ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return true
}

// send streams audio of the current turn to STT, and keeps it. While a
// speculation stands (the STT finished an utterance at the pause) the
// audio is only kept: it goes to STT with the rest of the turn if the
// caller goes on.
func (l *listener) send(pcm []int16) {
	if len(l.turnAudio)+len(pcm) <= l.maxTurnAudio() {
		l.turnAudio = append(l.turnAudio, pcm...)
	}
	if l.turn != nil && l.turn.ghost != nil {
		return
	}
	l.sttSend(pcm)
}

// maxTurnAudio bounds turnAudio: the longest turn and its pre-roll.
func (l *listener) maxTurnAudio() int {
	return int(samples(l.det.cfg.MaxTurn+preRoll)) + media.SinkFrameSamples
}

// sttSend queues pcm for the STT stream.
func (l *listener) sttSend(pcm []int16) {
	if l.stream == nil || len(pcm) == 0 {
		return
	}
	if !l.feed.audio(pcm) {
		l.c.sttFailed(l.stream, errSTTBehind)
	}
}

// endUtterance queues the end of the utterance for the STT stream; false
// when the stream failed for it.
func (l *listener) endUtterance() bool {
	if !l.feed.endUtterance() {
		l.c.sttFailed(l.stream, errSTTBehind)
		return false
	}
	return true
}

// onTurnEnd: the caller has been silent for the turn's wait.
func (c *conversation) onTurnEnd() {
	l := &c.lis
	t := l.turn
	l.turn = nil
	t.speechEnd = l.at(l.det.speechEnd, l.heardAt)
	t.endOfTurn = time.Now()
	if t.wait == 0 {
		t.wait = l.det.cfg.MinSilence // fixed, or ended by max_turn first
	}
	// Speech over the agent that never passed the barge-in thresholds
	// (a cough, an "uh-huh") is not a turn: the agent goes on. Its final
	// is still awaited, so the next one is matched to its own turn.
	t.dropped = t.overAgent && !t.held && c.reply != nil && c.reply.speaking()
	// An acknowledgement already in the partial transcript lets the agent
	// go on now; the final transcript is stored when it comes.
	if t.held && t.heldReply == c.reply && c.reply.speaking() && c.bc.Match(t.partial) {
		c.log.Debug("backchannel: the agent goes on", "heard", t.partial)
		t.resumed = true
		c.resume()
	}
	if c.confirmSpeculation(t) {
		return
	}
	if l.stream == nil {
		return
	}
	t.sttAsked = t.endOfTurn
	if !l.endUtterance() {
		return
	}
	c.finals = append(c.finals, t)
}

// onTranscript handles what the STT stream said.
func (c *conversation) onTranscript(ev sttEvent) {
	if ev.stream != c.lis.stream {
		return // from a stream already given up
	}
	if ev.err != nil {
		if !errors.Is(ev.err, io.EOF) {
			c.sttFailed(ev.stream, ev.err)
		}
		return
	}
	if !ev.tr.Final {
		if ev.tr.Text != "" {
			c.emit(EventTranscript, map[string]any{"text": ev.tr.Text, "final": false})
		}
		c.onPartial(ev.tr.Text)
		return
	}
	if len(c.finals) == 0 {
		return // a final nobody asked for
	}
	t := c.finals[0]
	c.finals = c.finals[1:]
	if t.ghostOf != nil {
		c.onSpeculativeFinal(t, ev.tr)
		return
	}
	if t.dropped {
		c.log.Debug("speech over the agent ignored", "text", ev.tr.Text)
		return
	}
	if c.backchannel(t, ev.tr.Text) {
		return
	}
	c.heardFinal(t, ev.tr)
	c.answer(t)
}

// heardFinal keeps the final transcript of t.
func (c *conversation) heardFinal(t *uturn, tr provider.Transcript) {
	t.final = time.Now()
	t.text = tr.Text
	t.language = tr.Language
	if tr.Language != "" && t.text != "" {
		c.heardIn = tr.Language
	}
}

// answer tells the clients the final transcript of the ended turn t, and
// answers it.
func (c *conversation) answer(t *uturn) {
	if chaosHook != nil {
		chaosHook(c.spec.Name, t.text)
	}
	c.emit(EventTranscript, map[string]any{"text": t.text, "final": true})
	if t.said() == "" || c.life.ending != "" {
		return // noise the recogniser found no words in, or the call is ending
	}
	c.startReply(t, "")
}

// sttFailed gives up a broken STT stream: the turns waiting for it get an
// apology, and the next turn opens a new stream.
func (c *conversation) sttFailed(st provider.STTStream, err error) {
	l := &c.lis
	if st != l.stream {
		return
	}
	_ = st.Close()
	l.feed.close()
	l.stream, l.feed = nil, nil
	if t := l.turn; t != nil && t.ghost != nil {
		c.discardSpeculation(t) // its audio goes nowhere: the stream is gone
	}
	lost := l.turn != nil || len(c.finals) > 0 // a turn was under way
	l.turn = nil
	l.det.Reset()
	c.finals = nil
	c.providerFailed("stt", err)
	if lost {
		c.apologise()
	}
}

func (c *conversation) closeListener() {
	c.lis.eot.Stop()
	if st := c.lis.stream; st != nil {
		_ = st.Close()
		c.lis.feed.close()
	}
	_ = c.lis.vad.Close()
}
