package pdfdoc

import (
	"bytes"
	"math"
	"testing"
	"unicode/utf8"
)

// FuzzText checks that no text, size or width makes WinAnsi, Literal, Fit or
// FitSize panic; that WinAnsi writes one code a character, each one a
// character of the fonts; that Literal is t in parentheses with exactly '(',
// ')' and '\' escaped; that Fit returns t or a prefix of it with "…" that is
// no wider than asked, or nothing; and that text at FitSize's size is no
// wider than asked.
func FuzzText(f *testing.F) {
	f.Add("Kabul", 10.0, 100.0)
	f.Add(`a (b) \c`, 8.0, 20.0)
	f.Add("Opération 救援 ÿ…", 12.0, 30.5)
	f.Add("tab\tnewline\n\xff", 9.0, 9.99)
	f.Add("WWWW", 10.0, 28.88)
	f.Add("", 0.0, 0.0)
	f.Add("", 0.0, -74.0) // a negative width
	f.Add("\\\\((", 1e-300, 1e300)
	f.Fuzz(func(t *testing.T, s string, size, width float64) {
		w := WinAnsi(s)
		if got, want := len(w), utf8.RuneCountInString(s); got != want {
			t.Fatalf("WinAnsi(%q) has %d codes, want %d", s, got, want)
		}
		for _, c := range w {
			if !(c >= 0x20 && c < 0x7f || c >= 0xa0 || c == Ellipsis) {
				t.Fatalf("WinAnsi(%q) = %q has the code %#x", s, w, c)
			}
		}

		l := Literal(w)
		if len(l) < 2 || l[0] != '(' || l[len(l)-1] != ')' {
			t.Fatalf("Literal(%q) = %q is not in parentheses", w, l)
		}
		var back []byte
		for i := 1; i < len(l)-1; i++ {
			switch c := l[i]; c {
			case '(', ')':
				t.Fatalf("Literal(%q) = %q has an unescaped %q at %d", w, l, c, i)
			case '\\':
				i++
				if n := l[i]; n != '(' && n != ')' && n != '\\' { // l[len(l)-1] is ')': i stays in l
					t.Fatalf("Literal(%q) = %q escapes %q at %d", w, l, n, i)
				}
			}
			back = append(back, l[i])
		}
		if !bytes.Equal(back, w) {
			t.Fatalf("Literal(%q) = %q reads back as %q", w, l, back)
		}

		for _, font := range []Font{Helvetica, HelveticaBold} {
			cut := Fit(w, font, size, width)
			if !isFinite(size) || !isFinite(width) || size < 0 {
				continue // nothing to hold Fit to, but it must not panic
			}
			switch {
			case len(cut) == 0:
				if len(w) > 0 && size*glyphWidth(Ellipsis, font) <= width {
					t.Fatalf("Fit(%q, F%d, %g, %g) is nothing, but \"…\" fits", w, font, size, width)
				}
			case bytes.Equal(cut, w):
				if size*TextWidth(w, font) > width {
					t.Fatalf("Fit(%q, F%d, %g, %g) is all of it, %g wide", w, font, size, width, size*TextWidth(w, font))
				}
			default:
				if cut[len(cut)-1] != Ellipsis || !bytes.HasPrefix(w, cut[:len(cut)-1]) {
					t.Fatalf("Fit(%q, F%d, %g, %g) = %q is not a prefix and \"…\"", w, font, size, width, cut)
				}
				if got := size * TextWidth(cut, font); got > width {
					t.Fatalf("Fit(%q, F%d, %g, %g) = %q is %g wide", w, font, size, width, cut, got)
				}
				if n := len(cut) - 1; n < len(w) && size*TextWidth(append(w[:n:n], w[n], Ellipsis), font) <= width {
					t.Fatalf("Fit(%q, F%d, %g, %g) = %q, but one more fits", w, font, size, width, cut)
				}
			}

			fs := FitSize(w, font, size, width)
			if fs < 0 || fs > size {
				t.Fatalf("FitSize(%q, F%d, %g, %g) = %g, not from 0 to the largest", w, font, size, width, fs)
			}
			if fs > 0 && fs*TextWidth(w, font) > width {
				t.Fatalf("FitSize(%q, F%d, %g, %g) = %g, at which it is %g wide", w, font, size, width, fs, fs*TextWidth(w, font))
			}
			if fs != size && fs < 1e12 && math.Round(fs*100)/100 != fs {
				t.Fatalf("FitSize(%q, F%d, %g, %g) = %g, not in hundredths", w, font, size, width, fs)
			}
		}
	})
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
