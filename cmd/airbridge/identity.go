package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"airbridge/auth"
	"airbridge/sqlite"
	"airbridge/vault"
)

// masterKey reads the master key from the key file at path, or else from
// AIRBRIDGE_MASTER_KEY.
func (env *environment) masterKey(path string) (vault.MasterKey, error) {
	if path != "" {
		return vault.LoadMasterKey(path)
	}
	if v := env.getenv("AIRBRIDGE_MASTER_KEY"); v != "" {
		k, err := vault.ParseMasterKey(v)
		if err != nil {
			return k, fmt.Errorf("AIRBRIDGE_MASTER_KEY: %w", err)
		}
		return k, nil
	}
	return vault.MasterKey{}, errors.New("personal data is encrypted at rest: give the master key with --key-file FILE or AIRBRIDGE_MASTER_KEY (create a key file with: airbridge keys init --key-file FILE)")
}

// accessStore is what adding users and tokens needs of a database, served
// or offline.
type accessStore interface {
	AddUser(ctx context.Context, u auth.User, actor string) error
	IssueToken(ctx context.Context, t auth.Token, actor string) error
}

// newUser adds a user with a password (random if empty) and, if withToken, an
// API token; it returns the password and the token, shown only now.
func newUser(ctx context.Context, st accessStore, name string, role auth.Role, nation, password string, withToken bool, actor string) (pw, token string, err error) {
	if err := auth.ValidUserName(name); err != nil {
		return "", "", err
	}
	if err := auth.ValidNation(nation); err != nil {
		return "", "", err
	}
	if password == "" {
		if password, err = auth.RandomPassword(); err != nil {
			return "", "", err
		}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", "", err
	}
	if err := st.AddUser(ctx, auth.User{Name: name, Role: string(role), Nation: nation, Password: hash}, actor); err != nil {
		return "", "", err
	}
	if withToken {
		if token, err = issueToken(ctx, st, name, "", 0, actor); err != nil {
			return "", "", err
		}
	}
	return password, token, nil
}

// issueToken issues an API token to user, valid for ttl (0: until revoked).
func issueToken(ctx context.Context, st accessStore, user, label string, ttl time.Duration, actor string) (string, error) {
	full, id, hash, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	t := auth.Token{ID: id, User: user, Hash: hash, Label: label}
	if ttl > 0 {
		t.Expires = time.Now().Add(ttl).UTC().Format(time.RFC3339Nano)
	}
	if err := st.IssueToken(ctx, t, actor); err != nil {
		return "", err
	}
	return full, nil
}

// nationFlag normalizes a --nation value: "coalition" or empty is the
// coalition.
func nationFlag(s string) string {
	if strings.EqualFold(s, "coalition") {
		return auth.Coalition
	}
	return strings.ToUpper(s)
}

// openExisting opens the database at path, which must exist (Open would
// create it), with the master key of keyFile or AIRBRIDGE_MASTER_KEY: how
// the offline commands that read personal data open it.
func (env *environment) openExisting(path, keyFile string) (*sqlite.DB, error) {
	key, err := env.masterKey(keyFile)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--db: %w", err)
	}
	return sqlite.Open(env.ctx, path, key)
}
