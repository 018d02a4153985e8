package call

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// PhoneNumber is a validated, normalised phone number. Korean numbers are
// kept in national form without separators ("01012345678", "021234567"), as
// the original API returns them; other E.164 numbers keep their "+" form.
type PhoneNumber struct {
	v string
}

// maxEcho is how many characters of a refused number its error quotes:
// the message goes back to the client and into logs.
const maxEcho = 40

// echo shortens s for an error message.
func echo(s string) string {
	if utf8.RuneCountInString(s) <= maxEcho {
		return s
	}
	return string([]rune(s)[:maxEcho]) + "…"
}

// ParsePhoneNumber accepts Korean mobile, landline, VoIP (070) and
// nationwide service numbers with or without dashes, spaces, dots or
// brackets, and E.164 numbers ("+821012345678", "+14155552671").
func ParsePhoneNumber(s string) (PhoneNumber, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return PhoneNumber{}, fmt.Errorf("%w: empty", ErrInvalidPhoneNumber)
	}
	plus := strings.HasPrefix(raw, "+")
	if plus {
		raw = raw[1:]
	}
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '.' || r == '(' || r == ')':
		default:
			return PhoneNumber{}, fmt.Errorf("%w: %q has the character %q", ErrInvalidPhoneNumber, echo(s), r)
		}
	}
	digits := b.String()
	if plus {
		if rest, ok := strings.CutPrefix(digits, "82"); ok {
			rest = strings.TrimPrefix(rest, "0") // "+82 (0)10 ..." is a common way to write it
			national := "0" + rest
			if len(rest) == 8 && hasAnyPrefix(rest, "15", "16", "18") {
				national = rest // service numbers have no trunk prefix
			}
			if !koreanNumber(national) {
				return PhoneNumber{}, fmt.Errorf("%w: %q is not a Korean mobile or landline number", ErrInvalidPhoneNumber, echo(s))
			}
			return PhoneNumber{v: national}, nil
		}
		// E.164: country code 1-9 first, at most 15 digits in all.
		if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return PhoneNumber{}, fmt.Errorf("%w: %q is not an E.164 number (+, country code, 8 to 15 digits)", ErrInvalidPhoneNumber, echo(s))
		}
		return PhoneNumber{v: "+" + digits}, nil
	}
	if !koreanNumber(digits) {
		return PhoneNumber{}, fmt.Errorf("%w: %q is not a Korean number such as 010-1234-5678 or 02-123-4567, nor E.164 such as +821012345678", ErrInvalidPhoneNumber, echo(s))
	}
	return PhoneNumber{v: digits}, nil
}

// koreanNumber reports whether digits (national form, no separators) is a
// Korean mobile, landline, VoIP or service number.
func koreanNumber(d string) bool {
	if !allDigits(d) {
		return false
	}
	n := len(d)
	switch {
	case strings.HasPrefix(d, "010"):
		return n == 11
	case hasAnyPrefix(d, "011", "016", "017", "018", "019"): // legacy mobile
		return n == 10 || n == 11
	case strings.HasPrefix(d, "02"): // Seoul: 02 + 3-4 + 4
		return n == 9 || n == 10
	case hasAnyPrefix(d, "031", "032", "033", "041", "042", "043", "044",
		"051", "052", "053", "054", "055", "061", "062", "063", "064", "070"):
		return n == 10 || n == 11
	case hasAnyPrefix(d, "15", "16", "18"): // nationwide service numbers, 1588-1234
		return n == 8
	}
	return false
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String returns the normalised number.
func (p PhoneNumber) String() string { return p.v }

// IsZero reports whether p holds no number.
func (p PhoneNumber) IsZero() bool { return p.v == "" }

// E164 returns the number in E.164 form ("+821012345678").
func (p PhoneNumber) E164() string {
	switch {
	case p.v == "" || strings.HasPrefix(p.v, "+"):
		return p.v
	case strings.HasPrefix(p.v, "0"):
		return "+82" + p.v[1:]
	}
	return "+82" + p.v // a service number such as 1588-1234
}

// Redacted returns the number with all but its last four digits masked, for
// logs.
func (p PhoneNumber) Redacted() string {
	if len(p.v) <= 4 {
		return strings.Repeat("*", len(p.v))
	}
	return strings.Repeat("*", len(p.v)-4) + p.v[len(p.v)-4:]
}
