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
	"slices"
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
		s.mux.ServeHTTP(w, r) // login limits itself
		return
	}
	c, err := s.authenticate(w, r)
	if err != nil {
		if airbridge.ErrorCode(err) == airbridge.EUNAUTHENTICATED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="airbridge"`)
		}
		s.error(w, r, err)
		return
	}
	// A token has its own bucket; browser sessions share their user's, or
	// each login would bring a fresh one.
	key := "token:" + c.TokenID
	if c.session != nil {
		key = "user:" + c.User
	}
	if !s.allow(w, r, s.limiter, key) {
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c)) // a refused page still shows who is refused
	if c.session != nil && r.Method != http.MethodGet && r.Method != http.MethodHead &&
		!auth.Equal(r.Header.Get(CSRFHeader), c.session.CSRF) {
		s.deny(w, r, c, fmt.Sprintf("a browser session must send its CSRF token in the %s header to %s", CSRFHeader, r.Method))
		return
	}
	if _, ok := who[c.Role]; !ok {
		s.deny(w, r, c, fmt.Sprintf("a %s may not %s %s", c.Role, r.Method, r.URL.Path))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authenticate finds the caller from a bearer token or a session cookie.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (caller, error) {
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
			return caller{}, s.badCredentials(w, r, "token "+id, err)
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
			return caller{}, s.badCredentials(w, r, "session "+id, err)
		}
		p := u.Principal()
		p.SessionID = id
		return caller{Principal: p, session: &sess}, nil
	}
	return caller{}, airbridge.Errorf(airbridge.EUNAUTHENTICATED, "this route needs an API token (Authorization: Bearer …) or a login session")
}

// badCredentials answers a refused token or session, whose secret is never
// logged: 401, recorded in the audit log. A client address refused more
// often than s.failures allows is answered 429 instead, unrecorded, so that
// guessing cannot flood the audit log or the writer that appends to it.
func (s *Server) badCredentials(w http.ResponseWriter, r *http.Request, target string, err error) error {
	if !errors.Is(err, auth.ErrBadCredentials) {
		return err
	}
	if ok, wait := s.failures.Allow("ip:"+clientIP(r), time.Now()); !ok {
		return tooMany(w, wait)
	}
	s.audit(r, auth.AuditEntry{Actor: "ip:" + clientIP(r), Action: "auth.failed", Target: target, Outcome: "denied"})
	return airbridge.Errorf(airbridge.EUNAUTHENTICATED, "the token or session is unknown, revoked, expired, or its user is disabled")
}

// allow takes a request from the bucket of key in l (nil: no limit). If the
// bucket is empty it answers 429 and returns false.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l *auth.Limiter, key string) bool {
	if l == nil {
		return true
	}
	ok, wait := l.Allow(key, time.Now())
	if !ok {
		s.error(w, r, tooMany(w, wait))
	}
	return ok
}

// tooMany sets Retry-After to wait, in whole seconds rounded up, and returns
// the error of a 429.
func tooMany(w http.ResponseWriter, wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	return airbridge.Errorf(airbridge.ERATELIMITED, "too many requests; retry in %s", wait.Round(time.Millisecond))
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
// caller's. A caller whose scope is self is refused whatever the nation: its
// handler lets it act on its own credentials before asking.
func (s *Server) allowNation(w http.ResponseWriter, r *http.Request, nations ...string) bool {
	c := callerOf(r)
	switch s.rules[r.Pattern][c.Role] {
	case anyNation:
		return true
	case ownNation:
		if c.Nation == auth.Coalition {
			return true
		}
		for _, n := range nations {
			if n != c.Nation {
				s.deny(w, r, c, fmt.Sprintf("a %s of %s may not %s %s: it concerns %s", c.Role, c.Nation, r.Method, r.URL.Path, nationName(n)))
				return false
			}
		}
		return true
	}
	s.deny(w, r, c, fmt.Sprintf("a %s may %s %s only for its own credentials", c.Role, r.Method, r.URL.Path))
	return false
}

// ownScope reports whether allowNation may refuse the caller on this route,
// so that a handler looks the subject up only then.
func (s *Server) ownScope(r *http.Request) bool {
	c := callerOf(r)
	switch s.rules[r.Pattern][c.Role] {
	case anyNation:
		return false
	case ownNation:
		return c.Nation != auth.Coalition
	}
	return true
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
	case *airbridge.CancelCall:
		return lookup("group", c.GroupID)
	case *airbridge.CallGroups:
		var ns []string
		for _, call := range c.Calls {
			n, err := lookup("group", call.GroupID)
			if err != nil {
				return nil, err
			}
			ns = append(ns, n...)
		}
		return ns, nil
	case *airbridge.SetStandby:
		return lookup("flight", c.FlightID)
	case *airbridge.PublishManifest:
		var ns []string
		for _, fm := range c.Flights {
			n, err := lookup("flight", fm.FlightID)
			if err != nil {
				return nil, err
			}
			ns = append(ns, n...)
		}
		return ns, nil
	case *airbridge.Scan:
		return s.scanNations(ctx, c, lookup)
	case *airbridge.AdoptWithdrawalPlan:
		return c.Plan.Nations(), nil
	case *airbridge.RecordMovement:
		return []string{c.Nation}, nil
	}
	return nil, nil
}

// scanNations returns the nations a scan concerns. At the ramp a scan boards
// the scanned person's group onto the flight it is manifested on, so it
// concerns that flight's operator; gates and holding areas serve every
// nation's people, so a scan there concerns none. A site or person that does
// not exist, or a person on no flight, concerns none: the rules then refuse
// the scan. The scan names the person by id or document; if it names both
// (which the rules refuse), both count.
//
// The check reads the state before the scan is executed: a person moved to
// another flight in between is boarded there. Closing that gap needs the
// check inside the ledger's transaction.
func (s *Server) scanNations(ctx context.Context, c *airbridge.Scan, lookup func(kind, id string) ([]string, error)) ([]string, error) {
	sites, err := s.ledger.Sites(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sites, func(site airbridge.Site) bool { return site.ID == c.Site })
	if i < 0 || sites[i].Kind != airbridge.Ramp {
		return nil, nil
	}
	var flights []string
	onFlight := func(p *airbridge.Person, err error) error {
		if airbridge.ErrorCode(err) == airbridge.ENOTFOUND {
			return nil
		}
		if err == nil && p.FlightID != "" {
			flights = append(flights, p.FlightID)
		}
		return err
	}
	if c.PersonID != "" {
		if err := onFlight(s.ledger.Person(ctx, c.PersonID)); err != nil {
			return nil, err
		}
	}
	if c.Document != "" {
		if err := onFlight(s.ledger.PersonByDocument(ctx, c.Document)); err != nil {
			return nil, err
		}
	}
	var nations []string
	for _, id := range flights {
		ns, err := lookup("flight", id)
		if err != nil {
			return nil, err
		}
		nations = append(nations, ns...)
	}
	return nations, nil
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

// byNeed reports whether c is shown p's personal data only because p is on a
// flight of c's nation: a manifest officer reading another nation's person.
// p must already be scoped (scopePerson, visible). A manifest officer may
// manifest any staged group onto its flight and so gain sight of it: that is
// seat-sharing, but it must be traceable (auditShown).
func byNeed(c caller, p *airbridge.Person) bool {
	return c.Role == auth.ManifestOfficer && p.Nation != c.Nation && p.Redacted == "" && !p.PersonalData.IsZero()
}

// maxListed bounds the persons and flights an access.personal_data entry
// names; the rest are counted. The flight and the entry's time identify them
// through the ledger.
const maxListed = 20

// auditShown records, in one access.personal_data entry about target, the
// persons among ps (already scoped) whose personal data the request shows
// byNeed, and their flights. It writes nothing if there are none. If the
// entry cannot be written the caller must not show the data: a read that
// cannot be traced does not happen.
func (s *Server) auditShown(r *http.Request, target string, ps ...airbridge.Person) error {
	c := callerOf(r)
	var persons, flights []string
	n := 0
	for i := range ps {
		p := &ps[i]
		if !byNeed(c, p) {
			continue
		}
		n++
		if len(persons) < maxListed {
			persons = append(persons, p.ID+" ("+p.Nation+")")
		}
		if len(flights) < maxListed && !slices.Contains(flights, p.FlightID) {
			flights = append(flights, p.FlightID)
		}
	}
	if n == 0 {
		return nil
	}
	detail := fmt.Sprintf("on flight %s of %s: %s", strings.Join(flights, ", "), c.Nation, strings.Join(persons, ", "))
	if n > len(persons) {
		detail += fmt.Sprintf(" and %d more", n-len(persons))
	}
	return s.ledger.Audit(r.Context(), auth.AuditEntry{Actor: c.User, Action: "access.personal_data", Target: target, Outcome: "ok", Detail: detail})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeSmall decodes a request body of at most 4096 bytes strictly into v.
func decodeSmall(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return airbridge.Errorf(airbridge.ETOOLARGE, "the body is at most 4096 bytes")
		}
		return airbridge.Errorf(airbridge.EMALFORMED, "reading the request body: %v", err)
	}
	return decodeStrict(body, v)
}

// hashSlots bounds the argon2 computations that run at once: each takes
// 19 MiB and tens of milliseconds of a core, and anyone may try to log in.
type hashSlots chan struct{}

// acquire waits for a slot until ctx ends, which is when the client has
// gone: the 429 it then returns reaches nobody, but the metrics count it.
func (h hashSlots) acquire(ctx context.Context) error {
	select {
	case h <- struct{}{}:
		return nil
	case <-ctx.Done():
		return airbridge.Errorf(airbridge.ERATELIMITED, "gave up waiting to hash a password: %v", context.Cause(ctx))
	}
}

func (h hashSlots) release() { <-h }

// checkLogin returns the user called name, whether there is one, and
// whether password is its password. It checks in one of s.hashing's slots,
// and gives up waiting for one when ctx ends.
func (s *Server) checkLogin(ctx context.Context, name, password string) (u auth.User, known, ok bool, err error) {
	if err := s.hashing.acquire(ctx); err != nil {
		return u, false, false, err
	}
	defer s.hashing.release()
	u, err = s.ledger.User(ctx, name)
	switch {
	case err == nil && u.Password != "":
		ok, _ = auth.CheckPassword(u.Password, password)
		return u, true, ok, nil
	case err == nil || airbridge.ErrorCode(err) == airbridge.ENOTFOUND:
		auth.DummyCheck(password) // an unknown user takes as long as a known one
		return u, err == nil, false, nil
	}
	return u, false, false, err
}

// unknownUser is the target of a refused login whose user name is not a
// user's: what was typed may be a password.
const unknownUser = "(unknown user)"

// login checks a user name and password and starts a browser session.
// Attempts are limited per client address and per user name, apart from the
// API's limit, and wait for one of s.hashing's slots to check the password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := decodeSmall(w, r, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if in.User == "" || in.Password == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "give \"user\" and \"password\""))
		return
	}
	// Each attempt from here on is audited.
	if !s.allow(w, r, s.loginsByIP, "ip:"+clientIP(r)) {
		return
	}
	var u auth.User
	known, ok := false, false
	// A name that is not valid is nobody's: it needs no limit of its own, no
	// look-up and no password check.
	if auth.ValidUserName(in.User) == nil {
		if !s.allow(w, r, s.loginsByUser, "user:"+in.User) {
			return
		}
		var err error
		if u, known, ok, err = s.checkLogin(r.Context(), in.User, in.Password); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if !ok || u.Disabled != "" {
		target := unknownUser
		if known {
			target = u.Name
		}
		s.audit(r, auth.AuditEntry{Actor: "ip:" + clientIP(r), Action: "login", Target: target, Outcome: "denied"})
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
	var in struct {
		Nation string `json:"nation"`
	}
	if err := decodeSmall(w, r, &in); err != nil {
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
	if f.After, f.Limit, err = page(r); err != nil {
		s.error(w, r, err)
		return
	}
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
