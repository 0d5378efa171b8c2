package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"airbridge"
	"airbridge/auth"
)

// SessionCookie carries a browser session; CSRFHeader must repeat the
// session's CSRF token on every request that changes something.
const (
	SessionCookie = "airbridge_session"
	CSRFHeader    = "X-CSRF-Token"
	// ConfirmHeader carries the second commander's token that a key
	// destruction needs.
	ConfirmHeader = "X-Airbridge-Confirm"
)

// sessionLifetime bounds a browser session.
const sessionLifetime = 12 * time.Hour

type callerKey struct{}

// caller is who sent a request.
type caller struct {
	auth.Principal
	session *auth.Session
}

func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

// guard is in front of every route: security headers, then the credentials,
// the caller's rate, the CSRF token of a browser session, and the role the
// route's rule asks for. What depends on the subject's nation is checked by
// the handler, which knows the subject (allowNation).
func (s *Server) guard(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	_, pattern := s.mux.Handler(r)
	r.Pattern = pattern // for the metrics, which see this request, not the mux's copy
	who, known := s.rules[pattern]
	if !known {
		who = everyone // unknown routes and wrong methods: still only for callers
	}
	if who == nil {
		if pattern == "POST /api/login" && !s.allowRate(w, r, "ip:"+clientIP(r)) {
			return
		}
		s.mux.ServeHTTP(w, r)
		return
	}
	c, err := s.authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="airbridge"`)
		s.error(w, r, err)
		return
	}
	key := "token:" + c.TokenID
	if c.session != nil {
		key = "session:" + c.session.ID
	}
	if !s.allowRate(w, r, key) {
		return
	}
	if c.session != nil && r.Method != http.MethodGet && r.Method != http.MethodHead &&
		!auth.Equal(r.Header.Get(CSRFHeader), c.session.CSRF) {
		s.deny(w, r, c, fmt.Sprintf("a browser session must send its CSRF token in the %s header to %s", CSRFHeader, r.Method))
		return
	}
	if _, ok := who[c.Role]; !ok {
		s.deny(w, r, c, fmt.Sprintf("a %s may not %s %s", c.Role, r.Method, r.URL.Path))
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
}

// authenticate finds the caller from a bearer token or a session cookie.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return caller{}, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "the Authorization header must be \"Bearer\" and an API token")
		}
		id, hash, err := auth.ParseToken(strings.TrimSpace(secret))
		if err != nil {
			return caller{}, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "the API token is malformed: %v", err)
		}
		u, err := s.ledger.TokenUser(ctx, id, hash)
		if err != nil {
			return caller{}, s.badCredentials(r, "token "+id, err)
		}
		p := u.Principal()
		p.TokenID = id
		return caller{Principal: p}, nil
	}
	if ck, err := r.Cookie(SessionCookie); err == nil {
		id, hash, err := auth.ParseSession(ck.Value)
		if err != nil {
			return caller{}, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "the session cookie is malformed; log in again")
		}
		u, sess, err := s.ledger.SessionUser(ctx, id, hash)
		if err != nil {
			return caller{}, s.badCredentials(r, "session "+id, err)
		}
		p := u.Principal()
		p.SessionID = id
		return caller{Principal: p, session: &sess}, nil
	}
	return caller{}, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "this route needs an API token (Authorization: Bearer …) or a login session")
}

// badCredentials records a refused token or session, whose secret is never
// logged, and answers 401.
func (s *Server) badCredentials(r *http.Request, target string, err error) error {
	if !errors.Is(err, auth.ErrBadCredentials) {
		return err
	}
	s.audit(r, auth.AuditEntry{Actor: "ip:" + clientIP(r), Action: "auth.failed", Target: target, Outcome: "denied"})
	return airbridge.Errorf(airbridge.EUNAUTHENTICATED, "the token or session is unknown, revoked, expired, or its user is disabled")
}

func (s *Server) allowRate(w http.ResponseWriter, r *http.Request, key string) bool {
	if s.limiter == nil {
		return true
	}
	ok, wait := s.limiter.Allow(key, time.Now())
	if !ok {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		s.error(w, r, airbridge.Errorf(airbridge.ERATELIMITED, "too many requests; retry in %s", wait.Round(time.Millisecond)))
	}
	return ok
}

// deny answers 403 and records the refusal in the audit log.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, c caller, msg string) {
	s.audit(r, auth.AuditEntry{Actor: c.User, Action: "access.denied", Target: r.Method + " " + r.URL.Path, Outcome: "denied", Detail: msg})
	s.error(w, r, airbridge.Errorf(airbridge.EFORBIDDEN, "%s", msg).With("role", string(c.Role)).With("nation", nationName(c.Nation)))
}

func (s *Server) audit(r *http.Request, e auth.AuditEntry) {
	if err := s.ledger.Audit(r.Context(), e); err != nil {
		s.log.Error("audit entry not written", "action", e.Action, "err", err)
	}
}

func nationName(n string) string {
	if n == auth.Coalition {
		return "coalition"
	}
	return n
}

// allowNation checks the caller's scope on this route against the nations of
// the request's subjects; it answers 403 and returns false if one is not the
// caller's.
func (s *Server) allowNation(w http.ResponseWriter, r *http.Request, nations ...string) bool {
	c := callerOf(r)
	if s.rules[r.Pattern][c.Role] != ownNation || c.Nation == auth.Coalition {
		return true
	}
	for _, n := range nations {
		if n != c.Nation {
			s.deny(w, r, c, fmt.Sprintf("a %s of %s may not %s %s: it concerns %s", c.Role, c.Nation, r.Method, r.URL.Path, n))
			return false
		}
	}
	return true
}

// ownScope reports whether the caller's scope on this route depends on the
// subject's nation, so that a handler looks the subject up only then.
func (s *Server) ownScope(r *http.Request) bool {
	c := callerOf(r)
	return s.rules[r.Pattern][c.Role] == ownNation && c.Nation != auth.Coalition
}

// commandNations returns the nations of the subjects of cmd: those named in
// it, or of the entities it addresses. An entity that does not exist has
// none: the command is then refused by the rules as not found.
func (s *Server) commandNations(ctx context.Context, cmd airbridge.Command) ([]string, error) {
	lookup := func(kind, id string) ([]string, error) {
		n, err := s.ledger.NationOf(ctx, kind, id)
		if airbridge.ErrorCode(err) == airbridge.ENOTFOUND {
			return nil, nil
		}
		return []string{n}, err
	}
	switch c := cmd.(type) {
	case *airbridge.RegisterPerson:
		return []string{c.Nation}, nil
	case *airbridge.RegisterPersons:
		var ns []string
		for _, p := range c.Persons {
			ns = append(ns, p.Nation)
		}
		return ns, nil
	case *airbridge.RegisterGroup:
		return []string{c.Nation}, nil
	case *airbridge.RegisterGroups:
		var ns []string
		for _, g := range c.Groups {
			ns = append(ns, g.Nation)
		}
		return ns, nil
	case *airbridge.SplitGroup:
		return lookup("group", c.GroupID)
	case *airbridge.CallGroup:
		return lookup("group", c.GroupID)
	case *airbridge.Screen:
		return lookup("person", c.PersonID)
	case *airbridge.ScheduleFlight:
		return []string{c.Operator}, nil
	case *airbridge.FlightAction:
		return lookup("flight", c.FlightID)
	case *airbridge.ManifestGroup:
		return lookup("flight", c.FlightID)
	case *airbridge.OffloadGroup:
		return lookup("flight", c.FlightID)
	case *airbridge.BoardGroup:
		return lookup("flight", c.FlightID)
	}
	return nil, nil
}

// visible reports whether the caller may see a person's personal data: the
// staff of the person's own nation at the gates, screening and the
// coordination desk, and the manifest officers of the nation operating the
// person's flight. Nobody bound to the coalition sees it.
func visible(c caller, p *airbridge.Person, operator string) bool {
	if c.Nation == auth.Coalition {
		return false
	}
	switch c.Role {
	case auth.Coordinator, auth.GateAgent, auth.Screener:
		return p.Nation == c.Nation
	case auth.ManifestOfficer:
		return p.FlightID != "" && operator == c.Nation
	}
	return false
}

// scopePerson redacts p's personal data unless the caller may see it.
func (s *Server) scopePerson(ctx context.Context, c caller, p *airbridge.Person) {
	if p.Redacted != "" || p.PersonalData.IsZero() {
		return
	}
	operator := ""
	if c.Role == auth.ManifestOfficer && p.FlightID != "" {
		operator, _ = s.ledger.NationOf(ctx, "flight", p.FlightID)
	}
	if !visible(c, p, operator) {
		p.Redact(withheld(c, p.Nation))
	}
}

func withheld(c caller, nation string) string {
	return fmt.Sprintf("personal data withheld: %s's people are shown to %s's own staff and to the manifest officers of their flight, not to a %s of %s",
		nation, nation, c.Role, nationName(c.Nation))
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks a user name and password and starts a browser session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.ETOOLARGE, "a login body is at most 4096 bytes"))
		return
	}
	var in struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := decodeStrict(body, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if in.User == "" || in.Password == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "give \"user\" and \"password\""))
		return
	}
	if !s.allowRate(w, r, "login:"+in.User) {
		return
	}
	u, err := s.ledger.User(r.Context(), in.User)
	ok := false
	switch {
	case err == nil && u.Password != "":
		ok, _ = auth.CheckPassword(u.Password, in.Password)
	case err == nil || airbridge.ErrorCode(err) == airbridge.ENOTFOUND:
		auth.DummyCheck(in.Password) // an unknown user takes as long as a known one
	default:
		s.error(w, r, err)
		return
	}
	if !ok || u.Disabled != "" {
		s.audit(r, auth.AuditEntry{Actor: "ip:" + clientIP(r), Action: "login", Target: in.User, Outcome: "denied"})
		s.error(w, r, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "wrong user name or password, or the user is disabled"))
		return
	}
	full, id, hash, err := auth.NewSession()
	if err != nil {
		s.error(w, r, err)
		return
	}
	csrf, err := auth.NewCSRFToken()
	if err != nil {
		s.error(w, r, err)
		return
	}
	expires := time.Now().Add(sessionLifetime).UTC()
	sess := auth.Session{ID: id, User: u.Name, Hash: hash, CSRF: csrf, Expires: expires.Format(time.RFC3339Nano)}
	if err := s.ledger.CreateSession(r.Context(), sess); err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: full, Path: "/", Expires: expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]any{"user": u.Name, "role": u.Role, "nation": nationName(u.Nation),
		"csrf_token": csrf, "expires": expires})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if c.session == nil {
		s.error(w, r, airbridge.Errorf(airbridge.ECONFLICT, "logout ends a browser session; an API token is revoked with \"airbridge tokens revoke\""))
		return
	}
	if err := s.ledger.EndSession(r.Context(), c.session.ID, c.User); err != nil {
		s.error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]string{"status": "logged out"})
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	writeJSON(w, http.StatusOK, map[string]string{"user": c.User, "role": string(c.Role), "nation": nationName(c.Nation)})
}

// destroyKey crypto-shreds a nation's personal data. Two commanders must
// agree: the caller, and another whose token comes in ConfirmHeader.
func (s *Server) destroyKey(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.ETOOLARGE, "the body is at most 4096 bytes"))
		return
	}
	var in struct {
		Nation string `json:"nation"`
	}
	if err := decodeStrict(body, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.ValidNation(in.Nation); err != nil || in.Nation == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "nation: %q is not a three-letter nation code", in.Nation).With("field", "nation"))
		return
	}
	if !s.allowNation(w, r, in.Nation) {
		return
	}
	c := callerOf(r)
	deny := func(msg string) { s.deny(w, r, c, msg) }
	confirm := strings.TrimSpace(strings.TrimPrefix(r.Header.Get(ConfirmHeader), "Bearer "))
	if confirm == "" {
		deny(fmt.Sprintf("destroying a data key needs a second commander: send their API token in the %s header", ConfirmHeader))
		return
	}
	id, hash, err := auth.ParseToken(confirm)
	if err != nil {
		deny("the confirming token is malformed")
		return
	}
	second, err := s.ledger.TokenUser(r.Context(), id, hash)
	if err != nil {
		deny("the confirming token is unknown, revoked or expired")
		return
	}
	first, err := s.ledger.User(r.Context(), c.User)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := auth.ConfirmDestroy(first, second, in.Nation); err != nil {
		deny(err.Error())
		return
	}
	if err := s.ledger.DestroyNationKey(r.Context(), in.Nation, c.User+"+"+second.Name); err != nil {
		s.error(w, r, err)
		return
	}
	s.log.Warn("data key destroyed", "nation", in.Nation, "by", c.User, "confirmed_by", second.Name)
	writeJSON(w, http.StatusOK, map[string]string{"nation": in.Nation, "status": "destroyed",
		"destroyed_by": c.User + "+" + second.Name})
}

// getAudit lists audit entries for auditors, filtered by actor, action
// (exact, or a prefix such as "token."), outcome, after, since, until.
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := auth.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Outcome: q.Get("outcome")}
	var err error
	if f.After, err = intParam(r, "after", 0, 0, 1<<62); err != nil {
		s.error(w, r, err)
		return
	}
	limit, err := intParam(r, "limit", 1000, 1, 10_000)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = int(limit)
	for name, t := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			if *t, err = time.Parse(time.RFC3339, v); err != nil {
				s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "%s: %q is not an RFC 3339 time", name, v).With("parameter", name))
				return
			}
		}
	}
	s.reply(w, r)(s.ledger.AuditLog(r.Context(), f))
}

// fingerprint identifies a request for idempotency: method, path and body.
func fingerprint(r *http.Request, body []byte) string {
	sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + string(body)))
	return hex.EncodeToString(sum[:])
}
