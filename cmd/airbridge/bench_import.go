package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"airbridge"
	"airbridge/sqlite"
	"airbridge/vault"
)

// importResult is what bench import measures.
type importResult struct {
	Rows          int       `json:"rows"`
	Accepted      int       `json:"accepted"`
	Rejected      int       `json:"rejected"`
	Flagged       int       `json:"flagged"`
	Seconds       []float64 `json:"seconds"`        // each run's first import
	MedianSeconds float64   `json:"median_seconds"` // of the first imports
	AgainSeconds  float64   `json:"again_seconds"`  // the last run's second import of the same file
	AddedAgain    int       `json:"added_again"`    // persons the second import registered: 0
}

// benchImport imports a generated list of rows into a fresh database: read,
// check, register; then the same list again, which must add nothing.
func (env *environment) benchImport(args []string) error {
	fs := env.flags("bench import", "bench import [--rows 100000] [--runs 3] [--json]")
	rows := fs.Int("rows", 100_000, "rows in the generated list (1,000..1,000,000)")
	runs := fs.Int("runs", 3, "imports into fresh databases (1..20); the median is reported")
	asJSON := fs.Bool("json", false, "print one JSON object")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	if *rows < 1000 || *rows > 1_000_000 || *runs < 1 || *runs > 20 {
		fmt.Fprintf(env.stderr, "airbridge bench import: need 1000 ≤ --rows ≤ 1000000 and 1 ≤ --runs ≤ 20\n")
		return exitError(2)
	}
	dir, err := os.MkdirTemp("", "airbridge-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "list.csv")
	if err := writeList(file, *rows); err != nil {
		return err
	}
	key, err := vault.GenerateMasterKey()
	if err != nil {
		return err
	}
	res := importResult{Rows: *rows}
	for i := range *runs {
		db, err := sqlite.Open(env.ctx, filepath.Join(dir, fmt.Sprintf("bench%d.db", i)), key)
		if err != nil {
			return err
		}
		_, err = db.Execute(env.ctx, airbridge.Submission{Command: &airbridge.ConfigureOperation{Policy: airbridge.Policy{
			Name: "bench import", Nations: []string{"DEU"}, Categories: airbridge.DefaultCategories()}}, Envelope: airbridge.Envelope{Key: "configure"}})
		if err != nil {
			db.Close()
			return err
		}
		start := time.Now()
		_, plan, err := importFile(env.ctx, db, file, "DEU", nil, false, false, env.progress)
		if err != nil {
			db.Close()
			return err
		}
		res.Seconds = append(res.Seconds, time.Since(start).Seconds())
		r := plan.Report
		res.Accepted, res.Rejected, res.Flagged = r.Accepted, r.Rejected, r.Flagged
		if i == *runs-1 {
			start = time.Now()
			_, again, err := importFile(env.ctx, db, file, "DEU", nil, false, false, env.progress)
			if err != nil {
				db.Close()
				return err
			}
			res.AgainSeconds, res.AddedAgain = time.Since(start).Seconds(), again.Report.Accepted
		}
		if err := db.Close(); err != nil {
			return err
		}
	}
	res.MedianSeconds = median(res.Seconds)
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	fmt.Fprintf(env.stdout, "import of %d rows: %.2f s (median of %d; %v), %d accepted, %d rejected, %d flagged; the same list again: %.2f s, %d added\n",
		res.Rows, res.MedianSeconds, len(res.Seconds), res.Seconds, res.Accepted, res.Rejected, res.Flagged, res.AgainSeconds, res.AddedAgain)
	return nil
}

// writeList writes a synthetic embassy list of n rows: families of one to
// six, one row in a hundred with a bad date.
func writeList(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	surnames := []string{"Rahimi", "Haidari", "Karimi", "Ahmadi", "Noori", "Sultani", "Popal", "Wardak"}
	given := []string{"Farid", "Laila", "Omid", "Zahra", "Ali", "Nadia", "Reza", "Sami", "Mina", "Hamid"}
	cats := []string{"local_staff", "at_risk", "resident"}
	fmt.Fprintln(w, "surname,given_names,birth_date,sex,nationality,category,document_number,group")
	family, left := 0, 0
	for i := range n {
		if left == 0 {
			family, left = family+1, 1+rng.IntN(6)
		}
		left--
		birth := fmt.Sprintf("%d-%02d-%02d", 1950+rng.IntN(70), 1+rng.IntN(12), 1+rng.IntN(28))
		if i%100 == 99 {
			birth = "31.02.1980"
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,AFG,%s,P%08d,F%d\n", surnames[rng.IntN(len(surnames))], given[rng.IntN(len(given))],
			birth, []string{"F", "M"}[rng.IntN(2)], cats[rng.IntN(len(cats))], i, family)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
