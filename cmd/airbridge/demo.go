package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"airbridge/scenario"
	"airbridge/sqlite"
)

const demoMeta = "demo"

func (env *environment) demo(args []string) error {
	start := time.Now()
	fs := env.flags("demo", "demo [--addr HOST:PORT] [--db FILE] [--seed N] [--persons N] [--log-level LEVEL]")
	addr := fs.String("addr", envOr(env.getenv, "AIRBRIDGE_ADDR", "127.0.0.1:8080"), "address to listen on (env AIRBRIDGE_ADDR)")
	path := fs.String("db", "airbridge-demo.db", "demo database file, recreated on each run")
	seed := fs.Int64("seed", 1, "seed of the synthetic scenario")
	persons := fs.Int("persons", 10_000, "number of people in the scenario (100..200000)")
	level := env.logLevel(fs)
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *persons < 100 || *persons > 200_000 {
		fmt.Fprintf(env.stderr, "airbridge demo: --persons %d is outside 100..200000\n", *persons)
		return exitError(2)
	}
	db, err := seedDemo(env.ctx, *path, *seed, *persons, time.Now())
	if err != nil {
		return err
	}
	defer db.Close()
	stats, err := db.Stats(env.ctx)
	if err != nil {
		return err
	}
	return env.listenAndServe(db, *addr, *level, func(url string) {
		fmt.Fprintf(env.stdout, "airbridge %s demo: kabul-2021 (seed %d), %d persons, %d flights, %d events in %s, ready in %s\n",
			version, *seed, stats.Persons, stats.Flights, stats.Events, *path, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(env.stdout, "serving on %s\n", url)
		fmt.Fprintf(env.stdout, "try: curl %s/api/pipeline\n", url)
	})
}

// seedDemo recreates the demo database at path and seeds it with the
// kabul-2021 scenario brought to now. It refuses to replace a file that is
// not an airbridge demo database.
func seedDemo(ctx context.Context, path string, seed int64, persons int, now time.Time) (*sqlite.DB, error) {
	switch kind, err := sqlite.ReadMeta(ctx, path, demoMeta); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("refusing to replace %s: %w", path, err)
	case kind == "":
		return nil, fmt.Errorf("refusing to replace %s: it is an airbridge database, but not a demo one", path)
	case sqlite.InUse(path):
		return nil, fmt.Errorf("refusing to replace %s: another airbridge process is serving it", path)
	default:
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("replace demo database: %w", err)
			}
		}
	}
	subs, err := scenario.Kabul2021(seed, now, persons)
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := db.SetMeta(ctx, demoMeta, "kabul-2021"); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecuteAll(ctx, subs); err != nil {
		db.Close()
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	return db, nil
}
