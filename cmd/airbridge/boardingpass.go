package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"airbridge"
	"airbridge/bcbp"
	"airbridge/invite"
	"airbridge/pdf417"
	"airbridge/printout"
)

// boardingPass writes a person's boarding pass: the IATA BCBP text, or it
// as a PDF417 barcode (PNG) or a printable page (PDF).
func (env *environment) boardingPass(args []string) error {
	const synopsis = "boardingpass --person ID --flight ID --format text|png|qr|pdf [--out FILE] [--db FILE] [--key-file FILE]"
	fs := env.flags("boardingpass", synopsis)
	personID := fs.String("person", "", "the person")
	flightID := fs.String("flight", "", "the flight the person is on")
	format := fs.String("format", "text", "text (the BCBP string), png (its PDF417 barcode), qr (it as a QR code, PNG) or pdf (a printable pass)")
	out := fs.String("out", "", "the file to write (default: standard output)")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file (env AIRBRIDGE_DB); not one a server holds")
	keyFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "master key file (env AIRBRIDGE_KEY_FILE; or AIRBRIDGE_MASTER_KEY)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *personID == "" || *flightID == "" {
		return fmt.Errorf("--person and --flight: name the person and the flight")
	}
	if *format != "text" && *format != "png" && *format != "qr" && *format != "pdf" {
		return fmt.Errorf("--format %q: give text, png, qr or pdf", *format)
	}
	db, err := env.openExisting(*path, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.Person(env.ctx, *personID)
	if err != nil {
		return err
	}
	if p.FlightID != *flightID || (p.Stage != airbridge.Manifested && p.Stage != airbridge.Boarded) {
		return fmt.Errorf("person %s is %s%s, not on the manifest of flight %s", p.ID, p.Stage, onFlightText(p.FlightID), *flightID)
	}
	v, err := db.Flight(env.ctx, *flightID)
	if err != nil {
		return err
	}
	policy, err := db.Policy(env.ctx)
	if err != nil {
		return err
	}
	text, err := passText(p, v)
	if err != nil {
		return err
	}
	var b []byte
	switch *format {
	case "text":
		b = []byte(text + "\n")
	case "png":
		sym, err := pdf417.Encode([]byte(text), pdf417.Options{})
		if err != nil {
			return err
		}
		if b, err = sym.PNG(2, 6, 2); err != nil {
			return err
		}
	case "qr":
		if b, err = invite.PNG(text, 4); err != nil { // the invitations' QR renderer, level M
			return err
		}
	case "pdf":
		if b, err = passPDF(policy, p, v, text); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = env.stdout.Write(b)
		return err
	}
	return writePrivate(*out, b)
}

func onFlightText(id string) string {
	if id == "" {
		return ""
	}
	return " on flight " + id
}

// passText is the person's boarding pass as an IATA BCBP (Resolution 792)
// string: the name as SURNAME/GIVEN in capitals without diacritics, the
// group as the booking reference, from Kabul to the first three letters of
// the destination, the operator as carrier, the callsign's digits as the
// flight number, the slot's day of the year, the seat ("L" and three digits
// for a litter position), the seat's place on the manifest as the check-in
// sequence.
func passText(p *airbridge.Person, v *airbridge.FlightView) (string, error) {
	f := v.Flight
	surname, given := unoa(p.Surname), unoa(p.GivenNames)
	if surname == "" && given == "" {
		return "", fmt.Errorf("person %s has no name in Latin letters, which a boarding pass is written in", p.ID)
	}
	name := clip(surname+"/"+given, 20)
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, f.Callsign)
	if digits == "" {
		digits = "1"
	}
	if len(digits) > 4 {
		digits = digits[len(digits)-4:]
	}
	n, _ := strconv.Atoi(digits)
	seq := 0
	for i, m := range v.Manifest {
		if m.ID == p.ID {
			seq = i + 1
		}
	}
	seat := p.Seat
	if s, litter := strings.CutPrefix(seat, "L"); litter {
		k, _ := strconv.Atoi(s)
		seat = fmt.Sprintf("L%03d", k)
	} else {
		k, _ := strconv.Atoi(seat)
		seat = fmt.Sprintf("%03d", k)
	}
	to := strings.ReplaceAll(unoa(f.Destination), " ", "")
	if len(to) > 3 {
		to = to[:3]
	}
	pnr := strings.ToUpper(strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, p.GroupID))
	if len(pnr) > 7 {
		pnr = pnr[len(pnr)-7:]
	}
	status := "1" // checked in
	if p.Stage == airbridge.Boarded {
		status = "5" // passed the gate: boarded
	}
	pass := bcbp.Pass{Name: name, Legs: []bcbp.Leg{{PNR: pnr, From: "KBL", To: to, Carrier: f.Operator, Flight: fmt.Sprintf("%04d", n),
		Date: fmt.Sprintf("%03d", f.Slot.YearDay()), Compartment: "Y", Seat: seat, CheckInSequence: fmt.Sprintf("%04d", seq), PassengerStatus: status}}}
	return bcbp.Encode(pass)
}

func passPDF(policy *airbridge.Policy, p *airbridge.Person, v *airbridge.FlightView, text string) ([]byte, error) {
	f := v.Flight
	return printout.PassPDF(printout.Pass{Operation: policy.Name, Name: strings.TrimSpace(p.Surname + ", " + p.GivenNames),
		FlightID: f.ID, Callsign: f.Callsign, Destination: f.Destination, Seat: p.Seat, Group: p.GroupID, Slot: f.Slot, Barcode: text})
}
