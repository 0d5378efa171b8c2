package printout

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"airbridge/pdf417/pdf417test"
	"airbridge/pdfdoc/pdfdoctest"
	"airbridge/peertest"
)

func examplePass() Pass {
	return Pass{
		Operation:   "Allies Refuge",
		Name:        "AHMADI/FARID",
		FlightID:    "AB123",
		Callsign:    "RCH871",
		Destination: "Al Udeid (OTBH)",
		Seat:        "12C",
		Group:       "G7K2M9QXR4T1B",
		Slot:        time.Date(2021, 8, 20, 16, 30, 0, 0, time.FixedZone("AFT", 4*3600+1800)),
		Barcode:     "M1AHMADI/FARID        EXK7Q2M KBLDOHRCH0871 227Y012C0142 100",
	}
}

func TestPassStructure(t *testing.T) {
	b, err := PassPDF(examplePass())
	if err != nil {
		t.Fatal(err)
	}
	streams := pdfdoctest.Streams(t, b)
	if len(streams) != 1 {
		t.Fatalf("%d pages, want 1", len(streams))
	}
	for _, want := range []string{"(AHMADI/FARID) Tj", "(Al Udeid \\(OTBH\\)) Tj", "(2021-08-20 12:00 UTC) Tj", "q 0.8 0 0 0.8 ", " re\n", "f Q\n"} {
		if !strings.Contains(string(streams[0]), want) {
			t.Errorf("content has no %q", want)
		}
	}
}

func TestPassErrors(t *testing.T) {
	p := examplePass()
	p.Barcode = ""
	if _, err := PassPDF(p); !errors.Is(err, ErrInvalid) {
		t.Errorf("no barcode: error %v, want ErrInvalid", err)
	}
	p.Barcode = strings.Repeat("\xff", 1200)
	if _, err := PassPDF(p); err == nil {
		t.Error("a barcode too long for PDF417: no error")
	}
}

// TestPassPeers reads boarding passes with poppler, then rasterizes them at
// 300 dpi and decodes the barcode with ZXing to exactly the BCBP text.
func TestPassPeers(t *testing.T) {
	pdfinfo := peertest.Need(t, "pdfinfo", "poppler-utils")
	pdftotext := peertest.Need(t, "pdftotext", "poppler-utils")
	pdftoppm := peertest.Need(t, "pdftoppm", "poppler-utils")
	pdf417test.Reader(t)

	long := examplePass()
	long.Name = "WOLFESCHLEGELSTEINHAUSENBERGERDORFF/HUBERT BLAINE ZOË"
	long.Barcode = "M2WOLFESCHLEGELSTEI/HUEXK7Q2M KBLDOHRCH0871 227Y012C0142 35D>5180O 0227BRC              2A00000000000000 RC                          N" +
		"XK7Q2M DOHFRARC0872 228Y013A0143 32C2A00000000000000 RC                          N^164GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"
	passes := []Pass{examplePass(), long}
	var pngs [][]byte
	for i, p := range passes {
		path := pdfdoctest.Write(t, must(PassPDF(p)))
		info := string(peertest.Run(t, pdfinfo, path))
		for _, want := range []string{"Pages:           1\n", "Page size:       595.28 x 419.53 pts", "PDF version:     1.4\n"} {
			if !strings.Contains(info, want) {
				t.Errorf("pass %d: pdfinfo has no %q:\n%s", i, want, info)
			}
		}
		text := string(peertest.Run(t, pdftotext, "-layout", path, "-"))
		name := regexp.QuoteMeta(p.Name)
		if i == 1 {
			name = "WOLFESCHLEGELSTEINHAUSENBERG…"
		}
		for _, re := range []string{
			`BOARDING PASS +Allies Refuge\n`,
			`\n *Passenger\n+ *` + name + `\n`,
			`\n *Flight +Callsign +Destination\n+ *AB123 +RCH871 +Al Udeid \(OTBH\)\n`,
			`\n *Seat +Group +Slot\n+ *12C +G7K2M9QXR4T1B +2021-08-20 12:00 UTC\n`,
		} {
			if !regexp.MustCompile(re).MatchString(text) {
				t.Errorf("pass %d: pdftotext has no %q:\n%s", i, re, text)
			}
		}
		peertest.Run(t, pdftoppm, "-png", "-r", "300", "-singlefile", path, strings.TrimSuffix(path, ".pdf"))
		png, err := os.ReadFile(strings.TrimSuffix(path, ".pdf") + ".png")
		if err != nil {
			t.Fatal(err)
		}
		pngs = append(pngs, png)
	}
	got, errs := pdf417test.Decode(t, pngs)
	for i, p := range passes {
		if errs[i] != nil {
			t.Errorf("pass %d: %v", i, errs[i])
		} else if string(got[i]) != p.Barcode {
			t.Errorf("pass %d: ZXing read\n%q\nwant\n%q", i, got[i], p.Barcode)
		}
	}
}
