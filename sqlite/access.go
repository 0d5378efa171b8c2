package sqlite

import (
	"bytes"
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"airbridge"
	"airbridge/auth"
)

// Access keeps who may use airbridge — users, API tokens, browser sessions —
// and the audit log of security events. A served database reaches it
// through its writer; an offline one (OpenAdmin) directly.
type Access struct {
	update func(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) (func(), error)) error
	r      querier
	now    func() time.Time
	seal   *sealer // nil: administration without the master key
	tokens tokenCache
}

// tokenCache keeps the tokens that authenticated recently, so that a request
// does not read the database to learn who sent it. Revoking a token or
// disabling a user empties it: only this process writes the database (the
// file is locked), so that is every change. A look-up that raced a change
// (gen moved on while it read) is not kept.
type tokenCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cachedToken
}

type cachedToken struct {
	hash, expires string
	user          auth.User
	at            time.Time
}

// tokenCacheTTL bounds how long a cached token is trusted without a read.
const tokenCacheTTL = time.Minute

func (c *tokenCache) get(id string, now time.Time) (cachedToken, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[id]
	return t, c.gen, ok && now.Sub(t.at) < tokenCacheTTL
}

func (c *tokenCache) put(id string, t cachedToken, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= 10_000 {
		c.m = map[string]cachedToken{}
	}
	c.m[id] = t
}

func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// stampLayout writes times of one width, so that they sort as text.
const stampLayout = "2006-01-02T15:04:05.000000000Z07:00"

func (a *Access) stamp() string { return a.now().UTC().Format(stampLayout) }

// expired reports whether an expiry time (RFC 3339; empty: never) has passed.
func (a *Access) expired(expires string) bool {
	if expires == "" {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, expires)
	return err != nil || !t.After(a.now())
}

// appendAudit appends e to the audit log in tx, chained to the entry before.
func appendAudit(ctx context.Context, tx *sql.Tx, at string, e auth.AuditEntry, seal *sealer) error {
	var seq int64
	var prev []byte
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: %w", err)
	}
	seq++
	h := auditHash(prev, seq, at, e.Actor, e.Action, e.Target, e.Outcome, e.Detail)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (seq, time, actor, action, target, outcome, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, at, e.Actor, e.Action, e.Target, e.Outcome, e.Detail, h); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return seal.seal(ctx, tx)
}

// Audit records a security event.
func (a *Access) Audit(ctx context.Context, e auth.AuditEntry) error {
	return a.update(ctx, func(ctx context.Context, tx *sql.Tx) (func(), error) {
		return nil, appendAudit(ctx, tx, a.stamp(), e, a.seal)
	})
}

// change runs fn and records e in the same transaction: a change and its
// audit entry are written together or not at all.
func (a *Access) change(ctx context.Context, e auth.AuditEntry, fn func(tx *sql.Tx, at string) error) error {
	return a.update(ctx, func(ctx context.Context, tx *sql.Tx) (func(), error) {
		at := a.stamp()
		if err := fn(tx, at); err != nil {
			return nil, err
		}
		if e.Outcome == "" {
			e.Outcome = "ok"
		}
		return nil, appendAudit(ctx, tx, at, e, a.seal)
	})
}

// AddUser adds a user; actor is who adds it. Returns ECONFLICT if the name
// is taken.
func (a *Access) AddUser(ctx context.Context, u auth.User, actor string) error {
	detail := u.Role
	if u.Nation != "" {
		detail += " of " + u.Nation
	}
	return a.change(ctx, auth.AuditEntry{Actor: actor, Action: "user.add", Target: u.Name, Detail: detail}, func(tx *sql.Tx, at string) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, nation, password, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			u.Name, u.Role, u.Nation, u.Password, at)
		if err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return airbridge.Errorf(airbridge.ECONFLICT, "user %q already exists", u.Name).With("user", u.Name)
		}
		return nil
	})
}

// DisableUser disables a user for good: its sessions end and its tokens stop
// working. Returns ENOTFOUND if there is no such user.
func (a *Access) DisableUser(ctx context.Context, name, actor string) error {
	defer a.tokens.clear()
	return a.change(ctx, auth.AuditEntry{Actor: actor, Action: "user.disable", Target: name}, func(tx *sql.Tx, at string) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE name = ? AND disabled = ''`, at, name)
		if err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := a.userIn(ctx, tx, name); err != nil {
				return err
			}
			return airbridge.Errorf(airbridge.ECONFLICT, "user %q is already disabled", name).With("user", name)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_name = ?`, name)
		return err
	})
}

const userColumns = `name, role, nation, password, created, disabled`

func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	err := row.Scan(&u.Name, &u.Role, &u.Nation, &u.Password, &u.Created, &u.Disabled)
	return u, err
}

func (a *Access) userIn(ctx context.Context, q querier, name string) (auth.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return u, airbridge.Errorf(airbridge.ENOTFOUND, "user %q does not exist", name).With("user", name)
	}
	return u, err
}

// User returns one user. Returns ENOTFOUND if there is none.
func (a *Access) User(ctx context.Context, name string) (auth.User, error) {
	return a.userIn(ctx, a.r, name)
}

// Users lists every user by name.
func (a *Access) Users(ctx context.Context) ([]auth.User, error) {
	rows, err := a.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	users := []auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		users = append(users, u)
	}
	return users, rows.Err()
}

// IssueToken stores a new API token of an enabled user.
func (a *Access) IssueToken(ctx context.Context, t auth.Token, actor string) error {
	return a.change(ctx, auth.AuditEntry{Actor: actor, Action: "token.issue", Target: t.ID, Detail: "for " + t.User}, func(tx *sql.Tx, at string) error {
		u, err := a.userIn(ctx, tx, t.User)
		if err != nil {
			return err
		}
		if u.Disabled != "" {
			return airbridge.Errorf(airbridge.ECONFLICT, "user %q is disabled", t.User).With("user", t.User)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tokens (id, user_name, hash, label, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, t.User, t.Hash, t.Label, at, t.Expires)
		return err
	})
}

// RevokeToken revokes a token at once. Returns ENOTFOUND if there is none.
func (a *Access) RevokeToken(ctx context.Context, id, actor string) error {
	defer a.tokens.clear()
	return a.change(ctx, auth.AuditEntry{Actor: actor, Action: "token.revoke", Target: id}, func(tx *sql.Tx, at string) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked = ? WHERE id = ? AND revoked = ''`, at, id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var revoked string
			err := tx.QueryRowContext(ctx, `SELECT revoked FROM tokens WHERE id = ?`, id).Scan(&revoked)
			if errors.Is(err, sql.ErrNoRows) {
				return airbridge.Errorf(airbridge.ENOTFOUND, "token %q does not exist", id).With("token", id)
			}
			return airbridge.Errorf(airbridge.ECONFLICT, "token %q was already revoked at %s", id, revoked).With("token", id)
		}
		return nil
	})
}

// Token returns the token with this id, without its secret's hash. Returns
// ENOTFOUND if there is none.
func (a *Access) Token(ctx context.Context, id string) (auth.Token, error) {
	var t auth.Token
	err := a.r.QueryRowContext(ctx, `SELECT id, user_name, label, created, expires, revoked FROM tokens WHERE id = ?`, id).
		Scan(&t.ID, &t.User, &t.Label, &t.Created, &t.Expires, &t.Revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return t, airbridge.Errorf(airbridge.ENOTFOUND, "token %q does not exist", id).With("token", id)
	}
	return t, err
}

// Tokens lists the tokens of a user, or of every user if user is empty.
func (a *Access) Tokens(ctx context.Context, user string) ([]auth.Token, error) {
	rows, err := a.r.QueryContext(ctx, `SELECT id, user_name, label, created, expires, revoked FROM tokens WHERE ? = '' OR user_name = ? ORDER BY created, id`, user, user)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	tokens := []auth.Token{}
	for rows.Next() {
		var t auth.Token
		if err := rows.Scan(&t.ID, &t.User, &t.Label, &t.Created, &t.Expires, &t.Revoked); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		tokens = append(tokens, t)
	}
	return tokens, rows.Err()
}

// TokenUser returns the enabled user whose live token has this id and
// secret hash.
func (a *Access) TokenUser(ctx context.Context, id, hash string) (auth.User, error) {
	now := a.now()
	cached, gen, ok := a.tokens.get(id, now)
	if ok {
		if subtle.ConstantTimeCompare([]byte(cached.hash), []byte(hash)) != 1 || a.expired(cached.expires) {
			return auth.User{}, auth.ErrBadCredentials
		}
		return cached.user, nil
	}
	var u auth.User
	var stored, expires, revoked string
	err := a.r.QueryRowContext(ctx, `SELECT u.name, u.role, u.nation, u.created, u.disabled, t.hash, t.expires, t.revoked
		FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.id = ?`, id).
		Scan(&u.Name, &u.Role, &u.Nation, &u.Created, &u.Disabled, &stored, &expires, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.User{}, auth.ErrBadCredentials
	case err != nil:
		return auth.User{}, fmt.Errorf("look up token: %w", err)
	case subtle.ConstantTimeCompare([]byte(stored), []byte(hash)) != 1,
		revoked != "", u.Disabled != "", a.expired(expires):
		return auth.User{}, auth.ErrBadCredentials
	}
	a.tokens.put(id, cachedToken{hash: stored, expires: expires, user: u, at: now}, gen)
	return u, nil
}

// CreateSession stores a new browser session after a login.
func (a *Access) CreateSession(ctx context.Context, s auth.Session) error {
	return a.change(ctx, auth.AuditEntry{Actor: s.User, Action: "login", Target: s.ID}, func(tx *sql.Tx, at string) error {
		// Sessions that have expired are of no use to anyone: each login
		// clears them.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE julianday(expires) <= julianday(?)`, at); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_name, hash, csrf, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
			s.ID, s.User, s.Hash, s.CSRF, at, s.Expires)
		return err
	})
}

// SessionUser returns the enabled user of a live session with this id and
// secret hash, and the session.
func (a *Access) SessionUser(ctx context.Context, id, hash string) (auth.User, auth.Session, error) {
	var u auth.User
	s := auth.Session{ID: id}
	err := a.r.QueryRowContext(ctx, `SELECT u.name, u.role, u.nation, u.created, u.disabled, s.hash, s.csrf, s.created, s.expires
		FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.id = ?`, id).
		Scan(&u.Name, &u.Role, &u.Nation, &u.Created, &u.Disabled, &s.Hash, &s.CSRF, &s.Created, &s.Expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.User{}, auth.Session{}, auth.ErrBadCredentials
	case err != nil:
		return auth.User{}, auth.Session{}, fmt.Errorf("look up session: %w", err)
	case subtle.ConstantTimeCompare([]byte(s.Hash), []byte(hash)) != 1, u.Disabled != "", s.Expires == "" || a.expired(s.Expires):
		return auth.User{}, auth.Session{}, auth.ErrBadCredentials
	}
	s.User = u.Name
	return u, s, nil
}

// EndSession deletes a session (a logout).
func (a *Access) EndSession(ctx context.Context, id, user string) error {
	return a.change(ctx, auth.AuditEntry{Actor: user, Action: "logout", Target: id}, func(tx *sql.Tx, _ string) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// AuditLog returns the entries that f selects, oldest first.
func (a *Access) AuditLog(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error) {
	q := `SELECT seq, time, actor, action, target, outcome, detail FROM audit WHERE seq > ?`
	args := []any{f.After}
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if strings.HasSuffix(f.Action, ".") {
		q += ` AND substr(action, 1, ?) = ?`
		args = append(args, len(f.Action), f.Action)
	} else if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Outcome != "" {
		q += ` AND outcome = ?`
		args = append(args, f.Outcome)
	}
	if !f.Since.IsZero() {
		q += ` AND time >= ?`
		args = append(args, f.Since.UTC().Format(stampLayout))
	}
	if !f.Until.IsZero() {
		q += ` AND time < ?`
		args = append(args, f.Until.UTC().Format(stampLayout))
	}
	q += ` ORDER BY seq LIMIT ?`
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	args = append(args, limit)
	rows, err := a.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	out := []auth.AuditEntry{}
	for rows.Next() {
		var e auth.AuditEntry
		var t string
		if err := rows.Scan(&e.Seq, &t, &e.Actor, &e.Action, &e.Target, &e.Outcome, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		e.Time, _ = time.Parse(time.RFC3339Nano, t)
		out = append(out, e)
	}
	return out, rows.Err()
}

// verifyAudit checks the audit log's hash chain and names the first entry
// where it breaks.
func verifyAudit(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, time, actor, action, target, outcome, detail, hash FROM audit ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	var prev []byte
	var last int64
	for rows.Next() {
		var seq int64
		var at, actor, action, target, outcome, detail string
		var stored []byte
		if err := rows.Scan(&seq, &at, &actor, &action, &target, &outcome, &detail, &stored); err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		if seq != last+1 {
			return []string{fmt.Sprintf("audit entry %d follows %d: entries were deleted", seq, last)}, nil
		}
		last = seq
		if h := auditHash(prev, seq, at, actor, action, target, outcome, detail); !bytes.Equal(h, stored) {
			return []string{fmt.Sprintf("audit entry %d (%s by %s): the hash chain breaks here: the entry or its hash was altered after it was written", seq, action, actor)}, nil
		}
		prev = stored
	}
	return nil, rows.Err()
}
