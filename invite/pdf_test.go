package invite

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"airbridge/pdfdoc/pdfdoctest"
	"airbridge/peertest"
)

// TestPDFStructure reads the file as a PDF reader does and checks its page
// and what it draws.
func TestPDFStructure(t *testing.T) {
	text := mustSign(t, example())
	b, err := PDF(text, example())
	if err != nil {
		t.Fatal(err)
	}
	streams := pdfdoctest.Streams(t, b)
	if len(streams) != 1 {
		t.Fatalf("%d content streams, want 1", len(streams))
	}
	content := streams[0]
	for _, want := range []string{
		"/MediaBox [0 0 297.64 419.53]", // A6
		"/BaseFont /Helvetica ",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("no %q", want)
		}
	}
	for _, want := range []string{
		"(Call-forward invitation) Tj", "(Allies Refuge) Tj", "(G7K2M9QXR4T1B) Tj", "(abbey-gate) Tj",
		"(2021-08-20 14:00 to 16:00 UTC) Tj", "(6) Tj", "(" + ID(text) + ") Tj", " re\n", "f Q\n",
	} {
		if !bytes.Contains(content, []byte(want)) {
			t.Errorf("content has no %q", want)
		}
	}
}

func TestPDFErrors(t *testing.T) {
	inv := example()
	inv.Gate = ""
	if _, err := PDF(mustSign(t, example()), inv); !errors.Is(err, ErrInvalid) {
		t.Errorf("PDF of an invalid invitation: %v, want ErrInvalid", err)
	}
	if _, err := PDF(strings.Repeat("x", 3000), example()); err == nil {
		t.Error("PDF of a text too long for a QR code: no error")
	}
}

func TestWindow(t *testing.T) {
	inv := example()
	if got, want := window(inv.Start, inv.Start.Add(MaxWindow)), "2021-08-20 14:00 to 2021-08-22 14:00 UTC"; got != want {
		t.Errorf("window = %q, want %q", got, want)
	}
}

// TestPDFPeers reads the PDF with poppler: its metadata, its text (where
// each word lies, from the fonts' own metrics), and its QR code, rasterized
// at 200 dpi and decoded by ZXing to the exact signed text.
func TestPDFPeers(t *testing.T) {
	pdfinfo := peertest.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	pdftoppm := peertest.Need(t, "pdftoppm", "poppler-utils")
	_, pub := testKey(1)
	long := example()
	long.Operation = strings.Repeat("W", MaxName)
	latin := example()
	latin.Operation = "Opération (Kabul) \\ 救援"
	for name, inv := range map[string]Invitation{"typical": example(), "widest operation": long, "not ASCII": latin} {
		text := mustSign(t, inv)
		b, err := PDF(text, inv)
		if err != nil {
			t.Fatal(err)
		}
		path := writeTemp(t, "invitation.pdf", b)
		info := string(peertest.Run(t, pdfinfo, path)) // poppler complains on stderr of a damaged xref table
		for _, want := range []string{"Pages:           1\n", "Page size:       297.64 x 419.53 pts", "PDF version:     1.4\n"} {
			if !strings.Contains(info, want) {
				t.Errorf("%s: pdfinfo has no %q:\n%s", name, want, info)
			}
		}

		got := string(peertest.Run(t, pdftotext, "-layout", path, "-"))
		op := strings.ReplaceAll(inv.Operation, "救援", "??")
		for _, want := range []string{"Call-forward invitation", "Operation    " + op, "Group        G7K2M9QXR4T1B", "Gate         abbey-gate",
			"Window       2021-08-20 14:00 to 16:00 UTC", "Persons      6", "Invitation   " + ID(text)} {
			if !strings.Contains(got, want+"\n") {
				t.Errorf("%s: pdftotext has no line %q:\n%s", name, want, got)
			}
		}
		bbox := string(peertest.Run(t, pdftotext, "-bbox", path, "-"))
		for _, m := range regexp.MustCompile(`xMax="([\d.]+)"`).FindAllStringSubmatch(bbox, -1) {
			if x, _ := strconv.ParseFloat(m[1], 64); x > pageW-margin+0.01 {
				t.Errorf("%s: a word ends at %g, past the margin at %g", name, x, pageW-margin)
			}
		}

		peertest.Run(t, pdftoppm, "-png", "-r", "200", "-singlefile", path, strings.TrimSuffix(path, ".pdf"))
		if got := string(zxing(t, strings.TrimSuffix(path, ".pdf")+".png")); got != text {
			t.Fatalf("%s: ZXing read from the rasterized PDF\n%q\nwant\n%q", name, got, text)
		}
		if _, err := Verify(text, pub); err != nil {
			t.Fatal(err)
		}
	}
}
