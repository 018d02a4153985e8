package call

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParsePhoneNumber checks that any string is either a typed error with
// a message of bounded size, or a normalised number that is stable: its
// String and E164 forms parse back to the same number, it holds only
// digits after an optional "+", and it is at most 16 characters long.
func FuzzParsePhoneNumber(f *testing.F) {
	for _, s := range []string{
		"01012345678", "010-1234-5678", " 010.1234.5678 ", "(02) 1234-5678", "1588-1234",
		"+82 (0)10 1234 5678", "+8221234567", "+14155552671", "+44 20 7946 0958",
		"", "abc", "+0123456789", "++821012345678", "0101234５678", "+82", "+820", "+8200000000",
	} {
		f.Add(s)
	}
	f.Add(strings.Repeat("010-", 4096)) // the error quotes only the start
	f.Add("+82" + strings.Repeat("\U0010FFFF", 1000))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePhoneNumber(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidPhoneNumber) {
				t.Fatalf("error %v is not ErrInvalidPhoneNumber", err)
			}
			if len(err.Error()) > maxEcho*10+200 {
				t.Fatalf("error message of %d bytes for %d bytes of input", len(err.Error()), len(s))
			}
			return
		}
		v := p.String()
		if p.IsZero() || len(v) > 16 || strings.Trim(strings.TrimPrefix(v, "+"), "0123456789") != "" {
			t.Fatalf("ParsePhoneNumber(%q) = %q", s, v)
		}
		for _, form := range []string{v, p.E164()} {
			q, err := ParsePhoneNumber(form)
			if err != nil || q != p {
				t.Fatalf("ParsePhoneNumber(%q) = %q; its form %q parses as %q, %v", s, v, form, q, err)
			}
		}
		if r := p.Redacted(); len(r) != len(v) || !strings.HasSuffix(v, strings.TrimLeft(r, "*")) {
			t.Fatalf("Redacted() = %q for %q", r, v)
		}
	})
}
