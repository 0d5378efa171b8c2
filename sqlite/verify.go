package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"airbridge"
	"airbridge/vault"
)

// Verify refolds the whole ledger into a fresh state and compares it with the
// read tables. It returns one line per difference; none means the tables are
// exactly what the ledger says.
func (db *DB) Verify(ctx context.Context) ([]string, error) { return verify(ctx, db.r, db.seals) }

// VerifyFile verifies the airbridge database at path without writing to it,
// so that it can check a ledger while a server writes it. It returns the
// differences and the counts of what it checked. Given the master key, it
// also checks the chains against their sealed heads, which shows a chain
// rewritten or cut short by someone who could write the file.
func VerifyFile(ctx context.Context, path string, key *vault.MasterKey) ([]string, Stats, error) {
	if err := Check(ctx, path); err != nil {
		return nil, Stats{}, err
	}
	r, err := openReadOnly(path)
	if err != nil {
		return nil, Stats{}, err
	}
	defer r.Close()
	r.SetMaxOpenConns(1)
	var seals *sealer
	if key != nil {
		var id string
		r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'master_key_id'`).Scan(&id)
		if id != "" && id != key.ID() {
			return nil, Stats{}, fmt.Errorf("the master key given (id %s) is not this database's (id %s)", key.ID(), id)
		}
		seals = newSealer(*key)
	}
	diffs, err := verify(ctx, r, seals)
	if err != nil {
		return nil, Stats{}, err
	}
	stats, err := stats(ctx, r)
	return diffs, stats, err
}

func verify(ctx context.Context, r *sql.DB, seals *sealer) ([]string, error) {
	// One read transaction, so the ledger and the tables are seen at the same
	// instant while writers go on.
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	refold := airbridge.NewState()
	rows, err := tx.QueryContext(ctx, `SELECT seq, stream, type, data, actor, site, key, time, hash FROM events ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	defer rows.Close()
	var last int64
	var prev []byte
	for rows.Next() {
		var stored []byte
		e, raw, err := scanEvent(rows, &stored)
		if err != nil {
			return nil, err
		}
		if e.Seq != last+1 {
			return nil, fmt.Errorf("ledger has a gap: event %d follows %d", e.Seq, last)
		}
		last = e.Seq
		h := chainHash(prev, e.Seq, e.Stream, e.Type, raw, e.Actor, e.Site, e.Key, e.Time.Format(time.RFC3339Nano))
		if !bytes.Equal(h, stored) {
			return []string{fmt.Sprintf("event %d (%s on %s): the hash chain breaks here: the event or its hash was altered after it was written", e.Seq, e.Type, e.Stream)}, nil
		}
		prev = stored
		if err := refold.Apply(e); err != nil {
			return nil, fmt.Errorf("refold event %d: %w", e.Seq, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Personal data stays sealed: the check needs no key, and the sealed
	// boxes of a row and of its events differ by their random nonces. What
	// is sealed is checked whenever it is opened.
	tables, err := loadTables(ctx, tx, opener{})
	if err != nil {
		return nil, err
	}
	audit, err := verifyAudit(ctx, tx)
	if err != nil {
		return nil, err
	}
	sealed, err := seals.check(ctx, tx)
	if err != nil {
		return nil, err
	}
	return slices.Concat(audit, sealed, airbridge.Diff(public(refold), public(tables))), nil
}

// public drops what is sealed from s, and the document index built from it.
func public(s *airbridge.State) *airbridge.State {
	for _, p := range s.Persons {
		*p = p.Public()
	}
	for _, g := range s.Groups {
		*g = g.Public()
	}
	clear(s.Documents)
	return s
}
