package csvsafe

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"Rahimi":                  "Rahimi",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"+1":                      "'+1",
		"-2+3":                    "'-2+3",
		"@SUM(A1)":                "'@SUM(A1)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"O'Neil":                  "O'Neil",
		"a=b":                     "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"surname", "note"}, {"=cmd|' /C calc'!A0", "fine, \"quoted\""}}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[1], []string{"'=cmd|' /C calc'!A0", "fine, \"quoted\""}) {
		t.Fatalf("rows %q", rows)
	}
}
