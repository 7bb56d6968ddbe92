package domain

import (
	"unicode"
	"unicode/utf8"
)

// CheckText validates a human-entered string: valid UTF-8, no control
// characters (Postgres cannot store NUL; the others are never intended), and
// at most max characters (runes, not bytes). required refuses blank values.
func CheckText(v *Validation, field, s string, max int, required bool) {
	switch {
	case required && s == "":
		v.Add(field, "is required")
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most "+itoa(max)+" characters")
	default:
		for _, r := range s {
			if unicode.IsControl(r) {
				v.Add(field, "must not contain control characters")
				return
			}
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
