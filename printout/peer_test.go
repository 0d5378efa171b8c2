package printout

import (
	"regexp"
	"strconv"
	"testing"

	"airbridge/peertest"
)

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
