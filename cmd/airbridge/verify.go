package main

import (
	"fmt"

	"airbridge/sqlite"
	"airbridge/vault"
)

func (env *environment) verify(args []string) error {
	fs := env.flags("verify", "verify --db FILE [--key-file FILE]")
	path := fs.String("db", env.getenv("AIRBRIDGE_DB"), "database file to check (env AIRBRIDGE_DB)")
	keyFile := fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "the master key, to check the chains against their sealed heads (env AIRBRIDGE_KEY_FILE or AIRBRIDGE_MASTER_KEY); optional")
	if err := env.parse(fs, args); err != nil {
		return err
	}
	if *path == "" {
		fmt.Fprintln(env.stderr, "airbridge verify: --db is required")
		return exitError(2)
	}
	var key *vault.MasterKey
	if *keyFile != "" || env.getenv("AIRBRIDGE_MASTER_KEY") != "" {
		k, err := env.masterKey(*keyFile)
		if err != nil {
			return err
		}
		key = &k
	}
	diffs, stats, err := sqlite.VerifyFile(env.ctx, *path, key)
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
	if stats.AuditHead != "" {
		fmt.Fprintf(env.stdout, "head of the audit log: entry %d, %s\n", stats.AuditEntries, stats.AuditHead)
	}
	if key == nil {
		fmt.Fprintln(env.stdout, "the heads were not checked against their seals: give the master key (--key-file) to detect a rewritten chain")
	} else {
		fmt.Fprintf(env.stdout, "the heads match their seals under master key %s\n", key.ID())
	}
	return nil
}
