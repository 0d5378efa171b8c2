package printout

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"airbridge/peertest"
)

// checkPDF reads b as a PDF reader does: the header, startxref, the xref
// table and trailer, every object at the offset the table gives, and each
// stream's /Length. It returns the streams' contents in object order.
func checkPDF(t *testing.T, b []byte) (streams [][]byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("\n%%EOF\n")) {
		t.Fatalf("no PDF 1.4 header or no %%%%EOF")
	}
	m := regexp.MustCompile(`\nstartxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(b) {
		t.Fatalf("startxref %d is past the end, %d", xref, len(b))
	}
	table := regexp.MustCompile(`^xref\n0 (\d+)\n0000000000 65535 f \n((?:\d{10} 00000 n \n)+)trailer\n<< /Size (\d+) /Root 1 0 R >>\nstartxref\n`).FindSubmatch(b[xref:])
	if table == nil {
		t.Fatalf("no xref table and trailer at startxref %d: %.80q", xref, b[xref:])
	}
	count, _ := strconv.Atoi(string(table[1]))
	if string(table[1]) != string(table[3]) || len(table[2]) != 20*(count-1) {
		t.Fatalf("xref of %s objects has %d bytes of entries, trailer /Size %s", table[1], len(table[2]), table[3])
	}
	stream := regexp.MustCompile(`^<< /Length (\d+) >>\nstream\n`)
	for i := 1; i < count; i++ {
		off, _ := strconv.Atoi(string(table[2][20*(i-1) : 20*(i-1)+10]))
		head := fmt.Sprintf("%d 0 obj\n", i)
		if off >= xref || !bytes.HasPrefix(b[off:], []byte(head)) {
			t.Errorf("object %d: offset %d holds %.20q", i, off, b[min(off, len(b)):])
			continue
		}
		body := b[off+len(head) : xref]
		s := stream.FindSubmatch(body)
		if s == nil {
			if !bytes.HasPrefix(body[bytes.IndexByte(body, '\n'):], []byte("\nendobj\n")) {
				t.Errorf("object %d: no endobj after its one line", i)
			}
			continue
		}
		n, _ := strconv.Atoi(string(s[1]))
		start := len(s[0])
		if start+n > len(body) || !bytes.HasPrefix(body[start+n:], []byte("\nendstream\nendobj\n")) {
			t.Errorf("object %d: stream /Length %d does not end at endstream", i, n)
			continue
		}
		streams = append(streams, body[start:start+n])
	}
	return streams
}

// writeTemp writes b to a file of the given name in a new temporary
// directory and returns its path.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// word is a word as pdftotext -bbox places it, in points from the page's
// top left corner.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// words returns the words of each page of the PDF file at path.
func words(t *testing.T, path string) [][]word {
	t.Helper()
	out := string(peertest.Run(t, peertest.Need(t, "pdftotext", "poppler-utils"), "-bbox", path, "-"))
	re := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	var pages [][]word
	for _, p := range regexp.MustCompile(`<page `).Split(out, -1)[1:] {
		var ws []word
		for _, m := range re.FindAllStringSubmatch(p, -1) {
			w := word{text: html(m[5])}
			for i, f := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
				*f, _ = strconv.ParseFloat(m[i+1], 64)
			}
			ws = append(ws, w)
		}
		pages = append(pages, ws)
	}
	return pages
}

// html undoes pdftotext's escapes in a word.
func html(s string) string {
	for _, r := range [][2]string{{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&apos;", "'"}, {"&amp;", "&"}} {
		s = regexp.MustCompile(regexp.QuoteMeta(r[0])).ReplaceAllLiteralString(s, r[1])
	}
	return s
}
