package call

import (
	"errors"
	"testing"
)

func TestParsePhoneNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"01012345678", "01012345678"},
		{"010-1234-5678", "01012345678"},
		{"010 1234 5678", "01012345678"},
		{" 010.1234.5678 ", "01012345678"},
		{"011-123-4567", "0111234567"},
		{"02-123-4567", "021234567"},
		{"02-1234-5678", "0212345678"},
		{"(02) 1234-5678", "0212345678"},
		{"031-123-4567", "0311234567"},
		{"064-1234-5678", "06412345678"},
		{"070-1234-5678", "07012345678"},
		{"1588-1234", "15881234"},
		{"+821012345678", "01012345678"},
		{"+82-10-1234-5678", "01012345678"},
		{"+82 (0)10 1234 5678", "01012345678"},
		{"+8221234567", "021234567"},
		{"+8215881234", "15881234"},
		{"+14155552671", "+14155552671"},
		{"+44 20 7946 0958", "+442079460958"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParsePhoneNumber(tt.in)
			if err != nil {
				t.Fatalf("ParsePhoneNumber(%q) error: %v", tt.in, err)
			}
			if p.String() != tt.want {
				t.Fatalf("ParsePhoneNumber(%q) = %q, want %q", tt.in, p, tt.want)
			}
		})
	}
}

func TestParsePhoneNumberRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ", "abc", "010-1234-567", "0101234567", "010123456789", "01012345678a",
		"1234", "00-123-4567", "099-123-4567", "+0123456789", "+1234", "+1234567890123456",
		"+82 99 1234 5678", "010_1234_5678", "++821012345678", "0101234５678",
	} {
		t.Run(in, func(t *testing.T) {
			if p, err := ParsePhoneNumber(in); !errors.Is(err, ErrInvalidPhoneNumber) {
				t.Fatalf("ParsePhoneNumber(%q) = %q, %v; want ErrInvalidPhoneNumber", in, p, err)
			}
		})
	}
}

func TestPhoneNumberForms(t *testing.T) {
	p, _ := ParsePhoneNumber("010-1234-5678")
	if p.E164() != "+821012345678" {
		t.Fatalf("E164 = %q", p.E164())
	}
	if s, _ := ParsePhoneNumber("1588-1234"); s.E164() != "+8215881234" {
		t.Fatalf("E164 of a service number = %q", s.E164())
	}
	if p.Redacted() != "*******5678" {
		t.Fatalf("Redacted = %q", p.Redacted())
	}
	if !(PhoneNumber{}).IsZero() || p.IsZero() {
		t.Fatal("IsZero wrong")
	}
}
