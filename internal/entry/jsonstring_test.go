package entry

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// scanStringBytewise is the plain one-byte-at-a-time scanner that
// scanString must agree with, offsets of errors included.
func scanStringBytewise(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -i - 1
	}
	for i++; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i = scanEscape(b, i); i < 0 {
				return i
			}
		case c < 0x20:
			return -i - 1
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return -i - 1
			}
			i += n
		}
	}
	return -i - 1
}

func TestScanString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`"abcdefghijklmnop"`, 18},
		{`"abcdefghijklmnop`, -18},
		{`"abcdefgh\"ijklmnop" x`, 20},
		{"\"abcdefghij\x1fklm\"", -12},
		{"\"abcdefghij\x7fklm\"", 16},
		{"\"abcdefghijé\"", 14},
		{"\"abcdefghij\xffklm\"", -12},
		{"\"abcdefghij\xc3\"", -12},
		{`"abcdefghij\x"`, -12},
		{`"abcdefghij\u00e9klmnopqrstuvw"`, 31},
		{`""`, 2},
		{`x`, -1},
	} {
		if got := scanString([]byte(tc.in), 0); got != tc.want {
			t.Errorf("scanString(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestScanStringAgrees compares with the byte-wise scanner on random
// strings dense in the bytes that stop a scan, at every alignment.
func TestScanStringAgrees(t *testing.T) {
	alphabet := []byte("aZ09 ~\"\\\x00\x1f\x20\x7f\x80\xbf\xc3\xa9\xe2\x82\xac\xf0\x9fnu/")
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		b := make([]byte, 1+r.IntN(40))
		b[0] = '"'
		for j := 1; j < len(b); j++ {
			b[j] = alphabet[r.IntN(len(alphabet))]
			if r.IntN(3) > 0 {
				b[j] = 'a'
			}
		}
		if got, want := scanString(b, 0), scanStringBytewise(b, 0); got != want {
			t.Fatalf("scanString(%q) = %d, byte-wise %d", b, got, want)
		}
	}
}

func FuzzScanString(f *testing.F) {
	f.Add([]byte(`"abcdefgh\"ijklmnop" x`))
	f.Add([]byte("\"abcdefghij\xffklm\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = append([]byte{'"'}, b...)
		if got, want := scanString(b, 0), scanStringBytewise(b, 0); got != want {
			t.Fatalf("scanString(%q) = %d, byte-wise %d", b, got, want)
		}
	})
}
