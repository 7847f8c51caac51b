package objectstore

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeName makes a field value safe as part of a key or file name: '/',
// '\', control characters and invalid UTF-8 become '_', and so does the
// second dot of every "..", so a value can neither add path levels nor climb
// out of its directory. "." alone becomes "_" and "" becomes "none". A value
// that needs no change is returned as is, without allocating.
func SanitizeName(s string) string {
	switch s {
	case "":
		return "none"
	case ".":
		return "_"
	}
	if cleanName(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(0)
	for _, r := range s {
		if badNameRune(r) || r == '.' && prev == '.' {
			r = '_'
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// cleanName is SanitizeName's fast path over bytes.
func cleanName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c >= utf8.RuneSelf {
			return c >= utf8.RuneSelf && cleanRunes(s[i:])
		}
		if c == '.' && i > 0 && s[i-1] == '.' {
			return false
		}
	}
	return true
}

func cleanRunes(s string) bool {
	return strings.IndexFunc(s, badNameRune) < 0 && !strings.Contains(s, "..")
}

// badNameRune also matches utf8.RuneError, which is what range yields for
// an invalid byte (a literal U+FFFD goes too: a harmless loss).
func badNameRune(r rune) bool {
	return r == '/' || r == '\\' || r == utf8.RuneError || unicode.IsControl(r)
}

// SanitizeContainer turns a rendered name into a valid Azure container name:
// lower case, [a-z0-9-] (anything else becomes '-'), no leading, trailing or
// double dashes, at most 63 characters. It fails when fewer than 3 remain;
// the caller dead-letters the batch's events.
func SanitizeContainer(s string) (string, error) {
	b := make([]byte, 0, min(len(s), 63))
	for i := 0; i < len(s) && len(b) < 63; i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		default:
			c = '-'
		}
		if c == '-' && (len(b) == 0 || b[len(b)-1] == '-') {
			continue
		}
		b = append(b, c)
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	if len(b) < 3 {
		return "", fmt.Errorf("container name %q: fewer than 3 letters or digits after sanitising", s)
	}
	return string(b), nil
}
