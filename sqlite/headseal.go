package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"airbridge/vault"
)

// A hash chain shows an edit, but not a rewrite: whoever can write the file
// can recompute every hash after the one edited, or cut the tail. So every
// write of a process that holds the master key also records the heads of
// both chains, the ledger's and the audit log's, under one MAC with a key
// derived from the master key, which is not in the file; verify given that
// key checks both chains against it. One MAC over both, so that neither
// record can be dropped alone. What no MAC in the file can show is a
// rollback to an earlier sealed state (an old seal copied back with the
// tail cut): only heads written down elsewhere show that.

// sealer seals the chains' heads; a nil sealer (administration without the
// master key) seals nothing, and the audit entries it writes stay unsealed
// until a process with the key writes again.
type sealer struct{ key []byte }

func newSealer(k vault.MasterKey) *sealer { return &sealer{key: k.Derive("airbridge chain head seal")} }

// chainSeal is the meta row that holds the sealed heads.
const chainSeal = "chain_seal"

// heads are the last seq and hash of the ledger and of the audit log.
type heads struct {
	ledgerSeq, auditSeq   int64
	ledgerHash, auditHash []byte
}

func (s *sealer) mac(h heads) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "ledger %d %x\naudit %d %x\n", h.ledgerSeq, h.ledgerHash, h.auditSeq, h.auditHash)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *sealer) value(h heads) string {
	return fmt.Sprintf("%d %s %d %s %s", h.ledgerSeq, hexOrDash(h.ledgerHash), h.auditSeq, hexOrDash(h.auditHash), s.mac(h))
}

// hexOrDash writes a hash of an empty chain as "-", so the fields stay apart.
func hexOrDash(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func unhexOrDash(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	return hex.DecodeString(s)
}

// readHeads reads the current heads of both chains.
func readHeads(ctx context.Context, q querier) (heads, error) {
	var h heads
	for _, c := range []struct {
		table string
		seq   *int64
		hash  *[]byte
	}{{"events", &h.ledgerSeq, &h.ledgerHash}, {"audit", &h.auditSeq, &h.auditHash}} {
		err := q.QueryRowContext(ctx, `SELECT seq, hash FROM `+c.table+` ORDER BY seq DESC LIMIT 1`).Scan(c.seq, c.hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return h, fmt.Errorf("read the head of %s: %w", c.table, err)
		}
	}
	return h, nil
}

// seal records the current heads in tx.
func (s *sealer) seal(ctx context.Context, tx *sql.Tx) error {
	if s == nil {
		return nil
	}
	h, err := readHeads(ctx, tx)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, statementSQL[stMeta], chainSeal, s.value(h))
	return err
}

// readSeal reads the sealed heads and their MAC; nil if there are none, and
// ok false if the row is not of the form seal writes.
func readSeal(ctx context.Context, q querier) (h *heads, mac string, ok bool, err error) {
	var v string
	err = q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, chainSeal).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", true, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	f := strings.Fields(v)
	if len(f) != 5 {
		return &heads{}, "", false, nil
	}
	h = &heads{}
	var errs [4]error
	h.ledgerSeq, errs[0] = strconv.ParseInt(f[0], 10, 64)
	h.ledgerHash, errs[1] = unhexOrDash(f[1])
	h.auditSeq, errs[2] = strconv.ParseInt(f[2], 10, 64)
	h.auditHash, errs[3] = unhexOrDash(f[3])
	return h, f[4], errors.Join(errs[:]...) == nil, nil
}

// check compares both chains, as q holds them, with their sealed heads.
func (s *sealer) check(ctx context.Context, q querier) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	now, err := readHeads(ctx, q)
	if err != nil {
		return nil, err
	}
	sealed, mac, ok, err := readSeal(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case sealed == nil && (now.ledgerSeq > 0 || now.auditSeq > 0):
		// The ledger is only ever written with the key: a file with events
		// and no seal lost it.
		if now.ledgerSeq > 0 {
			return []string{"the chains have no sealed head: the seal was deleted"}, nil
		}
		return nil, nil // audit entries of offline administration only
	case sealed == nil:
		return nil, nil
	case !ok || !hmac.Equal([]byte(mac), []byte(s.mac(*sealed))):
		return []string{"the sealed heads do not match the master key: they were forged or altered"}, nil
	}
	var out []string
	for _, c := range []struct {
		what, table     string
		sealedSeq, last int64
		sealedHash      []byte
	}{
		{"ledger", "events", sealed.ledgerSeq, now.ledgerSeq, sealed.ledgerHash},
		{"audit log", "audit", sealed.auditSeq, now.auditSeq, sealed.auditHash},
	} {
		if c.sealedSeq > c.last {
			out = append(out, fmt.Sprintf("the %s ends at %d but was sealed at %d: its tail was deleted", c.what, c.last, c.sealedSeq))
			continue
		}
		if c.sealedSeq == 0 {
			continue
		}
		var hash []byte
		if err := q.QueryRowContext(ctx, `SELECT hash FROM `+c.table+` WHERE seq = ?`, c.sealedSeq).Scan(&hash); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if !hmac.Equal(hash, c.sealedHash) {
			out = append(out, fmt.Sprintf("the %s was rewritten: its hash at %d is not the one sealed", c.what, c.sealedSeq))
		}
	}
	return out, nil
}

// reseal checks the sealed heads under old and seals them again under s, in
// a rotation of the master key.
func (s *sealer) reseal(ctx context.Context, tx *sql.Tx, old *sealer) error {
	if diffs, err := old.check(ctx, tx); err != nil || len(diffs) > 0 {
		return fmt.Errorf("the chains do not match their sealed heads under the current master key (%s%v); run airbridge verify before rotating", strings.Join(diffs, "; "), err)
	}
	return s.seal(ctx, tx)
}
