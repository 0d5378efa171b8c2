package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"airbridge"
	"airbridge/vault"
)

// RawInsertRate is the yardstick of the ingest benchmark: it inserts n copies
// of event (with distinct seqs, streams and keys) straight into the events
// table of a fresh database at path, with the same durability as the ledger
// and 512 rows a transaction, and returns rows per second.
func RawInsertRate(ctx context.Context, path string, event airbridge.Event, n int) (float64, error) {
	key, err := vault.GenerateMasterKey()
	if err != nil {
		return 0, err
	}
	db, err := Open(ctx, path, key)
	if err != nil {
		return 0, err
	}
	db.Close()
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	data, err := json.Marshal(event.Data)
	if err != nil {
		return 0, err
	}
	at := event.Time.Format(time.RFC3339Nano)
	var prev []byte
	start := time.Now()
	for i := 0; i < n; i += 512 {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		stmt, err := tx.PrepareContext(ctx, statementSQL[stEvent])
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		for j := i; j < min(i+512, n); j++ {
			id := strconv.Itoa(j)
			// The yardstick pays for the hash chain as the ledger does.
			prev = chainHash(prev, int64(j+1), "person/raw"+id, event.Type, data, event.Actor, event.Site, "raw-"+id, at)
			if _, err := stmt.ExecContext(ctx, j+1, "person/raw"+id, event.Type, data, event.Actor, event.Site, "raw-"+id, at, prev); err != nil {
				tx.Rollback()
				return 0, fmt.Errorf("raw insert: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
