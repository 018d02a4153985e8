package sphinx

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultModelDir is where Debian's pocketsphinx-en-us installs the US
// English models.
const DefaultModelDir = "/usr/share/pocketsphinx/model/en-us"

// DefaultKeywordThreshold is the detection threshold of keyword spotting
// when Config leaves it zero. Lower finds more (and more false) keywords.
const DefaultKeywordThreshold = 1e-20

// SampleRate is the only input rate the models accept.
const SampleRate = 16000

// BlockSamples is the size of the blocks pocketsphinx gets: 20 ms.
const BlockSamples = SampleRate / 50

// Config chooses a decoder's models and search. The search is the language
// model unless Keyphrases or Grammar is set (at most one of them).
type Config struct {
	HMM  string // acoustic model directory
	LM   string // n-gram language model (binary or ARPA)
	Dict string // pronunciation dictionary
	// Keyphrases switches to keyword spotting: the decoder reports only
	// these phrases (every word must be in Dict).
	Keyphrases []string
	// KeywordThreshold is the detection threshold of every keyphrase; zero
	// means DefaultKeywordThreshold.
	KeywordThreshold float64
	// Grammar switches to a JSGF grammar (the grammar's text, not a path).
	Grammar string
}

// DefaultConfig is the US English model with its large vocabulary language
// model.
func DefaultConfig() Config {
	return Config{
		HMM:  filepath.Join(DefaultModelDir, "en-us"),
		LM:   filepath.Join(DefaultModelDir, "en-us.lm.bin"),
		Dict: filepath.Join(DefaultModelDir, "cmudict-en-us.dict"),
	}
}

// Key identifies the configuration: two configs with equal keys make
// identical decoders.
func (c Config) Key() string {
	var b strings.Builder
	for _, s := range []string{c.HMM, c.LM, c.Dict, c.Grammar, strconv.FormatFloat(c.threshold(), 'g', -1, 64)} {
		b.WriteString(strconv.Quote(s))
		b.WriteByte(' ')
	}
	for _, k := range c.Keyphrases {
		b.WriteString(strconv.Quote(k))
		b.WriteByte(' ')
	}
	return b.String()
}

func (c Config) threshold() float64 {
	if c.KeywordThreshold == 0 {
		return DefaultKeywordThreshold
	}
	return c.KeywordThreshold
}

// args is the pocketsphinx command line of the configuration. The
// language model is left out when another search replaces it, which saves
// most of the load time and memory.
func (c Config) args() ([]string, error) {
	if c.HMM == "" || c.Dict == "" {
		return nil, fmt.Errorf("%w: an acoustic model and a dictionary are required", ErrConfig)
	}
	if len(c.Keyphrases) > 0 && c.Grammar != "" {
		return nil, fmt.Errorf("%w: keyphrases and a grammar cannot be used together", ErrConfig)
	}
	args := []string{"parley", "-hmm", c.HMM, "-dict", c.Dict, "-samprate", strconv.Itoa(SampleRate)}
	if len(c.Keyphrases) == 0 && c.Grammar == "" {
		if c.LM == "" {
			return nil, fmt.Errorf("%w: a language model, keyphrases or a grammar is required", ErrConfig)
		}
		args = append(args, "-lm", c.LM)
	}
	return args, nil
}
