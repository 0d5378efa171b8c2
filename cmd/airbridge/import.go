package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"airbridge"
	"airbridge/importer"
	"airbridge/sqlite"
)

// repeated is a flag given any number of times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func (env *environment) importCmd(args []string) error {
	const synopsis = "import persons FILE.csv|FILE.xlsx --nation XXX [--map COLUMN=FIELD]... [--month-first] [--dry-run] [--db FILE] [--key-file FILE] [--rejects FILE] [--json]"
	if len(args) < 2 || args[0] != "persons" || strings.HasPrefix(args[1], "-") {
		fmt.Fprintf(env.stderr, "Usage: airbridge %s\n", synopsis)
		return exitError(2)
	}
	file := args[1]
	fs := env.flags("import persons", synopsis+"\n\nThe fields: "+strings.Join(fieldNames(), ", ")+".")
	nation := fs.String("nation", "", "the nation the persons are registered for (three letters)")
	var mapping repeated
	fs.Var(&mapping, "map", "COLUMN=FIELD: the list's column COLUMN holds FIELD (repeatable)")
	dry := fs.Bool("dry-run", false, "check and report, register nothing")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file (env AIRBRIDGE_DB); not one a server holds")
	keyFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "master key file (env AIRBRIDGE_KEY_FILE; or AIRBRIDGE_MASTER_KEY)")
	rejects := fs.String("rejects", "", "where to write the rejected rows as CSV (default FILE.rejects.csv, if any is rejected)")
	asJSON := fs.Bool("json", false, "print the whole report as JSON")
	mdy := fs.Bool("month-first", false, "read dates written with slashes or dots month first (02/13/1984), as US lists do")
	if err := env.parse(fs, args[2:]); err != nil {
		return err
	}
	if len(*nation) != 3 || strings.ToUpper(*nation) != *nation {
		return fmt.Errorf("--nation %q: give the nation's three-letter code, such as DEU", *nation)
	}
	m, err := importer.ParseMapping(mapping)
	if err != nil {
		return err
	}
	db, err := env.openExisting(*path, *keyFile)
	if err != nil {
		return err
	}
	defer db.Close()
	tbl, plan, err := importFile(env.ctx, db, file, *nation, m, *dry, *mdy, env.progress)
	if err != nil {
		return err
	}
	r := plan.Report
	out := *rejects
	if out == "" {
		out = strings.TrimSuffix(file, filepath.Ext(file)) + ".rejects.csv"
	}
	if r.Rejected == 0 {
		os.Remove(out) // a rejects file of an earlier run would contradict this report
	}
	if r.Rejected > 0 {
		var buf bytes.Buffer
		if err := importer.WriteRejects(&buf, tbl, r); err != nil {
			return err
		}
		if err := writePrivate(out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "rejected rows written to %s\n", out)
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(r)
	}
	verb := "registered"
	if *dry {
		verb = "would register"
	}
	fmt.Fprintf(env.stdout, "%d rows: %d accepted (%s), %d imported before, %d rejected, %d flagged\n",
		r.Rows, r.Accepted, verb, r.Existing, r.Rejected, r.Flagged)
	shown := 0
	for _, res := range r.Results {
		if (res.Outcome == importer.Rejected || len(res.Flags) > 0) && shown < 50 {
			shown++
			what := res.Reason
			if res.Outcome != importer.Rejected {
				what = strings.Join(res.Flags, "; ")
			}
			fmt.Fprintf(env.stdout, "  line %d: %s: %s\n", res.Line, map[bool]string{true: "rejected", false: "flagged"}[res.Outcome == importer.Rejected], what)
		}
	}
	if n := r.Rejected + r.Flagged; n > shown {
		fmt.Fprintf(env.stdout, "  … and %d more (--json lists them all)\n", n-shown)
	}
	return nil
}

// importFile reads file, checks its rows against db's state for nation and,
// unless dry, registers the accepted ones, showing progress.
func importFile(ctx context.Context, db *sqlite.DB, file, nation string, m map[string]importer.Field, dry, monthFirst bool,
	progress func(what string, total int) func(int)) (*importer.Table, *importer.Plan, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var tbl *importer.Table
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv", ".txt":
		tbl, err = importer.ReadCSV(f, m)
	case ".xlsx":
		tbl, err = importer.ReadXLSX(f, m)
	default:
		return nil, nil, fmt.Errorf("%s: give a .csv or .xlsx file", file)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	tbl.MonthFirst = monthFirst
	// Only the copy is made in the store's writer; the checks run outside it.
	var known importer.Known
	var policy airbridge.Policy
	err = db.View(ctx, func(s *airbridge.State) error {
		if s.Policy == nil {
			return fmt.Errorf("the operation is not configured yet")
		}
		if !s.Policy.HasNation(nation) {
			return fmt.Errorf("--nation %s is not a nation of this operation", nation)
		}
		known, policy = importer.KnownFrom(s, nation), *s.Policy
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	plan := importer.Build(tbl, nation, policy, known, time.Now().UTC())
	if !dry && len(plan.Groups) > 0 {
		show := progress("registered", plan.Persons())
		if err := importer.Submit(ctx, db, plan, "import", show); err != nil {
			return nil, nil, err
		}
		show(-1)
	}
	return tbl, plan, nil
}

func fieldNames() []string {
	out := make([]string, len(importer.Fields))
	for i, f := range importer.Fields {
		out[i] = string(f)
	}
	return out
}

// progress returns a function that shows done of total on a terminal's
// stderr (and nothing elsewhere); -1 ends the line.
func (env *environment) progress(what string, total int) func(done int) {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func(int) {}
	}
	return func(done int) {
		if done < 0 {
			fmt.Fprintln(f)
			return
		}
		const width = 30
		n := width * done / max(total, 1)
		fmt.Fprintf(f, "\r[%s%s] %s %d of %d", strings.Repeat("#", n), strings.Repeat(" ", width-n), what, done, total)
	}
}
