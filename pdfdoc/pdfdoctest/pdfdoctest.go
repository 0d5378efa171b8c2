// Package pdfdoctest reads PDF files as a reader does, for the tests of what
// package pdfdoc writes: one object a line but for streams, an xref table
// with one entry an object, and a trailer.
package pdfdoctest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Object is an indirect object of a file.
type Object struct {
	Dict   string // the object's one line, or a stream's dictionary
	Stream []byte // a stream's content; nil when the object is not a stream
}

// Read checks b as a PDF reader reads it: the PDF 1.4 header, startxref,
// the xref table and the trailer, every object at the offset the table
// gives, and each stream's /Length. It returns the objects in order, object
// 1 first, and fails t at the first fault.
func Read(t testing.TB, b []byte) []Object {
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
	stream := regexp.MustCompile(`^(<< /Length (\d+) >>)\nstream\n`)
	var objects []Object
	for i := 1; i < count; i++ {
		off, _ := strconv.Atoi(string(table[2][20*(i-1) : 20*(i-1)+10]))
		head := fmt.Sprintf("%d 0 obj\n", i)
		if off >= xref || !bytes.HasPrefix(b[off:], []byte(head)) {
			t.Fatalf("object %d: offset %d holds %.20q", i, off, b[min(off, len(b)):])
		}
		body := b[off+len(head) : xref]
		s := stream.FindSubmatch(body)
		if s == nil {
			line, _, _ := bytes.Cut(body, []byte("\n"))
			if !bytes.HasPrefix(body[len(line):], []byte("\nendobj\n")) {
				t.Fatalf("object %d: no endobj after its one line", i)
			}
			objects = append(objects, Object{Dict: string(line)})
			continue
		}
		n, _ := strconv.Atoi(string(s[2]))
		start := len(s[0])
		if start+n > len(body) || !bytes.HasPrefix(body[start+n:], []byte("\nendstream\nendobj\n")) {
			t.Fatalf("object %d: stream /Length %d does not end at endstream", i, n)
		}
		objects = append(objects, Object{Dict: string(s[1]), Stream: body[start : start+n : start+n]})
	}
	return objects
}

// Streams is Read that returns only the streams' contents, in order: for a
// file of package pdfdoc, the pages' content streams.
func Streams(t testing.TB, b []byte) [][]byte {
	t.Helper()
	var streams [][]byte
	for _, o := range Read(t, b) {
		if o.Stream != nil {
			streams = append(streams, o.Stream)
		}
	}
	return streams
}

// Write writes the PDF file b to a new temporary directory and returns its
// path, for the programs that read it.
func Write(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
