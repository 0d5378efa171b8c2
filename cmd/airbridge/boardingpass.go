package main

import (
	"fmt"

	"airbridge"
	"airbridge/papers"
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
	b, err := papers.Pass(*format, policy, p, v)
	if err != nil {
		return err
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
