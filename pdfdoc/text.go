package pdfdoc

import "math"

// WinAnsi returns s in WinAnsiEncoding: printable ASCII, Latin-1 and "…" as
// themselves, any other character (and each byte that is not UTF-8) as '?'.
func WinAnsi(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff:
			b = append(b, byte(r))
		case r == '…':
			b = append(b, Ellipsis)
		default:
			b = append(b, '?')
		}
	}
	return b
}

// Literal returns WinAnsi text t as a PDF literal string: in parentheses,
// with '(', ')' and '\' escaped by a backslash.
func Literal(t []byte) string {
	b := make([]byte, 0, len(t)+2)
	b = append(b, '(')
	for _, c := range t {
		if c == '(' || c == ')' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return string(append(b, ')'))
}

// Fit returns WinAnsi text t unchanged when it is at most width points wide
// in font f of the given size, else its longest prefix that fits with "…"
// appended, in a new slice. Nothing fits, and Fit returns nil, in a width
// narrower than "…".
func Fit(t []byte, f Font, size, width float64) []byte {
	if size*TextWidth(t, f) <= width {
		return t
	}
	// w sums the widths as TextWidth does, so that the result is at most
	// width wide as TextWidth measures it.
	e := glyphWidth(Ellipsis, f)
	if size*e > width {
		return nil
	}
	w, n := 0.0, 0
	for ; n < len(t); n++ {
		w += glyphWidth(t[n], f)
		if size*(w+e) > width {
			break
		}
	}
	return append(t[:n:n], Ellipsis)
}

// FitSize returns the largest font size, at most largest, at which WinAnsi
// text t is at most width points wide in font f: largest itself when t fits
// at that size, else a whole number of hundredths of a point, which Num
// writes exactly, or 0 when t does not fit at a hundredth.
func FitSize(t []byte, f Font, largest, width float64) float64 {
	w := TextWidth(t, f)
	if largest*w <= width {
		return largest
	}
	size := math.Floor(width/w*100) / 100
	for size > 0 && size*w > width { // the floor rounded up: a hundredth less
		size = min((math.Round(size*100)-1)/100, math.Nextafter(size, 0))
	}
	return max(size, 0)
}

// TextWidth returns the width of WinAnsi text t in font f at 1 point.
func TextWidth(t []byte, f Font) float64 {
	w := 0.0
	for _, c := range t {
		w += glyphWidth(c, f)
	}
	return w
}

// glyphWidth returns the width of WinAnsi code c in font f at 1 point: from
// the fonts' AFM files for printable ASCII, Latin-1 and "…", and 1 em, an
// upper bound, for the codes WinAnsi does not write.
func glyphWidth(c byte, f Font) float64 {
	var w int
	switch {
	case c >= 0x20 && c < 0x7f:
		w = ascii[f-1][c-0x20]
	case c >= 0xa0:
		w = latin1[f-1][c-0xa0]
	default:
		w = 1000 // Ellipsis is 1000 in both fonts
	}
	return float64(w) / 1000
}

// ascii holds the widths of the printable ASCII characters, from space to
// '~', in Helvetica and Helvetica-Bold (in 1/1000 em; 0x27 is quotesingle
// in WinAnsiEncoding).
var ascii = [2][95]int{{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
}, {
	278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
	975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
	333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
	611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
}}

// latin1 holds the widths of the characters 0xa0 to 0xff in Helvetica and
// Helvetica-Bold.
var latin1 = [2][96]int{{
	278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // nbsp to macron
	400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // degree to questiondown
	667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // Agrave to Idieresis
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // Eth to germandbls
	556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // agrave to idieresis
	556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // eth to ydieresis
}, {
	278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
	400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
	722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
	722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
	556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
	611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
}}
