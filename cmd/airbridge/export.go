package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"airbridge/papers"
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
	if !slices.Contains(papers.Formats, *format) {
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
	if *out == "" {
		return papers.Manifest(env.stdout, *format, policy, v, time.Now().UTC())
	}
	var buf bytes.Buffer
	if err := papers.Manifest(&buf, *format, policy, v, time.Now().UTC()); err != nil {
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
