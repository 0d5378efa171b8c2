package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"airbridge"
)

// Verify refolds the whole ledger into a fresh state and compares it with the
// read tables. It returns one line per difference; none means the tables are
// exactly what the ledger says.
func (db *DB) Verify(ctx context.Context) ([]string, error) { return verify(ctx, db.r) }

// VerifyFile verifies the airbridge database at path without writing to it,
// so that it can check a ledger while a server writes it. It returns the
// differences and the counts of what it checked.
func VerifyFile(ctx context.Context, path string) ([]string, Stats, error) {
	if err := Check(ctx, path); err != nil {
		return nil, Stats{}, err
	}
	r, err := openReadOnly(path)
	if err != nil {
		return nil, Stats{}, err
	}
	defer r.Close()
	r.SetMaxOpenConns(1)
	diffs, err := verify(ctx, r)
	if err != nil {
		return nil, Stats{}, err
	}
	stats, err := stats(ctx, r)
	return diffs, stats, err
}

func verify(ctx context.Context, r *sql.DB) ([]string, error) {
	// One read transaction, so the ledger and the tables are seen at the same
	// instant while writers go on.
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	refold := airbridge.NewState()
	rows, err := tx.QueryContext(ctx, `SELECT seq, stream, type, data, actor, site, key, time FROM events ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if e.Seq != last+1 {
			return nil, fmt.Errorf("ledger has a gap: event %d follows %d", e.Seq, last)
		}
		last = e.Seq
		if err := refold.Apply(e); err != nil {
			return nil, fmt.Errorf("refold event %d: %w", e.Seq, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tables, err := loadTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	return airbridge.Diff(refold, tables), nil
}
