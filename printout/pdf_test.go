package printout

import (
	"math"
	"strings"
	"testing"
)

func TestLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"Kabul":           "(Kabul)",
		`a (b) \c`:        `(a \(b\) \\c)`,
		"Opération 救援 ÿ…": "(Op\xe9ration ?? \xff\x85)",
		"tab\tnewline\n":  "(tab?newline?)",
	} {
		if got := literal(winAnsi(in)); got != want {
			t.Errorf("literal(winAnsi(%q)) = %q, want %q", in, got, want)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		in    string
		width float64
		want  string
	}{
		{"WWW", 30, "WWW"},        // 3 × 9.44
		{"WWW", 28.3, "W\x85"},    // one W and the ellipsis, 19.44
		{"WWWW", 29.44, "WW\x85"}, // exactly two and the ellipsis
		{"Wé", 10, "\x85"},
		{"Wé", 9.99, ""},
		{"", 0, ""},
	} {
		if got := string(fit(winAnsi(tt.in), regular, 10, tt.width)); got != tt.want {
			t.Errorf("fit(%q, %g) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// TestGlyphWidths compares the width tables with poppler's own metrics of
// the standard fonts: every character this package writes, ten times over,
// as one word.
func TestGlyphWidths(t *testing.T) {
	var chars []rune
	for r := rune(0x21); r <= 0xff; r++ {
		if r < 0x7f || r > 0xa0 && r != 0xad { // not the spaces or the soft hyphen
			chars = append(chars, r)
		}
	}
	chars = append(chars, '…')
	const size = 8.0
	fonts := []font{regular, bold}
	var pages []*page
	for _, f := range fonts {
		p := new(page)
		for i, r := range chars {
			x, y := 20+float64(i%6)*92, a4Long-20-float64(i/6+1)*14
			p.text(f, size, x, y, 90, strings.Repeat(string(r), 10))
		}
		pages = append(pages, p)
	}
	path := writeTemp(t, "widths.pdf", pdfFile(a4Short, a4Long, pages))
	for i, ws := range words(t, path) {
		got := map[string]float64{}
		for _, w := range ws {
			got[w.text] = w.xMax - w.xMin
		}
		for _, r := range chars {
			text := strings.Repeat(string(r), 10)
			want := size * textWidth(winAnsi(text), fonts[i])
			if w, ok := got[text]; !ok {
				t.Errorf("font F%d: no word %q", fonts[i], text)
			} else if math.Abs(w-want) > 0.02 {
				t.Errorf("font F%d: %q is %g wide, want %g", fonts[i], text, w, want)
			}
		}
	}
}
