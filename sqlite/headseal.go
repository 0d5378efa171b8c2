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
// can recompute every hash after the one edited, or cut the tail. So each
// commit also records the chain's head with a MAC under a key derived from
// the master key, which is not in the file; verify given that key checks the
// chain against it.

// sealer writes the heads of the ledger and the audit log; a nil sealer
// (administration without the master key) writes none, and verify reports
// the entries written since as unsealed.
type sealer struct{ key []byte }

func newSealer(k vault.MasterKey) *sealer { return &sealer{key: k.Derive("airbridge chain head seal")} }

const (
	ledgerSeal = "ledger_seal"
	auditSeal  = "audit_seal"
)

func (s *sealer) mac(name string, seq int64, hash []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(name + "\x00" + strconv.FormatInt(seq, 10) + "\x00"))
	m.Write(hash)
	return hex.EncodeToString(m.Sum(nil))
}

// value is the meta row that records a head.
func (s *sealer) value(name string, seq int64, hash []byte) string {
	return fmt.Sprintf("%d %x %s", seq, hash, s.mac(name, seq, hash))
}

// write records the head of a chain in tx.
func (s *sealer) write(ctx context.Context, tx *sql.Tx, name string, seq int64, hash []byte) error {
	if s == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, statementSQL[stMeta], name, s.value(name, seq, hash))
	return err
}

// head is a recorded head of a chain.
type head struct {
	seq  int64
	hash []byte
	mac  string
}

func readHead(ctx context.Context, q querier, name string) (*head, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f := strings.Fields(v)
	if len(f) != 3 {
		return &head{seq: -1}, nil
	}
	h := &head{mac: f[2]}
	h.seq, err = strconv.ParseInt(f[0], 10, 64)
	if err == nil {
		h.hash, err = hex.DecodeString(f[1])
	}
	if err != nil {
		return &head{seq: -1}, nil
	}
	return h, nil
}

// check compares a chain, whose hashes by seq are hashAt, with its recorded
// head; what describes the chain in messages. A chain that may be written
// without the master key (the audit log, by offline administration) need
// not have a head, and may go on past it.
func (s *sealer) check(name, what string, h *head, last int64, hashAt func(int64) []byte, required bool) []string {
	switch {
	case h == nil:
		if required && last > 0 {
			return []string{fmt.Sprintf("the %s has no sealed head: it was written without the master key, or the seal was deleted", what)}
		}
		return nil
	case h.seq < 0 || !hmac.Equal([]byte(h.mac), []byte(s.mac(name, h.seq, h.hash))):
		return []string{fmt.Sprintf("the sealed head of the %s does not match the master key: it was forged or altered", what)}
	case h.seq > last:
		return []string{fmt.Sprintf("the %s ends at %d but was sealed at %d: its tail was deleted", what, last, h.seq)}
	case h.seq > 0 && !hmac.Equal(hashAt(h.seq), h.hash):
		return []string{fmt.Sprintf("the %s was rewritten: its hash at %d is not the one sealed", what, h.seq)}
	}
	return nil
}

// checkHead checks the recorded head of the chain in table against it.
func (s *sealer) checkHead(ctx context.Context, q querier, name, table, what string, required bool) ([]string, error) {
	if s == nil {
		return nil, nil
	}
	h, err := readHead(ctx, q, name)
	if err != nil {
		return nil, err
	}
	var last int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM `+table).Scan(&last); err != nil {
		return nil, err
	}
	hashAt := func(seq int64) []byte {
		var b []byte
		q.QueryRowContext(ctx, `SELECT hash FROM `+table+` WHERE seq = ?`, seq).Scan(&b)
		return b
	}
	return s.check(name, what, h, last, hashAt, required), nil
}
