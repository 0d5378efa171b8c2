package main

import (
	"fmt"

	"airbridge/sqlite"
)

func (env *environment) verify(args []string) error {
	fs := env.flags("verify", "verify --db FILE")
	path := fs.String("db", env.getenv("AIRBRIDGE_DB"), "database file to check (env AIRBRIDGE_DB)")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *path == "" {
		fmt.Fprintln(env.stderr, "airbridge verify: --db is required")
		return exitError(2)
	}
	diffs, stats, err := sqlite.VerifyFile(env.ctx, *path)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	for _, line := range diffs {
		fmt.Fprintln(env.stdout, line)
	}
	if n := len(diffs); n > 0 {
		fmt.Fprintf(env.stdout, "%s: %d differences between the ledger (%d events) and the read tables\n", *path, n, stats.Events)
		return exitError(1)
	}
	fmt.Fprintf(env.stdout, "%s: the hash chain of %d events holds and the ledger matches the read tables (%d persons, %d flights)\n",
		*path, stats.Events, stats.Persons, stats.Flights)
	if stats.Head != "" {
		fmt.Fprintf(env.stdout, "head of the chain: event %d, %s\n", stats.Events, stats.Head)
	}
	return nil
}
