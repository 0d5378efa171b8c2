package pdfdoc

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"airbridge/pdfdoc/pdfdoctest"
	"airbridge/peertest"
)

// Sizes of an A4 page in points.
const a4Short, a4Long = 595.28, 841.89

func TestLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"Kabul":           "(Kabul)",
		`a (b) \c`:        `(a \(b\) \\c)`,
		"Opération 救援 ÿ":  "(Op\xe9ration ?? \xff)",
		"Opération 救援 ÿ…": "(Op\xe9ration ?? \xff\x85)",
		"tab\tnewline\n":  "(tab?newline?)",
		"bad \xff utf-8":  "(bad ? utf-8)",
		"":                "()",
	} {
		if got := Literal(WinAnsi(in)); got != want {
			t.Errorf("Literal(WinAnsi(%q)) = %q, want %q", in, got, want)
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
		{"WWWW", 29.44, "WW\x85"}, // two and the ellipsis, 28.88
		{"WWWW", 28.88, "WW\x85"}, // exactly two and the ellipsis
		{"Wé", 10, "\x85"},
		{"Wé", 9.99, ""},
		{"", 0, ""},
	} {
		if got := string(Fit(WinAnsi(tt.in), Helvetica, 10, tt.width)); got != tt.want {
			t.Errorf("Fit(%q, %g) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestFitSize(t *testing.T) {
	for _, tt := range []struct {
		in             string
		largest, width float64
		want           float64
	}{
		{"WWW", 10, 30, 10},     // 28.32 wide at 10
		{"WWW", 10.5, 30, 10.5}, // largest as it is when it fits
		{"WWW", 10, 28.32, 10},
		{"WWW", 10, 28.31, 9.99},
		{"WWW", 10, 14.16, 5},
		{"WWW", 10, 0.02, 0},
		{"", 10, 0, 10},
	} {
		if got := FitSize(WinAnsi(tt.in), Helvetica, tt.largest, tt.width); got != tt.want {
			t.Errorf("FitSize(%q, %g, %g) = %g, want %g", tt.in, tt.largest, tt.width, got, tt.want)
		}
	}
}

func TestNum(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 297.64: "297.64", 419.525: "419.53", 0.004: "0", 1.0 / 3: "0.33", -2.5: "-2.5", 1e6: "1000000",
	} {
		if got := Num(in); got != want {
			t.Errorf("Num(%g) = %q, want %q", in, got, want)
		}
	}
}

// TestPage checks the operators each drawing method writes.
func TestPage(t *testing.T) {
	var p Page
	p.Text(HelveticaBold, 12, 20, 400.004, 100, "Title (1)")
	p.TextRight(Helvetica, 10, 100, 380, 100, "WWW") // 28.32 wide
	p.Text(Helvetica, 10, 20, 360, 28.3, "WWW")      // cut
	p.Rect(10, 20.5, 30, 0.75, 0.9)
	fmt.Fprintf(&p, "q %s 0 0 %s 0 0 cm\n0 0 1 1 re\nf Q\n", Num(2), Num(2))
	want := "BT /F2 12 Tf 20 400 Td (Title \\(1\\)) Tj ET\n" +
		"BT /F1 10 Tf 71.68 380 Td (WWW) Tj ET\n" +
		"BT /F1 10 Tf 20 360 Td (W\x85) Tj ET\n" +
		"0.9 g 10 20.5 30 0.75 re f 0 g\n" +
		"q 2 0 0 2 0 0 cm\n0 0 1 1 re\nf Q\n"
	if got := p.b.String(); got != want {
		t.Errorf("content\n%q\nwant\n%q", got, want)
	}
}

// TestFile reads files of none, one and three pages as a PDF reader does
// and checks the page tree, the pages and their content.
func TestFile(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		pages := make([]*Page, n)
		for i := range pages {
			pages[i] = new(Page)
			pages[i].Text(Helvetica, 10, 20, 20, 200, fmt.Sprintf("page %d", i+1))
		}
		b := File(297.64, 419.53, pages...)
		objects := pdfdoctest.Read(t, b)
		if got, want := len(objects), 4+2*n; got != want {
			t.Fatalf("%d pages: %d objects, want %d", n, got, want)
		}
		var kids []string
		for i := range n {
			kids = append(kids, fmt.Sprintf("%d 0 R", 5+2*i))
		}
		if got, want := objects[1].Dict, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n); got != want {
			t.Errorf("%d pages: page tree %q, want %q", n, got, want)
		}
		for i := range n {
			page, content := objects[4+2*i].Dict, string(objects[5+2*i].Stream)
			if want := fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 297.64 419.53] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", 6+2*i); page != want {
				t.Errorf("%d pages: page %d is %q, want %q", n, i+1, page, want)
			}
			if want := fmt.Sprintf("(page %d) Tj", i+1); !strings.Contains(content, want) {
				t.Errorf("%d pages: content of page %d has no %q: %q", n, i+1, want, content)
			}
		}
	}
}

// TestFilePeer has poppler read a file of three A4 pages: no complaint, the
// page count and size, and each page's text.
func TestFilePeer(t *testing.T) {
	pdfinfo := peertest.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	var pages []*Page
	for i := range 3 {
		p := new(Page)
		p.Text(HelveticaBold, 14, 36, a4Long-50, a4Short-72, fmt.Sprintf("Page %d (of 3) \\ Opération", i+1))
		p.Rect(36, a4Long-60, a4Short-72, 0.75, 0)
		p.TextRight(Helvetica, 9, a4Short-36, 36, 100, "right")
		pages = append(pages, p)
	}
	path := pdfdoctest.Write(t, File(a4Short, a4Long, pages...))
	info := string(peertest.Run(t, pdfinfo, path)) // poppler complains on stderr of a damaged xref table
	for _, want := range []string{"Pages:           3\n", "Page size:       595.28 x 841.89 pts (A4)", "PDF version:     1.4\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo has no %q:\n%s", want, info)
		}
	}
	text := strings.Split(string(peertest.Run(t, pdftotext, "-layout", path, "-")), "\f")
	for i := range 3 {
		for _, want := range []string{fmt.Sprintf("Page %d (of 3) \\ Opération", i+1), "right"} {
			if !strings.Contains(text[i], want) {
				t.Errorf("page %d has no %q:\n%s", i+1, want, text[i])
			}
		}
	}
}

// TestGlyphWidths compares the width tables with poppler's own metrics of
// the standard fonts: every character WinAnsi writes, ten times over, as
// one word.
func TestGlyphWidths(t *testing.T) {
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	var chars []rune
	for r := rune(0x21); r <= 0xff; r++ {
		if r < 0x7f || r > 0xa0 && r != 0xad { // not the spaces or the soft hyphen
			chars = append(chars, r)
		}
	}
	chars = append(chars, '…')
	const size = 8.0
	fonts := []Font{Helvetica, HelveticaBold}
	var pages []*Page
	for _, f := range fonts {
		p := new(Page)
		for i, r := range chars {
			x, y := 20+float64(i%6)*92, a4Long-20-float64(i/6+1)*14
			p.Text(f, size, x, y, 90, strings.Repeat(string(r), 10))
		}
		pages = append(pages, p)
	}
	path := pdfdoctest.Write(t, File(a4Short, a4Long, pages...))
	out := string(peertest.Run(t, pdftotext, "-bbox", path, "-"))
	word := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")
	perPage := regexp.MustCompile(`<page `).Split(out, -1)[1:]
	if len(perPage) != len(fonts) {
		t.Fatalf("pdftotext read %d pages, want %d", len(perPage), len(fonts))
	}
	for i, page := range perPage {
		got := map[string]float64{}
		for _, m := range word.FindAllStringSubmatch(page, -1) {
			xMin, _ := strconv.ParseFloat(m[1], 64)
			xMax, _ := strconv.ParseFloat(m[2], 64)
			got[unescape.Replace(m[3])] = xMax - xMin
		}
		for _, r := range chars {
			text := strings.Repeat(string(r), 10)
			want := size * TextWidth(WinAnsi(text), fonts[i])
			if w, ok := got[text]; !ok {
				t.Errorf("font F%d: no word %q", fonts[i], text)
			} else if math.Abs(w-want) > 0.02 {
				t.Errorf("font F%d: %q is %g wide, want %g", fonts[i], text, w, want)
			}
		}
	}
}
