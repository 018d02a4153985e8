// Package sphinx wraps the pocketsphinx 5prealpha C library (Debian's
// libpocketsphinx-dev, the 0.8-style API) in a Decoder: audio in, text out.
//
// A Decoder is not safe for concurrent use (neither is ps_decoder_t);
// separate decoders may run in parallel. Loading one takes about 0.3 s with
// the default language model, so callers keep them in a pool.
package sphinx

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <stdlib.h>
#include <pocketsphinx.h>

void *parley_cmn_save(ps_decoder_t *ps);
void parley_cmn_restore(ps_decoder_t *ps, void *saved);
void parley_cmn_free(void *saved);
double parley_word_confidence(ps_decoder_t *ps);
*/
import "C"

import (
	"fmt"
	"os"
	"strings"
	"unsafe"
)

// Result is the outcome of one utterance.
type Result struct {
	Text       string
	Confidence float64 // mean posterior probability of the words of Text, 0..1; 0 when unknown
}

// Decoder recognises speech, one utterance at a time.
type Decoder struct {
	ps     *C.ps_decoder_t
	config *C.cmd_ln_t
	// argv stays allocated as long as config: cmd_ln_parse_r keeps
	// pointers into it as its hash keys.
	argv  []*C.char
	cmn   unsafe.Pointer // the initial CMN state, C memory
	inUtt bool
	// block holds the samples of an incomplete block: carry of them.
	block [BlockSamples]int16
	carry int
	// grammar: a JSGF search, whose hypotheses have no posterior.
	grammar bool
}

// New loads the models of cfg. The caller must Close the decoder.
func New(cfg Config) (*Decoder, error) {
	args, err := cfg.args()
	if err != nil {
		return nil, err
	}
	for _, p := range []string{cfg.HMM, cfg.Dict, cfg.LM} {
		if p == "" {
			continue
		}
		// Some pocketsphinx load failures exit the process: check first.
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	routeLog()
	d := &Decoder{}
	for _, a := range args {
		d.argv = append(d.argv, C.CString(a))
	}
	d.config = C.cmd_ln_parse_r(nil, C.ps_args(), C.int32(len(d.argv)), &d.argv[0], 1)
	if d.config == nil {
		d.Close()
		return nil, fmt.Errorf("%w: pocketsphinx rejected the arguments %q", ErrConfig, args[1:])
	}
	d.ps = C.ps_init(d.config)
	if d.ps == nil {
		d.Close()
		return nil, fmt.Errorf("%w: pocketsphinx could not load the models (hmm %s, dict %s, lm %s)", ErrConfig, cfg.HMM, cfg.Dict, cfg.LM)
	}
	if err := d.addSearch(cfg); err != nil {
		d.Close()
		return nil, err
	}
	d.cmn = C.parley_cmn_save(d.ps)
	d.grammar = cfg.Grammar != ""
	return d, nil
}

// Process decodes the next samples (16 kHz mono), starting an utterance
// if none is open. pcm is not kept. pocketsphinx gets the audio in blocks
// of BlockSamples whatever the caller's framing (the remainder waits for
// the next call or End), because its running cepstral mean is updated per
// block: the result then depends only on the audio.
func (d *Decoder) Process(pcm []int16) error {
	if d.ps == nil {
		return ErrClosed
	}
	if len(pcm) == 0 {
		return nil
	}
	if !d.inUtt {
		if C.ps_start_utt(d.ps) < 0 {
			return fmt.Errorf("%w: cannot start an utterance", ErrDecode)
		}
		d.inUtt = true
	}
	if d.carry > 0 {
		n := copy(d.block[d.carry:], pcm)
		d.carry += n
		pcm = pcm[n:]
		if d.carry < BlockSamples {
			return nil
		}
		d.carry = 0
		if err := d.feed(d.block[:]); err != nil {
			return err
		}
	}
	for len(pcm) >= BlockSamples {
		if err := d.feed(pcm[:BlockSamples]); err != nil {
			return err
		}
		pcm = pcm[BlockSamples:]
	}
	d.carry = copy(d.block[:], pcm)
	return nil
}

// feed hands samples to pocketsphinx, which copies them: the Go memory is
// only read during the call, as the cgo pointer rules require.
func (d *Decoder) feed(pcm []int16) error {
	if len(pcm) == 0 {
		return nil
	}
	if C.ps_process_raw(d.ps, (*C.int16)(unsafe.Pointer(&pcm[0])), C.size_t(len(pcm)), 0, 0) < 0 {
		return fmt.Errorf("%w: ps_process_raw failed", ErrDecode)
	}
	return nil
}

// InUtterance reports whether audio was processed since the last End.
func (d *Decoder) InUtterance() bool { return d.inUtt }

// InSpeech reports whether the last processed samples held speech.
func (d *Decoder) InSpeech() bool {
	if d.ps == nil || !d.inUtt {
		return false
	}
	return C.ps_get_in_speech(d.ps) != 0
}

// Hyp is the current best hypothesis of the open utterance ("" for none).
func (d *Decoder) Hyp() string {
	if d.ps == nil || !d.inUtt {
		return ""
	}
	return d.hyp()
}

func (d *Decoder) hyp() string {
	var score C.int32
	h := C.ps_get_hyp(d.ps, &score)
	if h == nil {
		return ""
	}
	return strings.Join(strings.Fields(C.GoString(h)), " ")
}

// End closes the open utterance and returns its final result (empty text
// when nothing was recognised or no audio came).
func (d *Decoder) End() (Result, error) {
	if d.ps == nil {
		return Result{}, ErrClosed
	}
	if !d.inUtt {
		return Result{}, nil
	}
	d.inUtt = false
	rest := d.block[:d.carry]
	d.carry = 0
	if err := d.feed(rest); err != nil {
		_ = C.ps_end_utt(d.ps)
		return Result{}, err
	}
	if C.ps_end_utt(d.ps) < 0 {
		return Result{}, fmt.Errorf("%w: cannot end the utterance", ErrDecode)
	}
	r := Result{Text: d.hyp()}
	if r.Text != "" {
		r.Confidence = d.confidence()
	}
	return r, nil
}

// confidence is the mean posterior probability of the hypothesis' words:
// about 0.8-0.9 when every word is right, 0.4-0.6 when some are wrong.
// (The posterior of the whole sentence, ps_get_prob, is a product over the
// words and is near 0 for any sentence of more than a few words.) A
// grammar search always reports 1 (its one path), which says nothing: 0.
func (d *Decoder) confidence() float64 {
	if d.grammar {
		return 0
	}
	c := float64(C.parley_word_confidence(d.ps))
	if c < 0 {
		return 0
	}
	return min(c, 1)
}

// Reset drops the open utterance, if any, and forgets what the decoder
// learnt about the last caller's line (noise level, cepstral mean), so
// that it serves the next caller as a freshly loaded one would: the same
// words, with confidences that can differ in the 4th decimal (pocketsphinx
// keeps a cache of the best Gaussians of the last frames, which is out of
// reach).
func (d *Decoder) Reset() error {
	if d.ps == nil {
		return ErrClosed
	}
	d.carry = 0
	if d.inUtt {
		d.inUtt = false
		if C.ps_end_utt(d.ps) < 0 {
			return fmt.Errorf("%w: cannot end the utterance", ErrDecode)
		}
	}
	// The front end's noise estimate is per stream, the cepstral mean is
	// ours to put back.
	if C.ps_start_stream(d.ps) < 0 {
		return fmt.Errorf("%w: cannot restart the stream", ErrDecode)
	}
	C.parley_cmn_restore(d.ps, d.cmn)
	return nil
}

// Close frees the decoder's C memory. It is safe to call more than once;
// every other method returns ErrClosed afterwards.
func (d *Decoder) Close() {
	if d.ps != nil {
		C.ps_free(d.ps)
		d.ps = nil
	}
	if d.config != nil {
		C.cmd_ln_free_r(d.config)
		d.config = nil
	}
	for _, a := range d.argv {
		C.free(unsafe.Pointer(a))
	}
	d.argv = nil
	if d.cmn != nil {
		C.parley_cmn_free(d.cmn)
		d.cmn = nil
	}
	d.inUtt = false
	d.carry = 0
}
