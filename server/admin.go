package server

// Administration of users and API tokens while the server runs, so that a
// stolen token is revoked, or a user disabled, at once: the store is read on
// every request, so the very next one is refused. Who may do what is in
// routes.go. The store writes the audit entry of every change, with the
// caller as its actor.
//
// No commander can make another through the API: destroying a nation's data
// key takes two commanders (auth.ConfirmDestroy), and one who could add a
// commander, or issue a token to another, could be both. Commanders are
// added offline (airbridge users add).

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"airbridge"
	"airbridge/auth"
)

// maxTTLHours bounds a token's lifetime, ten years: far from overflowing a
// time.Duration.
const maxTTLHours = 10 * 366 * 24

// twoPersonRule is why a commander may not make or act as another.
const twoPersonRule = "destroying a data key takes two commanders, so no commander may make another: commanders are added offline (airbridge users add)"

func invalidField(field string, err error) error {
	return airbridge.Errorf(airbridge.EINVALID, "%s: %v", field, err).With("field", field)
}

func (s *Server) getUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.ledger.Users(r.Context())
	s.reply(w, r)(orEmpty(users), err)
}

// addUser adds a user of any role but commander, with the password given or,
// if none is, a random one that only this answer shows. A password given is
// never repeated.
func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		Role     string `json:"role"`
		Nation   string `json:"nation"`
		Password string `json:"password"`
	}
	if err := decodeSmall(w, r, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.ValidUserName(in.Name); err != nil {
		s.error(w, r, invalidField("name", err))
		return
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		s.error(w, r, invalidField("role", err))
		return
	}
	if err := auth.ValidNation(in.Nation); err != nil {
		s.error(w, r, invalidField("nation", err))
		return
	}
	if !s.allowNation(w, r, in.Nation) {
		return
	}
	c := callerOf(r)
	if role == auth.Commander {
		s.deny(w, r, c, twoPersonRule)
		return
	}
	password, generated := in.Password, in.Password == ""
	if generated {
		if password, err = auth.RandomPassword(); err != nil {
			s.error(w, r, err)
			return
		}
	}
	hash, err := s.hashPassword(r.Context(), password)
	if err != nil {
		s.error(w, r, err)
		return
	}
	u := auth.User{Name: in.Name, Role: string(role), Nation: in.Nation, Password: hash}
	if err := s.ledger.AddUser(r.Context(), u, c.User); err != nil {
		s.error(w, r, err)
		return
	}
	out := map[string]string{"name": u.Name, "role": u.Role, "nation": nationName(u.Nation)}
	if generated {
		out["password"] = password
	}
	writeJSON(w, http.StatusCreated, out)
}

// hashPassword hashes password in one of s.hashing's slots. Its only
// failures are of the password's length, which it answers 422.
func (s *Server) hashPassword(ctx context.Context, password string) (string, error) {
	if err := s.hashing.acquire(ctx); err != nil {
		return "", err
	}
	defer s.hashing.release()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return "", invalidField("password", err)
	}
	return hash, nil
}

// disableUser disables a user for good: its sessions end and its tokens stop
// working.
func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.ledger.User(r.Context(), r.PathValue("name"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, u.Nation) {
		return
	}
	if err := s.ledger.DisableUser(r.Context(), u.Name, callerOf(r).User); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": u.Name, "status": "disabled"})
}

// getTokens lists the tokens of ?user=, or of everyone; never their secrets.
func (s *Server) getTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.ledger.Tokens(r.Context(), r.URL.Query().Get("user"))
	s.reply(w, r)(orEmpty(tokens), err)
}

// issueToken issues an API token to a user, valid for ttl_hours (0: until
// revoked). Only this answer shows the token.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User     string `json:"user"`
		Label    string `json:"label"`
		TTLHours int    `json:"ttl_hours"`
	}
	if err := decodeSmall(w, r, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.ValidUserName(in.User); err != nil {
		s.error(w, r, invalidField("user", err))
		return
	}
	if !validHeader(in.Label) {
		s.error(w, r, invalidField("label", fmt.Errorf("must be printable UTF-8 of at most %d bytes", maxHeaderLen)))
		return
	}
	if in.TTLHours < 0 || in.TTLHours > maxTTLHours {
		s.error(w, r, invalidField("ttl_hours", fmt.Errorf("must be 0 (until revoked) to %d", maxTTLHours)))
		return
	}
	u, err := s.ledger.User(r.Context(), in.User)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, u.Nation) {
		return
	}
	c := callerOf(r)
	if auth.Role(u.Role) == auth.Commander && u.Name != c.User {
		s.deny(w, r, c, twoPersonRule)
		return
	}
	full, id, hash, err := auth.NewToken()
	if err != nil {
		s.error(w, r, err)
		return
	}
	t := auth.Token{ID: id, User: u.Name, Hash: hash, Label: in.Label}
	if in.TTLHours > 0 {
		t.Expires = time.Now().Add(time.Duration(in.TTLHours) * time.Hour).UTC().Format(time.RFC3339Nano)
	}
	if err := s.ledger.IssueToken(r.Context(), t, c.User); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": t.ID, "user": t.User, "label": t.Label, "expires": t.Expires, "token": full})
}

// revokeToken revokes a token at once: the caller's own, or, for a
// commander, one of a user of its nation.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := s.ledger.Token(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	c := callerOf(r)
	if t.User != c.User {
		u, err := s.ledger.User(ctx, t.User)
		if err != nil {
			s.error(w, r, err)
			return
		}
		if !s.allowNation(w, r, u.Nation) {
			return
		}
	}
	if err := s.ledger.RevokeToken(ctx, t.ID, c.User); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": t.ID, "user": t.User, "status": "revoked"})
}
