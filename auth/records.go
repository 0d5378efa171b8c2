package auth

import (
	"errors"
	"fmt"
	"time"
)

// User is one person or device allowed to use airbridge, as a store keeps it.
type User struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Nation   string `json:"nation,omitempty"` // empty: the coalition
	Created  string `json:"created"`
	Disabled string `json:"disabled,omitempty"`
	Password string `json:"-"` // the argon2id hash; empty: no password login
}

// Principal returns who u acts as.
func (u User) Principal() Principal {
	return Principal{User: u.Name, Role: Role(u.Role), Nation: u.Nation}
}

// Token is an API token as a store keeps it: the SHA-256 of its secret.
type Token struct {
	ID      string `json:"id"`
	User    string `json:"user"`
	Hash    string `json:"-"`
	Label   string `json:"label,omitempty"`
	Created string `json:"created"`
	Expires string `json:"expires,omitempty"`
	Revoked string `json:"revoked,omitempty"`
}

// Session is a browser session as a store keeps it: the SHA-256 of its
// secret, and the CSRF token its state-changing requests must carry.
type Session struct {
	ID      string
	User    string
	Hash    string
	CSRF    string
	Created string
	Expires string
}

// AuditEntry is one security event.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target,omitempty"`
	Outcome string    `json:"outcome"` // "ok", "denied" or "failed"
	Detail  string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Actor   string
	Action  string // an exact action, or a prefix ending in "." such as "token."
	Outcome string
	After   int64 // entries after this seq
	Since   time.Time
	Until   time.Time
	Limit   int
}

// ErrBadCredentials is all a caller learns of why a token, session or
// password was refused.
var ErrBadCredentials = errors.New("invalid or expired credentials")

// ConfirmDestroy checks the two-person rule of destroying nation's data key:
// first and second are two different, enabled commanders, each bound to the
// coalition or to that nation.
func ConfirmDestroy(first, second User, nation string) error {
	for _, u := range []User{first, second} {
		switch {
		case Role(u.Role) != Commander:
			return fmt.Errorf("%s is a %s; destroying a data key takes two commanders", u.Name, u.Role)
		case u.Disabled != "":
			return fmt.Errorf("%s is disabled", u.Name)
		case u.Nation != Coalition && u.Nation != nation:
			return fmt.Errorf("%s, a commander of %s, may not destroy %s's key", u.Name, u.Nation, nation)
		}
	}
	if first.Name == second.Name {
		return fmt.Errorf("both confirmations come from %s; destroying a data key takes two different commanders", first.Name)
	}
	return nil
}
