// Package auth holds the identity primitives of airbridge: roles and
// principals, password hashing, API tokens and browser session ids, and a
// per-key rate limiter. It knows nothing of storage or HTTP.
package auth

import (
	"errors"
	"fmt"
	"strings"
)

// Role is what a principal may do. The set is closed: values outside Roles are
// never valid.
type Role string

const (
	GateAgent       Role = "gate_agent"
	Screener        Role = "screener"
	Coordinator     Role = "coordinator" // national coordinator
	ManifestOfficer Role = "manifest_officer"
	Planner         Role = "planner"
	Commander       Role = "commander"
	Auditor         Role = "auditor"
)

// Roles lists every role, in the order used for display.
var Roles = []Role{GateAgent, Screener, Coordinator, ManifestOfficer, Planner, Commander, Auditor}

// ParseRole returns the role spelled exactly s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return "", fmt.Errorf("unknown role %q (valid roles: %s)", s, strings.Join(names, ", "))
}

// Coalition is the nation of a principal bound to no single nation.
const Coalition = ""

// Principal is an authenticated identity and the scope it acts in.
type Principal struct {
	User      string
	Role      Role
	Nation    string // three-letter nation code, or Coalition
	TokenID   string // set when authenticated by API token
	SessionID string // set when authenticated by a browser session: the session's public id, never its secret
}

// String returns e.g. "gate.kbl1 (gate_agent, DEU)", or "(gate_agent,
// coalition)" for a principal without user name bound to no nation.
func (p Principal) String() string {
	nation := p.Nation
	if nation == Coalition {
		nation = "coalition"
	}
	s := fmt.Sprintf("(%s, %s)", p.Role, nation)
	if p.User != "" {
		s = p.User + " " + s
	}
	return s
}

// MaxUserNameLen is the longest valid user name, in bytes.
const MaxUserNameLen = 64

// ValidUserName reports whether s is a valid user name: 1 to 64 characters of
// a-z, 0-9, '.', '_' and '-', starting with a letter or digit. The error does
// not quote s, which may be a password typed into the wrong field.
func ValidUserName(s string) error {
	switch {
	case s == "":
		return errors.New("user name is empty")
	case len(s) > MaxUserNameLen:
		return fmt.Errorf("user name is longer than %d characters", MaxUserNameLen)
	case !isLowerAlnum(s[0]):
		return errors.New("user name must start with a letter (a-z) or digit (0-9)")
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLowerAlnum(c) && c != '.' && c != '_' && c != '-' {
			return errors.New("user name may contain only a-z, 0-9, '.', '_' and '-'")
		}
	}
	return nil
}

func isLowerAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// ValidNation reports whether s is Coalition or exactly three upper-case ASCII
// letters. It does not check that the code is assigned.
func ValidNation(s string) error {
	if s == Coalition {
		return nil
	}
	ok := len(s) == 3
	for i := 0; ok && i < len(s); i++ {
		ok = 'A' <= s[i] && s[i] <= 'Z'
	}
	if !ok {
		return fmt.Errorf("nation %q must be three upper-case letters, such as DEU, or empty for coalition", s)
	}
	return nil
}
