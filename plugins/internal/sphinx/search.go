package sphinx

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <stdlib.h>
#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

// searchName names the grammar or keyword search a Config adds.
const searchName = "parley"

// addSearch installs a grammar or keyword search, when cfg asks for one.
// Both go through a temporary file: pocketsphinx reads keyword lists only
// from files, and its JSGF string parser leaks about 7 KB per grammar
// (measured with mallinfo2), its file parser nothing.
func (d *Decoder) addSearch(cfg Config) error {
	name := C.CString(searchName)
	defer C.free(unsafe.Pointer(name))
	switch {
	case cfg.Grammar != "":
		err := withTempFile("parley-*.gram", cfg.Grammar, func(path *C.char) error {
			if C.ps_set_jsgf_file(d.ps, name, path) < 0 {
				return fmt.Errorf("%w: the JSGF grammar does not compile (or uses words missing from the dictionary)", ErrConfig)
			}
			return nil
		})
		if err != nil {
			return err
		}
	case len(cfg.Keyphrases) > 0:
		if missing := d.MissingWords(strings.Join(cfg.Keyphrases, " ")); len(missing) > 0 {
			return fmt.Errorf("%w: keyphrase words missing from the dictionary: %s", ErrConfig, strings.Join(missing, ", "))
		}
		err := withTempFile("parley-*.kws", keyphraseList(cfg.Keyphrases, cfg.threshold()), func(path *C.char) error {
			if C.ps_set_kws(d.ps, name, path) < 0 {
				return fmt.Errorf("%w: pocketsphinx rejected the keyphrases", ErrConfig)
			}
			return nil
		})
		if err != nil {
			return err
		}
	default:
		return nil
	}
	if C.ps_set_search(d.ps, name) < 0 {
		return fmt.Errorf("%w: cannot switch to the %s search", ErrConfig, searchName)
	}
	return nil
}

// keyphraseList is a pocketsphinx keyword file: "phrase /threshold/" per
// line.
func keyphraseList(phrases []string, threshold float64) string {
	var b strings.Builder
	for _, p := range phrases {
		fmt.Fprintf(&b, "%s /%s/\n", strings.ToLower(strings.Join(strings.Fields(p), " ")), strconv.FormatFloat(threshold, 'e', -1, 64))
	}
	return b.String()
}

// withTempFile writes content to a temporary file, calls use with its path
// and removes it: pocketsphinx reads the file during the call.
func withTempFile(pattern, content string, use func(path *C.char) error) error {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return fmt.Errorf("temporary file: %w", err)
	}
	defer func() { _ = os.Remove(f.Name()) }()
	_, werr := f.WriteString(content)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("temporary file: %w", werr)
	}
	path := C.CString(f.Name())
	defer C.free(unsafe.Pointer(path))
	return use(path)
}

// MissingWords returns the words of text (split on spaces, lower-cased)
// that the dictionary does not know.
func (d *Decoder) MissingWords(text string) []string {
	if d.ps == nil {
		return nil
	}
	var missing []string
	for _, w := range strings.Fields(strings.ToLower(text)) {
		cw := C.CString(w)
		pron := C.ps_lookup_word(d.ps, cw)
		C.free(unsafe.Pointer(cw))
		if pron == nil {
			missing = append(missing, w)
			continue
		}
		C.ckd_free(unsafe.Pointer(pron))
	}
	return missing
}
