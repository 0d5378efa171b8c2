package main

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"airbridge"
	"airbridge/bcbp"
	"airbridge/paxlst"
	"airbridge/pdf417/pdf417test"
	"airbridge/sqlite"
	"airbridge/vault"
)

// manifestDatabase is a database with flight F1 carrying the Rahimi family
// (Farid and Laila, with passports) and Omid, who has no birth date.
func manifestDatabase(t *testing.T) (path, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	path, keyFile = newDatabase(t, dir, "export.db")
	key, err := vault.LoadMasterKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	person := func(id, given, birth, doc string) airbridge.PersonInput {
		p := airbridge.PersonInput{ID: id, Surname: "Rahimi", GivenNames: given, BirthDate: birth, Sex: "M", Nationality: "AFG", Category: "local_staff"}
		if doc != "" {
			p.Documents = []airbridge.Document{{Type: "passport", Number: doc, IssuingState: "AFG", Expiry: "2026-01-01"}}
		}
		return p
	}
	cmds := []airbridge.Command{
		&airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "Export test", Nations: []string{"DEU"}, Categories: airbridge.DefaultCategories(), LoadGuard: new(0.0)}},
		&airbridge.AddSite{Site: airbridge.Site{ID: "gate", Kind: airbridge.Gate}},
		&airbridge.AddSite{Site: airbridge.Site{ID: "hold", Kind: airbridge.Holding}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G1", Nation: "DEU", Persons: []airbridge.PersonInput{
			person("P1", "Farid", "1984-03-02", "P1234567"), person("P2", "Laila Ülker", "1987-11-20", "P1234568")}}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "G2", Nation: "DEU", Persons: []airbridge.PersonInput{person("P3", "Omid", "", "")}}},
	}
	for _, id := range []string{"P1", "P2", "P3"} {
		cmds = append(cmds, &airbridge.Scan{PersonID: id, Site: "gate"}, &airbridge.Screen{PersonID: id, Decision: airbridge.Cleared}, &airbridge.Scan{PersonID: id, Site: "hold"})
	}
	cmds = append(cmds,
		&airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F1", Callsign: "GAF101", Operator: "DEU", Aircraft: "A400M",
			Slot: time.Date(2021, 8, 24, 14, 0, 0, 0, time.UTC), Destination: "Tashkent"}},
		&airbridge.ManifestGroup{FlightID: "F1", GroupID: "G1"},
		&airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F2", Callsign: "GAF102", Operator: "DEU", Aircraft: "A400M",
			Slot: time.Date(2021, 8, 24, 18, 0, 0, 0, time.UTC), Destination: "Tashkent"}},
		&airbridge.ManifestGroup{FlightID: "F2", GroupID: "G2"})
	for i, c := range cmds {
		if _, err := db.Execute(t.Context(), airbridge.Submission{Command: c, Envelope: airbridge.Envelope{Key: "k" + string(rune('A'+i))}}); err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
	}
	return path, keyFile
}

func TestExportManifest(t *testing.T) {
	path, keyFile := manifestDatabase(t)
	export := func(format string, extra ...string) runResult {
		return runCmd(t, append([]string{"export", "manifest", "--flight", "F1", "--format", format, "--db", path, "--key-file", keyFile}, extra...)...)
	}
	r := export("csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.err != nil || err != nil || len(rows) != 3 || rows[1][0] != "1" || rows[1][3] != "Rahimi" || rows[2][10] != "P1234568" {
		t.Fatalf("csv: %v %v\n%s", r.err, err, r.stdout)
	}

	r = export("paxlst")
	if r.err != nil {
		t.Fatalf("paxlst: %v", r.err)
	}
	m, err := paxlst.Parse([]byte(r.stdout))
	if err != nil {
		t.Fatalf("the PAXLST does not parse back: %v\n%s", err, r.stdout)
	}
	if len(m.Passengers) != 2 || m.Passengers[1].Surname != "RAHIMI" || m.Passengers[1].GivenNames != "LAILA ULKER" ||
		m.Passengers[0].DocumentNumber != "P1234567" || m.Flight.Number != "GAF101" || m.Flight.To != "TASHKENT" {
		t.Errorf("PAXLST manifest %+v", m)
	}

	out := filepath.Join(t.TempDir(), "m.xlsx")
	if r = export("xlsx", "--out", out); r.err != nil {
		t.Fatal(r.err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := f.GetRows(f.GetSheetList()[0])
	f.Close()
	if err != nil || len(xrows) != 3 || xrows[2][4] != "Laila Ülker" {
		t.Errorf("xlsx rows %q, %v", xrows, err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "manifest", "--flight", "F9", "--db", path, "--key-file", keyFile}, "F9"},
		{[]string{"export", "manifest", "--flight", "F1", "--format", "doc", "--db", path, "--key-file", keyFile}, "--format"},
		{[]string{"export", "manifest", "--db", path, "--key-file", keyFile}, "--flight"},
	} {
		if r := runCmd(t, tt.args...); r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.args, r.err, tt.want)
		}
	}
	// Omid has no birth date, which PAXLST requires: nothing is written.
	partial := filepath.Join(t.TempDir(), "f2.edi")
	r = runCmd(t, "export", "manifest", "--flight", "F2", "--format", "paxlst", "--out", partial, "--db", path, "--key-file", keyFile)
	if r.err == nil || !strings.Contains(r.err.Error(), "P3") || !strings.Contains(r.err.Error(), "birth date") {
		t.Errorf("a passenger without a birth date: %v", r.err)
	}
	if _, err := os.Stat(partial); err == nil {
		t.Error("a refused export left its file")
	}
}

func TestBoardingPassAndPrintedManifest(t *testing.T) {
	path, keyFile := manifestDatabase(t)
	run := func(args ...string) runResult {
		return runCmd(t, append(args, "--db", path, "--key-file", keyFile)...)
	}
	r := run("boardingpass", "--person", "P2", "--flight", "F1", "--format", "text")
	pass, err := bcbp.Decode(strings.TrimSpace(r.stdout))
	if r.err != nil || err != nil || pass.Name != "RAHIMI/LAILA ULKER" || pass.Legs[0].Seat != "002" || pass.Legs[0].Flight != "0101" ||
		pass.Legs[0].Date != "236" || pass.Legs[0].Carrier != "DEU" || pass.Legs[0].To != "TAS" {
		t.Fatalf("boarding pass %q: %+v, %v %v", r.stdout, pass, r.err, err)
	}
	png := filepath.Join(t.TempDir(), "pass.png")
	if r := run("boardingpass", "--person", "P2", "--flight", "F1", "--format", "png", "--out", png); r.err != nil {
		t.Fatal(r.err)
	}
	b, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	decoded, errs := pdf417test.Decode(t, [][]byte{b})
	if errs[0] != nil || string(decoded[0]) != strings.TrimSpace(r.stdout) {
		t.Errorf("the barcode decodes to %q (%v), want %q", decoded[0], errs[0], strings.TrimSpace(r.stdout))
	}
	qr := filepath.Join(t.TempDir(), "pass-qr.png")
	if r := run("boardingpass", "--person", "P2", "--flight", "F1", "--format", "qr", "--out", qr); r.err != nil {
		t.Fatal(r.err)
	}
	if reader, err := exec.LookPath("ZXingReader"); err == nil {
		got, err := exec.Command(reader, "-format", "QRCode", "-bytes", qr).Output()
		if err != nil || strings.TrimSpace(string(got)) != strings.TrimSpace(r.stdout) {
			t.Errorf("the QR pass decodes to %q (%v)", got, err)
		}
	}
	if r := run("boardingpass", "--person", "P2", "--flight", "F1", "--format", "pdf"); r.err != nil || !strings.HasPrefix(r.stdout, "%PDF-") {
		t.Errorf("pdf pass: %v", r.err)
	}
	if r := run("boardingpass", "--person", "P3", "--flight", "F1"); r.err == nil || !strings.Contains(r.err.Error(), "not on the manifest of flight F1") {
		t.Errorf("a person on another flight: %v", r.err)
	}
	if r := run("export", "manifest", "--flight", "F1", "--format", "pdf"); r.err != nil || !strings.HasPrefix(r.stdout, "%PDF-") {
		t.Errorf("pdf manifest: %v", r.err)
	}
}
