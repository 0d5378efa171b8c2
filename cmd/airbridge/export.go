package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"airbridge"
	"airbridge/paxlst"
	"airbridge/printout"
)

// exportCmd writes a flight's manifest: PAXLST for border authorities, CSV
// or XLSX for people, PDF for paper.
func (env *environment) exportCmd(args []string) error {
	const synopsis = "export manifest --flight ID --format paxlst|csv|xlsx|pdf [--out FILE] [--db FILE] [--key-file FILE]"
	if len(args) == 0 || args[0] != "manifest" {
		fmt.Fprintf(env.stderr, "Usage: airbridge %s\n", synopsis)
		return exitError(2)
	}
	fs := env.flags("export manifest", synopsis)
	flight := fs.String("flight", "", "the flight")
	format := fs.String("format", "csv", "paxlst, csv, xlsx or pdf")
	out := fs.String("out", "", "the file to write (default: standard output)")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file (env AIRBRIDGE_DB); not one a server holds")
	keyFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "master key file (env AIRBRIDGE_KEY_FILE; or AIRBRIDGE_MASTER_KEY)")
	if err := env.parse(fs, args[1:]); err != nil {
		return err
	}
	if *flight == "" {
		return fmt.Errorf("--flight: name the flight")
	}
	write, ok := manifestWriters[*format]
	if !ok {
		return fmt.Errorf("--format %q: give paxlst, csv, xlsx or pdf", *format)
	}
	db, err := env.openExisting(*path, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.Flight(env.ctx, *flight)
	if err != nil {
		return err
	}
	policy, err := db.Policy(env.ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(v.Manifest, func(a, b airbridge.Person) int { return seatOrder(a.Seat, b.Seat) })
	if *out == "" {
		return write(env.stdout, policy, v, time.Now().UTC())
	}
	var buf bytes.Buffer
	if err := write(&buf, policy, v, time.Now().UTC()); err != nil {
		return err // nothing written: an earlier export in the file stays
	}
	return writePrivate(*out, buf.Bytes())
}

// writePrivate writes b to path, readable by its owner only (it holds
// personal data), replacing the file whole or not at all.
func writePrivate(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// seatOrder orders seats 1, 2, … 10, then litter positions L1, L2, ….
func seatOrder(a, b string) int {
	key := func(s string) (bool, int) {
		n := 0
		fmt.Sscan(strings.TrimPrefix(s, "L"), &n)
		return strings.HasPrefix(s, "L"), n
	}
	la, na := key(a)
	lb, nb := key(b)
	switch {
	case la != lb && la:
		return 1
	case la != lb:
		return -1
	}
	return na - nb
}

type manifestWriter func(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error

var manifestWriters = map[string]manifestWriter{"paxlst": writePAXLST, "csv": writeManifestCSV, "xlsx": writeManifestXLSX, "pdf": writeManifestPDF}

var manifestHeader = []string{"seat", "person_id", "group_id", "surname", "given_names", "birth_date", "sex", "nationality", "category",
	"document_type", "document_number", "issuing_state", "document_expiry", "stage"}

func manifestRows(v *airbridge.FlightView) [][]string {
	rows := make([][]string, 0, len(v.Manifest))
	for _, p := range v.Manifest {
		var d airbridge.Document
		if len(p.Documents) > 0 {
			d = p.Documents[0]
		}
		rows = append(rows, []string{p.Seat, p.ID, p.GroupID, p.Surname, p.GivenNames, p.BirthDate, p.Sex, p.Nationality, p.Category,
			d.Type, d.Number, d.IssuingState, d.Expiry, string(p.Stage)})
	}
	return rows
}

func writeManifestCSV(w io.Writer, _ *airbridge.Policy, v *airbridge.FlightView, _ time.Time) error {
	cw := csv.NewWriter(w)
	cw.Write(manifestHeader)
	cw.WriteAll(manifestRows(v))
	return cw.Error()
}

func writeManifestXLSX(w io.Writer, _ *airbridge.Policy, v *airbridge.FlightView, _ time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Manifest " + v.Flight.ID
	if len(sheet) > 31 {
		sheet = sheet[:31]
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for i, row := range append([][]string{manifestHeader}, manifestRows(v)...) {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return f.Write(w)
}

var unoaFold = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// latin spells the Latin letters that have no decomposition as ICAO 9303
// transliterates them.
var latin = strings.NewReplacer("Ø", "OE", "ø", "OE", "Ł", "L", "ł", "L", "ß", "SS", "Æ", "AE", "æ", "AE", "Œ", "OE", "œ", "OE",
	"Đ", "D", "đ", "D", "Þ", "TH", "þ", "TH", "Ð", "D", "ð", "D", "Ħ", "H", "ħ", "H", "Ŧ", "T", "ŧ", "T", "ı", "I")

// unoa writes s in the UNOA character set of EDIFACT: diacritics dropped,
// letters without one spelled out, upper case, anything else a space, and
// spaces collapsed. A name in another script comes out empty: the caller
// must refuse it rather than send a blank.
func unoa(s string) string {
	s, _, _ = transform.String(unoaFold, latin.Replace(s))
	s = strings.Map(func(r rune) rune {
		r = unicode.ToUpper(r)
		if r < 128 && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>", r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n characters, without a trailing space.
func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.TrimRight(s, " ")
}

func writePAXLST(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error {
	f := v.Flight
	m := paxlst.Manifest{Sender: clip(unoa(f.Operator), 35), Recipient: clip(unoa(f.Destination), 35),
		Reference: now.Format("0601021504"), Prepared: now.Truncate(time.Minute), ReportingParty: clip(unoa(p.Name), 70),
		Flight: paxlst.Flight{Carrier: clip(unoa(f.Operator), 17), Number: clip(unoa(f.Callsign), 17), From: "KBL", To: clip(unoa(f.Destination), 35),
			Departure: f.Slot.Truncate(time.Minute), Arrival: f.Slot.Truncate(time.Minute)}}
	var undated, unwritten []string
	for _, person := range v.Manifest {
		birth, err := time.Parse(time.DateOnly, person.BirthDate)
		if err != nil {
			undated = append(undated, person.ID)
			continue
		}
		surname, given := clip(unoa(person.Surname), 70), clip(unoa(person.GivenNames), 70)
		if surname == "" {
			surname, given = given, ""
		}
		if surname == "" {
			unwritten = append(unwritten, person.ID)
			continue
		}
		pass := paxlst.Passenger{Surname: surname, GivenNames: given, Sex: cmpOr(person.Sex, "U"), BirthDate: birth,
			Nationality: person.Nationality, Reference: clip(unoa(person.GroupID), 35)}
		if len(person.Documents) > 0 {
			d := person.Documents[0]
			pass.DocumentType = map[string]string{"passport": "P", "id_card": "I", "visa": "V"}[d.Type]
			if pass.DocumentType == "" {
				pass.DocumentType = "F"
			}
			pass.DocumentNumber, pass.IssuingState = d.Number, d.IssuingState
			pass.DocumentExpiry, _ = time.Parse(time.DateOnly, d.Expiry)
		}
		m.Passengers = append(m.Passengers, pass)
	}
	switch {
	case len(undated) > 0:
		return fmt.Errorf("PAXLST needs every passenger's birth date; %d have none: %s", len(undated), strings.Join(undated, ", "))
	case len(unwritten) > 0:
		return fmt.Errorf("PAXLST writes names in Latin letters; the names of %d passengers have none (record a Latin spelling): %s", len(unwritten), strings.Join(unwritten, ", "))
	}
	b, err := paxlst.Encode(m, paxlst.Options{LineBreaks: true})
	if err != nil {
		return fmt.Errorf("PAXLST of flight %s: %w", f.ID, err)
	}
	_, err = w.Write(b)
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func writeManifestPDF(w io.Writer, p *airbridge.Policy, v *airbridge.FlightView, now time.Time) error {
	f := v.Flight
	m := printout.Manifest{Operation: p.Name, FlightID: f.ID, Callsign: f.Callsign, Operator: f.Operator, Aircraft: string(f.Aircraft),
		Destination: f.Destination, Slot: f.Slot, Seats: f.Seats, Printed: now}
	for _, person := range v.Manifest {
		doc := ""
		if len(person.Documents) > 0 {
			doc = person.Documents[0].Number
		}
		m.Passengers = append(m.Passengers, printout.Passenger{Seat: person.Seat, Surname: person.Surname, GivenNames: person.GivenNames,
			Group: person.GroupID, Category: person.Category, Nationality: person.Nationality, Document: doc, Stage: string(person.Stage)})
	}
	b, err := printout.ManifestPDF(m)
	if err != nil {
		return fmt.Errorf("PDF manifest of flight %s: %w", f.ID, err)
	}
	_, err = w.Write(b)
	return err
}
