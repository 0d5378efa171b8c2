package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// demoResult is what "bench demo --json" prints.
type demoResult struct {
	ReadyMs float64 `json:"ready_ms"` // from start to the first answered /healthz
	Persons int     `json:"persons"`
	Events  int64   `json:"events"`
}

func (env *environment) benchDemo(args []string) error {
	fs := env.flags("bench demo", "bench demo [--persons N] [--json]")
	persons := fs.Int("persons", 10_000, "number of people in the scenario")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *persons < 100 || *persons > 200_000 {
		fmt.Fprintf(env.stderr, "airbridge bench demo: --persons %d is outside 100..200000\n", *persons)
		return exitError(2)
	}
	dir, err := os.MkdirTemp("", "airbridge-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	start := time.Now()
	db, err := seedDemo(ctx, filepath.Join(dir, "demo.db"), 1, *persons, start)
	if err != nil {
		return err
	}
	defer db.Close()
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serveOn(ctx, db, "127.0.0.1:0", slog.New(slog.DiscardHandler), func(u string) { urlc <- u })
	}()
	var url string
	select {
	case url = <-urlc:
	case err := <-served:
		return err
	}
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		return err
	}
	resp.Body.Close()
	res := demoResult{ReadyMs: float64(time.Since(start).Microseconds()) / 1000, Persons: *persons}
	stats, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	res.Events = stats.Events
	cancel()
	if err := <-served; err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(res)
	}
	fmt.Fprintf(env.stdout, "demo ready in %.0f ms (%d persons, %d events)\n", res.ReadyMs, res.Persons, res.Events)
	return nil
}
