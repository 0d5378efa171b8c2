package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// demoResult is what "bench demo --json" prints.
type demoResult struct {
	ReadyMs float64   `json:"ready_ms"` // the median, from start to the first answered /healthz
	Runs    []float64 `json:"runs_ms"`
	Persons int       `json:"persons"`
	Events  int64     `json:"events"`
}

func (env *environment) benchDemo(args []string) error {
	fs := env.flags("bench demo", "bench demo [--persons N] [--json]")
	persons := fs.Int("persons", 10_000, "number of people in the scenario")
	runs := fs.Int("runs", 5, "how many times to start the demo (1..50); the median is reported")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *persons < 100 || *persons > 200_000 || *runs < 1 || *runs > 50 {
		fmt.Fprintf(env.stderr, "airbridge bench demo: need 100 ≤ --persons ≤ 200000 and 1 ≤ --runs ≤ 50\n")
		return exitError(2)
	}
	res := demoResult{Persons: *persons}
	for range *runs {
		ms, events, err := env.demoOnce(*persons)
		if err != nil {
			return err
		}
		res.Runs = append(res.Runs, ms)
		res.Events = events
	}
	res.ReadyMs = median(res.Runs)
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	fmt.Fprintf(env.stdout, "demo ready in %.0f ms, median of %d runs (%d persons, %d events)\n", res.ReadyMs, len(res.Runs), res.Persons, res.Events)
	return nil
}

// demoOnce seeds a demo in a temporary folder, serves it, and returns the
// milliseconds until /healthz answered.
func (env *environment) demoOnce(persons int) (float64, int64, error) {
	dir, err := os.MkdirTemp("", "airbridge-bench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	start := time.Now()
	db, err := seedDemo(ctx, filepath.Join(dir, "demo.db"), 1, persons, start)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if _, err := demoUsers(ctx, db); err != nil { // as the demo does before it serves
		return 0, 0, err
	}
	url, served, err := serveInProcess(ctx, db)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		return 0, 0, err
	}
	resp.Body.Close()
	ms := float64(time.Since(start).Microseconds()) / 1000
	stats, err := db.Stats(ctx)
	if err != nil {
		return 0, 0, err
	}
	cancel()
	if err := <-served; err != nil {
		return 0, 0, err
	}
	return ms, stats.Events, nil
}
