package server

// The authorization matrix: every route of the server's own table × every
// role × a caller bound to a nation or to the coalition × a subject of the
// caller's nation or of another, each sent as a real request through the real
// server over a real SQLite database. Then the cells that matter most written
// out by hand, the redaction of personal data, and the credentials: login,
// sessions and CSRF, revoked tokens, rate limits, security headers, and the
// two-person destruction of a nation's data key.
//
// This file is an internal test (package server) so that it reads the table
// the server enforces, s.rules, rather than a parse of routes.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/sqlite"
	"airbridge/vault"
)

// ---------------------------------------------------------------------------
// Harness

var authzKey = func() vault.MasterKey {
	k, err := vault.GenerateMasterKey()
	if err != nil {
		panic(err)
	}
	return k
}()

// The nations of the test operation: callers are bound to home, and
// subjects belong to home or to abroad.
const (
	home   = "USA"
	abroad = "DEU"
)

// nationLabel is how a user name spells a nation.
func nationLabel(n string) string {
	if n == auth.Coalition {
		return "coalition"
	}
	return strings.ToLower(n)
}

// userName is the test user of role bound to nation: "gate_agent.usa",
// "planner.coalition".
func userName(role auth.Role, nation string) string {
	return string(role) + "." + nationLabel(nation)
}

// authzWorld is a server over a database holding:
//
//	an operation with nations USA and DEU; sites gate1 (gate), hold1
//	(holding), ramp1 (ramp)
//	per nation N in {USA, DEU}, with n = lower-case N:
//	  group g-n ("Family of N") with person p-n, registered, document DOC-N
//	  flight F-N operated by N
//	  group m-n with person m-n-1, of nation N, manifested on F-N
//	group x-usa with person x-usa-1, of USA, manifested on F-DEU
//	a user with an API token for every role bound to USA, to DEU and to the
//	coalition (userName), and desk.usa, a coordinator of USA with a password
//	per nation N: spare.n, a disabled gate agent of N, whose token spentN
//	is revoked
type authzWorld struct {
	s        *Server
	srv      *httptest.Server
	db       *sqlite.DB
	tokens   map[string]string // by user name
	tokenIDs map[string]string // by user name
	keys     atomic.Int64
	audited  int64 // the last audit entry seen by newAudit
}

const deskPassword = "correct horse battery staple"

// newAuthzWorld returns a world served with opts, over TLS if tls; each of
// configure changes the server before it serves.
func newAuthzWorld(t *testing.T, opts Options, tls bool, configure ...func(*Server)) *authzWorld {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "authz.db"), authzKey)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	w := &authzWorld{db: db, tokens: map[string]string{}, tokenIDs: map[string]string{}}
	for _, role := range auth.Roles {
		for _, n := range []string{home, abroad, auth.Coalition} {
			w.addUser(t, auth.User{Name: userName(role, n), Role: string(role), Nation: n})
		}
	}
	hash, err := auth.HashPassword(deskPassword)
	if err != nil {
		t.Fatal(err)
	}
	w.addUser(t, auth.User{Name: "desk.usa", Role: string(auth.Coordinator), Nation: home, Password: hash})
	for _, n := range []string{home, abroad} {
		name := "spare." + nationLabel(n)
		if err := db.AddUser(ctx, auth.User{Name: name, Role: string(auth.GateAgent), Nation: n}, "test"); err != nil {
			t.Fatal(err)
		}
		if err := db.IssueToken(ctx, auth.Token{ID: "spent" + n, User: name, Hash: "none"}, "test"); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, "spent"+n, "test"); err != nil {
			t.Fatal(err)
		}
		if err := db.DisableUser(ctx, name, "test"); err != nil {
			t.Fatal(err)
		}
	}

	t.Cleanup(func() {
		if problems, err := db.Verify(ctx); err != nil || len(problems) > 0 {
			t.Errorf("Verify: %v %q", err, problems)
		}
		db.Close()
	})
	// The world is set up through a server without rate limits; the test
	// gets its own, with opts.
	w.s = New(db, slog.New(slog.DiscardHandler), "authz-setup", Options{})
	w.srv = httptest.NewServer(w.s)
	w.seed(t)
	w.srv.Close()
	w.s = New(db, slog.New(slog.DiscardHandler), "authz", opts)
	for _, f := range configure {
		f(w.s)
	}
	if tls {
		w.srv = httptest.NewTLSServer(w.s)
	} else {
		w.srv = httptest.NewServer(w.s)
	}
	t.Cleanup(w.srv.Close)
	w.newAudit(t) // the setup's entries are seen
	return w
}

// seed sets up the operation as coalition staff, through the API.
func (w *authzWorld) seed(t *testing.T) {
	t.Helper()
	const (
		commander = "commander.coalition"
		gate      = "gate_agent.coalition"
		screener  = "screener.coalition"
		planner   = "planner.coalition"
	)
	w.must(t, commander, "POST", "/api/operation", fmt.Sprintf(`{"policy":{"name":"authz","nations":[%q,%q],"categories":%s}}`,
		home, abroad, mustJSON(airbridge.DefaultCategories())))
	w.must(t, commander, "POST", "/api/sites", `{"id":"gate1","kind":"gate"}`)
	w.must(t, commander, "POST", "/api/sites", `{"id":"hold1","kind":"holding"}`)
	w.must(t, commander, "POST", "/api/sites", `{"id":"ramp1","kind":"ramp"}`)
	register := func(group, name, nation, person, surname, doc string) {
		w.must(t, gate, "POST", "/api/groups", mustJSON(map[string]any{"id": group, "name": name, "nation": nation,
			"persons": []map[string]any{{"id": person, "surname": surname, "given_names": "Ann", "birth_date": "1980-01-02",
				"sex": "F", "nationality": "AFG", "category": "at_risk",
				"documents": []map[string]string{{"type": "passport", "number": doc}}}}}))
	}
	stage := func(person, reason string) {
		w.must(t, gate, "POST", "/api/scans", fmt.Sprintf(`{"person_id":%q,"site":"gate1"}`, person))
		if reason != "" {
			w.must(t, screener, "POST", "/api/persons/"+person+"/screening", fmt.Sprintf(`{"decision":"referred","reason":%q}`, reason))
		}
		w.must(t, screener, "POST", "/api/persons/"+person+"/screening", `{"decision":"cleared"}`)
		w.must(t, gate, "POST", "/api/scans", fmt.Sprintf(`{"person_id":%q,"site":"hold1"}`, person))
	}
	for i, n := range []string{home, abroad} {
		l := nationLabel(n)
		register("g-"+l, "Family of "+n, n, "p-"+l, "Subject"+n, "DOC"+n)
		register("m-"+l, "", n, "m-"+l+"-1", "Manifested"+n, "MAN"+n)
		stage("m-"+l+"-1", "papers of "+n+" look altered")
		w.must(t, planner, "POST", "/api/flights", fmt.Sprintf(`{"id":"F-%s","callsign":"RCH%d","operator":%q,"aircraft":"C-17",`+
			`"slot":"2021-08-20T14:00:00Z","destination":"Al Udeid"}`, n, 871+i, n))
		w.must(t, planner, "POST", "/api/flights/F-"+n+"/manifest", `{"group_id":"m-`+l+`"}`)
	}
	register("x-usa", "", home, "x-usa-1", "Crossing", "CROSS1")
	stage("x-usa-1", "")
	w.must(t, planner, "POST", "/api/flights/F-"+abroad+"/manifest", `{"group_id":"x-usa"}`)
	w.must(t, planner, "POST", "/api/withdrawals", `{"id":"W-1","scenario":`+smallWithdrawal(home, abroad)+`}`)
}

// smallWithdrawal is a withdrawal scenario of the nations given: each has 10
// personnel at one airport and a C-17 a day.
func smallWithdrawal(nations ...string) string {
	var contingents, airlift []string
	for _, n := range nations {
		contingents = append(contingents, fmt.Sprintf(`{"nation":%q,"site":"AP","personnel":10,"security":0,"pallets":0,"vehicles":0}`, n))
		airlift = append(airlift, fmt.Sprintf(`{"nation":%q,"aircraft":"C-17","passengers":100,"pallets":18,"sorties_per_day":1,"from_day":0,"to_day":4,"airport":"AP"}`, n))
	}
	return `{"name":"small","start":"2021-05-01","days":5,"pallets_per_vehicle":2,"sites":[{"id":"AP","airport":true,"security_floor":0}],` +
		`"contingents":[` + strings.Join(contingents, ",") + `],"moves":[],"airlift":[` + strings.Join(airlift, ",") + `],"deadlines":[],"evacuation_last_day":0}`
}

func (w *authzWorld) addUser(t *testing.T, u auth.User) {
	t.Helper()
	ctx := context.Background()
	if err := w.db.AddUser(ctx, u, "test"); err != nil {
		t.Fatalf("add user %s: %v", u.Name, err)
	}
	full, id, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.IssueToken(ctx, auth.Token{ID: id, User: u.Name, Hash: hash}, "test"); err != nil {
		t.Fatalf("issue token to %s: %v", u.Name, err)
	}
	w.tokens[u.Name], w.tokenIDs[u.Name] = full, id
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s", a.status, strings.TrimSpace(string(a.body)))
}

func (a answer) err(t *testing.T) airbridge.Error {
	t.Helper()
	var e airbridge.Error
	if err := json.Unmarshal(a.body, &e); err != nil || e.Code == "" || e.Message == "" {
		t.Errorf("not a JSON error: %s", a)
	}
	return e
}

// send sends a request as user ("" sends no credentials) with headers given
// as name, value pairs. Commands get a fresh Idempotency-Key.
func (w *authzWorld) send(t *testing.T, user, method, path, body string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("authz-%d", w.keys.Add(1)))
	}
	if user != "" {
		token, ok := w.tokens[user]
		if !ok {
			t.Fatalf("no test user %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A redirect is an answer of its own: the matrix looks at it, not at
	// where it leads.
	client := *w.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// must sends a request that must succeed.
func (w *authzWorld) must(t *testing.T, user, method, path, body string) answer {
	t.Helper()
	a := w.send(t, user, method, path, body)
	if a.status != http.StatusOK && a.status != http.StatusCreated {
		t.Fatalf("%s %s as %s: %s", method, path, user, a)
	}
	return a
}

// get reads path as user, which must answer 200, into v.
func (w *authzWorld) get(t *testing.T, user, path string, v any) answer {
	t.Helper()
	a := w.send(t, user, http.MethodGet, path, "")
	if a.status != http.StatusOK {
		t.Fatalf("GET %s as %s: %s", path, user, a)
	}
	if v != nil {
		if err := json.Unmarshal(a.body, v); err != nil {
			t.Fatalf("GET %s as %s: decode %T: %v", path, user, v, err)
		}
	}
	return a
}

// newAudit returns the audit entries written since it was last called.
func (w *authzWorld) newAudit(t *testing.T) []auth.AuditEntry {
	t.Helper()
	es, err := w.db.AuditLog(context.Background(), auth.AuditFilter{After: w.audited, Limit: 10_000})
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(es) > 0 {
		w.audited = es[len(es)-1].Seq
	}
	return es
}

// wantForbidden checks that a is a 403 "forbidden" naming role in its
// message and details, and that exactly this refusal was written to the
// audit log as access.denied.
func (w *authzWorld) wantForbidden(t *testing.T, a answer, user string, role auth.Role, method, path string) {
	t.Helper()
	if e := w.wantRefused(t, a, user, role, method, path); a.status == http.StatusForbidden && !strings.Contains(e.Message, string(role)) {
		t.Errorf("%s %s as %s: refused with %q, which does not name the role %s", method, path, user, e.Message, role)
	}
}

// wantRefused checks that a is a 403 "forbidden" with role in its details,
// audited as access.denied; it returns the error.
func (w *authzWorld) wantRefused(t *testing.T, a answer, user string, role auth.Role, method, path string) airbridge.Error {
	t.Helper()
	if a.status != http.StatusForbidden {
		t.Errorf("%s %s as %s: got %s, want 403 forbidden", method, path, user, a)
		w.newAudit(t)
		return airbridge.Error{}
	}
	e := a.err(t)
	if e.Code != airbridge.EFORBIDDEN || fmt.Sprint(e.Details["role"]) != string(role) {
		t.Errorf("%s %s as %s: got %s, want code %q and details.role %s", method, path, user, a, airbridge.EFORBIDDEN, role)
	}
	w.wantDenied(t, user, method, path)
	return e
}

// wantDenied checks that the audit entries since the last look are one
// access.denied of user for method and path.
func (w *authzWorld) wantDenied(t *testing.T, user, method, path string) {
	t.Helper()
	target := method + " " + strings.SplitN(path, "?", 2)[0]
	var denied []auth.AuditEntry
	for _, e := range w.newAudit(t) {
		if e.Action == "access.denied" {
			denied = append(denied, e)
		}
	}
	if len(denied) != 1 || denied[0].Actor != user || denied[0].Target != target || denied[0].Outcome != "denied" || denied[0].Detail == "" {
		t.Errorf("%s as %s was refused; audit log has access.denied entries %+v, want one by %s for %q", target, user, denied, user, target)
	}
}

// noneDenied checks that no access.denied entry was written since the last
// look.
func (w *authzWorld) noneDenied(t *testing.T, what string) {
	t.Helper()
	for _, e := range w.newAudit(t) {
		if e.Action == "access.denied" {
			t.Errorf("%s: audit log has %+v, but it was not refused", what, e)
		}
	}
}

func (w *authzWorld) events(t *testing.T) int64 {
	t.Helper()
	st, err := w.db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Events
}

// ---------------------------------------------------------------------------
// The matrix

// request returns the path and body of a request to a route about a
// subject of nation n: a person, group or flight of n, or a command that
// names n. Each command's body is refused by the rules (404, 409 or 422)
// after the nation check, so that the matrix leaves the world as it was.
type request func(n string) (path, body string)

func fixed(path, body string) request { return func(string) (string, string) { return path, body } }

// requests has a request for every route the server answers. A route added
// to routes.go without one here fails TestAuthorizationMatrix.
var requests = map[string]request{
	"GET /healthz":       fixed("/healthz", ""),
	"POST /api/login":    fixed("/api/login", `{"user":"nobody"}`), // 422: no password
	"POST /api/logout":   fixed("/api/logout", ""),                 // 409 for an API token
	"GET /api/whoami":    fixed("/api/whoami", ""),
	"GET /metrics":       fixed("/metrics", ""),
	"GET /api/operation": fixed("/api/operation", ""),
	"POST /api/operation": fixed("/api/operation",
		`{"policy":{"name":"again","nations":["USA"],"categories":[{"code":"c","name":"C","rank":1}]}}`), // 409: configured
	"GET /api/sites":  fixed("/api/sites", ""),
	"POST /api/sites": fixed("/api/sites", `{"id":"gate1","kind":"gate"}`), // 409: exists

	"POST /api/persons": func(n string) (string, string) {
		return "/api/persons", fmt.Sprintf(`{"nation":%q,"surname":"M","nationality":"XX","category":"at_risk"}`, n)
	},
	"POST /api/persons/batch": func(n string) (string, string) {
		return "/api/persons/batch", fmt.Sprintf(`{"persons":[{"nation":%q,"surname":"M","nationality":"XX","category":"at_risk"}]}`, n)
	},
	"GET /api/persons": func(n string) (string, string) { return "/api/persons?document=DOC" + n, "" },
	"GET /api/persons/{id}": func(n string) (string, string) {
		return "/api/persons/p-" + nationLabel(n), ""
	},
	"GET /api/persons/{id}/history": func(n string) (string, string) {
		return "/api/persons/p-" + nationLabel(n) + "/history", ""
	},
	"POST /api/persons/{id}/screening": func(n string) (string, string) {
		return "/api/persons/p-" + nationLabel(n) + "/screening", `{"decision":"maybe"}`
	},

	"POST /api/groups": func(n string) (string, string) {
		return "/api/groups", fmt.Sprintf(`{"nation":%q,"persons":[{"surname":"M","nationality":"XX","category":"at_risk"}]}`, n)
	},
	"POST /api/groups/batch": func(n string) (string, string) {
		return "/api/groups/batch", fmt.Sprintf(`{"groups":[{"nation":%q,"persons":[{"surname":"M","nationality":"XX","category":"at_risk"}]}]}`, n)
	},
	"GET /api/groups/{id}": func(n string) (string, string) { return "/api/groups/g-" + nationLabel(n), "" },
	"POST /api/groups/{id}/split": func(n string) (string, string) {
		return "/api/groups/g-" + nationLabel(n) + "/split", `{"persons":[]}`
	},
	"POST /api/groups/{id}/call": func(n string) (string, string) {
		return "/api/groups/g-" + nationLabel(n) + "/call",
			`{"gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T09:00:00Z"}`
	},

	// A ramp scan concerns the operator of the person's flight (F-n), which
	// is not boarding: 409.
	"POST /api/scans": func(n string) (string, string) {
		return "/api/scans", `{"person_id":"m-` + nationLabel(n) + `-1","site":"ramp1"}`
	},

	"GET /api/flights": fixed("/api/flights", ""),
	"POST /api/flights": func(n string) (string, string) {
		return "/api/flights", fmt.Sprintf(`{"callsign":"X1","operator":%q,"aircraft":"B-52","slot":"2021-08-20T14:00:00Z","destination":"Al Udeid"}`, n)
	},
	"GET /api/flights/{id}": func(n string) (string, string) { return "/api/flights/F-" + n, "" },
	"GET /api/flights/{id}/manifest": func(n string) (string, string) {
		return "/api/flights/F-" + n + "/manifest?format=csv", ""
	},
	"POST /api/flights/{id}/manifest": func(n string) (string, string) {
		return "/api/flights/F-" + n + "/manifest", `{"group_id":"nogroup"}`
	},
	"DELETE /api/flights/{id}/manifest/{group}": func(n string) (string, string) {
		return "/api/flights/F-" + n + "/manifest/nogroup", ""
	},
	"POST /api/flights/{id}/board": func(n string) (string, string) {
		return "/api/flights/F-" + n + "/board", `{"group_id":"nogroup"}`
	},

	"POST /api/flights/{id}/standby": func(n string) (string, string) {
		return "/api/flights/F-" + n + "/standby", `{"groups":["nogroup"]}`
	},
	// Proposing writes nothing.
	"POST /api/manifests/propose": func(n string) (string, string) {
		return "/api/manifests/propose", fmt.Sprintf(`{"flights":["F-%s"]}`, n)
	},
	"POST /api/manifests/publish": func(n string) (string, string) {
		return "/api/manifests/publish", fmt.Sprintf(`{"flights":[{"flight_id":"F-%s","groups":["nogroup"]}]}`, n)
	},
	// p-n is on no manifest: 409.
	"GET /api/persons/{id}/boarding-pass": func(n string) (string, string) {
		return "/api/persons/p-" + nationLabel(n) + "/boarding-pass", ""
	},
	// g-n is registered, not called: 409.
	"DELETE /api/groups/{id}/call": func(n string) (string, string) { return "/api/groups/g-" + nationLabel(n) + "/call", "" },
	"GET /api/groups/{id}/invitation": func(n string) (string, string) {
		return "/api/groups/g-" + nationLabel(n) + "/invitation", ""
	},
	"GET /api/invitations/key": fixed("/api/invitations/key", ""),
	// A list with only a bad row: reported, nothing registered.
	"POST /api/persons/import": func(n string) (string, string) {
		return "/api/persons/import?nation=" + n, "surname,nationality,category\nX,AFGHAN,at_risk\n"
	},
	"POST /api/callforward/plan": func(n string) (string, string) {
		return "/api/callforward/plan", fmt.Sprintf(`{"hours":1,"nation":%q}`, n)
	},
	"POST /api/callforward/publish": func(n string) (string, string) { // 422: the window ends before it starts
		return "/api/callforward/publish", `{"calls":[{"group_id":"g-` + nationLabel(n) + `","gate":"gate1","window_start":"2021-08-20T10:00:00Z","window_end":"2021-08-20T09:00:00Z"}]}`
	},
	// Not an invitation: answered 200 "forged", and nothing written.
	"POST /api/gate/verify":  fixed("/api/gate/verify", `{"invitation":"junk","gate":"gate1"}`),
	"POST /api/sites/{id}":   fixed("/api/sites/gate1", `{"lanes":-1}`), // 422
	"GET /api/alerts":        fixed("/api/alerts", ""),
	"GET /api/events/stream": fixed("/api/events/stream?for=20ms", ""),

	"GET /api/pipeline": fixed("/api/pipeline", ""),
	"GET /api/staged":   fixed("/api/staged", ""),
	"GET /api/events":   fixed("/api/events", ""),
	"GET /api/audit":    fixed("/api/audit", ""),
	// An allowed caller is refused by the two-person rule: the matrix
	// never destroys a key (TestDestroyKey does).
	"POST /api/keys/destroy": func(n string) (string, string) { return "/api/keys/destroy", fmt.Sprintf(`{"nation":%q}`, n) },

	"GET /api/users": fixed("/api/users", ""),
	"POST /api/users": func(n string) (string, string) { // 422: the password is short
		return "/api/users", fmt.Sprintf(`{"name":"new.user","role":"gate_agent","nation":%q,"password":"short"}`, n)
	},
	"POST /api/users/{name}/disable": func(n string) (string, string) { // 409: disabled
		return "/api/users/spare." + nationLabel(n) + "/disable", ""
	},
	"GET /api/tokens": fixed("/api/tokens?user=spare.usa", ""),
	"POST /api/tokens": func(n string) (string, string) { // 409: the user is disabled
		return "/api/tokens", fmt.Sprintf(`{"user":"spare.%s"}`, nationLabel(n))
	},
	// The pages (ui.go).
	"GET /{$}":                  fixed("/", ""), // 303 to the overview
	"GET /ui/login":             fixed("/ui/login", ""),
	"GET /ui/static/{file}":     fixed("/ui/static/app.js", ""),
	"GET /ui/{$}":               fixed("/ui/", ""),
	"GET /ui/overview/live":     fixed("/ui/overview/live", ""),
	"GET /ui/flights":           fixed("/ui/flights", ""),
	"GET /ui/flights/{id}":      func(n string) (string, string) { return "/ui/flights/F-" + n, "" },
	"GET /ui/gate":              fixed("/ui/gate", ""),
	"GET /ui/screening":         fixed("/ui/screening", ""),
	"GET /ui/manifests":         fixed("/ui/manifests", ""),
	"GET /ui/persons/{id}":      func(n string) (string, string) { return "/ui/persons/p-" + nationLabel(n), "" },
	"GET /ui/persons/{id}/card": func(n string) (string, string) { return "/ui/persons/p-" + nationLabel(n) + "/card", "" },
	"GET /ui/search":            fixed("/ui/search?q=M", ""),
	"GET /ui/withdrawals":       fixed("/ui/withdrawals", ""),
	"GET /ui/withdrawals/{id}":  fixed("/ui/withdrawals/W-1?as_of=2021-05-02", ""),

	// The withdrawal: W-1 exists (409), and no one has 1,000 personnel at
	// the airport (409).
	"GET /api/withdrawals": fixed("/api/withdrawals", ""),
	"POST /api/withdrawals": func(n string) (string, string) {
		return "/api/withdrawals", `{"id":"W-1","scenario":` + smallWithdrawal(n) + `}`
	},
	"GET /api/withdrawals/{id}": fixed("/api/withdrawals/W-1?as_of=2021-05-03", ""),
	"POST /api/withdrawals/{id}/movements": func(n string) (string, string) {
		return "/api/withdrawals/W-1/movements", fmt.Sprintf(`{"date":"2021-05-02","nation":%q,"from":"AP","mode":"sortie","sorties":1,"personnel":1000}`, n)
	},

	// Revoking a token of another user: a caller's own token is TestTokenAdmin's.
	"DELETE /api/tokens/{id}": func(n string) (string, string) { return "/api/tokens/spent" + n, "" }, // 409: revoked
}

func init() {
	for _, action := range []string{airbridge.ActionBoarding, airbridge.ActionClose, airbridge.ActionDepart, airbridge.ActionArrive, airbridge.ActionCancel} {
		requests["POST /api/flights/{id}/"+action] = func(n string) (string, string) {
			return "/api/flights/F-" + n + "/" + action, `{"reason":"bell\u0007"}` // 422: a control character
		}
	}
}

// allowed is what the table says of a caller of role bound to nation on a
// route with rule who, about a subject of nation subject that is not the
// caller's own credential (which self would allow).
func allowed(who rule, role auth.Role, nation, subject string) bool {
	if who == nil {
		return true
	}
	switch who[role] {
	case anyNation:
		return true
	case ownNation:
		return nation == auth.Coalition || subject == nation
	}
	return false
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	patterns := slices.Sorted(maps.Keys(w.s.rules))
	for _, p := range patterns {
		if requests[p] == nil {
			t.Errorf("routes.go has %s, which the matrix has no request for: add one to requests", p)
		}
	}
	for p := range requests {
		if _, ok := w.s.rules[p]; !ok {
			t.Errorf("the matrix has a request for %s, which routes.go does not have", p)
		}
	}

	cells, allows, refusals := 0, 0, 0
	for _, pattern := range patterns {
		who, build := w.s.rules[pattern], requests[pattern]
		if build == nil {
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		t.Run(pattern, func(t *testing.T) {
			for _, role := range auth.Roles {
				for _, nation := range []string{home, auth.Coalition} {
					user := userName(role, nation)
					for _, subj := range []string{home, abroad} {
						path, body := build(subj)
						cell := fmt.Sprintf("%s %s as %s about %s", method, path, user, subj)
						before := w.events(t)
						a := w.send(t, user, method, path, body)
						cells++
						want := allowed(who, role, nation, subj)
						if !want {
							refusals++
							w.wantForbidden(t, a, user, role, method, path)
							if after := w.events(t); after != before {
								t.Errorf("%s: refused, yet the ledger grew from %d to %d events", cell, before, after)
							}
							if who[role] == ownNation && a.status == http.StatusForbidden {
								// Refused for the subject's nation: the
								// message says which.
								if e := a.err(t); !strings.Contains(e.Message, subj) || !strings.Contains(e.Message, nation) {
									t.Errorf("%s: refused with %q, which names neither the caller's nation nor the subject's", cell, e.Message)
								}
							}
							continue
						}
						allows++
						if pattern == "POST /api/keys/destroy" {
							// Past the role and nation checks, the
							// two-person rule refuses a request without a
							// second commander.
							if e := a.err(t); a.status != http.StatusForbidden || !strings.Contains(e.Message, ConfirmHeader) {
								t.Errorf("%s: got %s, want the two-person rule's 403", cell, a)
							}
							w.wantDenied(t, user, method, path)
							continue
						}
						switch a.status {
						case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound,
							http.StatusConflict, http.StatusUnprocessableEntity:
						case http.StatusSeeOther:
							if pattern != "GET /{$}" {
								t.Errorf("%s: allowed by the table, got %s", cell, a)
							}
						default:
							t.Errorf("%s: allowed by the table, got %s", cell, a)
						}
						w.noneDenied(t, cell)
						if method != http.MethodGet && w.events(t) != before {
							t.Errorf("%s: the matrix's request changed the ledger (%s)", cell, a)
						}
					}
				}
			}
		})
	}
	t.Logf("authorization matrix: %d routes × %d roles × 2 callers (%s, coalition) × 2 subjects (%s, %s) = %d requests: %d allowed, %d refused",
		len(patterns), len(auth.Roles), home, home, abroad, cells, allows, refusals)
	if want := len(patterns) * len(auth.Roles) * 4; cells != want {
		t.Errorf("ran %d cells, want %d", cells, want)
	}
}

// TestAuthorizationCells writes out by hand the cells a careless edit of
// the table must not change, and checks each against the server and the
// table alike.
func TestAuthorizationCells(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	// Every subject below is of USA.
	for _, c := range []struct {
		user, method, path, body string
		allowed                  bool
	}{
		{"coordinator.deu", "GET", "/api/persons/p-usa", "", false},
		{"coordinator.deu", "GET", "/api/persons/p-usa/history", "", false},
		{"coordinator.deu", "GET", "/api/groups/g-usa", "", false},
		{"coordinator.deu", "GET", "/api/persons?document=DOCUSA", "", false},
		{"coordinator.usa", "GET", "/api/persons/p-usa", "", true},
		{"gate_agent.usa", "POST", "/api/operation", `{}`, false},
		{"planner.coalition", "POST", "/api/operation", `{}`, false},
		{"commander.usa", "POST", "/api/operation", `{}`, true},
		{"auditor.coalition", "GET", "/api/audit", "", true},
		{"auditor.usa", "GET", "/api/audit", "", true},
		{"commander.coalition", "GET", "/api/audit", "", false},
		{"coordinator.usa", "GET", "/api/audit", "", false},
		{"gate_agent.coalition", "GET", "/api/events", "", false},
		{"commander.coalition", "GET", "/api/events", "", true},
		{"manifest_officer.deu", "POST", "/api/flights/F-USA/close", "", false},
		{"manifest_officer.usa", "POST", "/api/flights/F-USA/close", `{"reason":"bell\u0007"}`, true},
		{"manifest_officer.deu", "POST", "/api/flights/F-USA/board", `{"group_id":"m-usa"}`, false},
		{"manifest_officer.deu", "DELETE", "/api/flights/F-USA/manifest/m-usa", "", false},
		{"planner.deu", "POST", "/api/flights/F-USA/manifest", `{"group_id":"nogroup"}`, true},
		{"planner.usa", "POST", "/api/flights/F-USA/board", `{"group_id":"nogroup"}`, false},
		{"gate_agent.deu", "POST", "/api/persons", `{"nation":"USA","surname":"M","nationality":"XX","category":"at_risk"}`, false},
		{"gate_agent.deu", "POST", "/api/persons/batch", `{"persons":[{"nation":"DEU","surname":"M","nationality":"XX","category":"at_risk"},` +
			`{"nation":"USA","surname":"M","nationality":"XX","category":"at_risk"}]}`, false},
		{"screener.usa", "POST", "/api/persons", `{"nation":"USA","surname":"M","nationality":"XX","category":"at_risk"}`, false},
		{"screener.deu", "POST", "/api/persons/p-usa/screening", `{"decision":"maybe"}`, false},
		{"gate_agent.usa", "POST", "/api/persons/p-usa/screening", `{"decision":"maybe"}`, false},
		{"gate_agent.deu", "POST", "/api/groups/g-usa/call", `{}`, false},
		{"gate_agent.deu", "POST", "/api/scans", `{"person_id":"m-usa-1","site":"ramp1"}`, false},
		{"manifest_officer.deu", "POST", "/api/scans", `{"document":"MANUSA","site":"ramp1"}`, false},
		{"gate_agent.usa", "POST", "/api/scans", `{"person_id":"m-usa-1","site":"ramp1"}`, true},
		{"gate_agent.coalition", "POST", "/api/scans", `{"person_id":"m-usa-1","site":"ramp1"}`, true},
		{"planner.coalition", "POST", "/api/scans", `{"person_id":"p-usa","site":"gate1"}`, false},
		{"commander.deu", "POST", "/api/keys/destroy", `{"nation":"USA"}`, false},
		{"planner.coalition", "POST", "/api/keys/destroy", `{"nation":"USA"}`, false},
		{"auditor.coalition", "POST", "/api/sites", `{"id":"gate1","kind":"gate"}`, false},

		{"auditor.usa", "GET", "/api/users", "", true},
		{"commander.deu", "GET", "/api/users", "", true},
		{"planner.coalition", "GET", "/api/users", "", false},
		{"commander.usa", "POST", "/api/users", `{"name":"x.y","role":"gate_agent","nation":"USA","password":"short"}`, true},
		{"commander.deu", "POST", "/api/users", `{"name":"x.y","role":"gate_agent","nation":"USA","password":"short"}`, false},
		{"coordinator.usa", "POST", "/api/users", `{"name":"x.y","role":"gate_agent","nation":"USA","password":"short"}`, false},
		{"auditor.coalition", "POST", "/api/users", `{"name":"x.y","role":"gate_agent","nation":"USA","password":"short"}`, false},
		{"commander.usa", "POST", "/api/users/spare.usa/disable", "", true},
		{"commander.deu", "POST", "/api/users/spare.usa/disable", "", false},
		{"coordinator.usa", "POST", "/api/users/spare.usa/disable", "", false},
		{"auditor.deu", "GET", "/api/tokens", "", true},
		{"gate_agent.coalition", "GET", "/api/tokens", "", false},
		{"commander.usa", "POST", "/api/tokens", `{"user":"spare.usa"}`, true},
		{"commander.deu", "POST", "/api/tokens", `{"user":"spare.usa"}`, false},
		{"auditor.coalition", "POST", "/api/tokens", `{"user":"spare.usa"}`, false},
		{"commander.usa", "DELETE", "/api/tokens/spentUSA", "", true},
		{"commander.deu", "DELETE", "/api/tokens/spentUSA", "", false},
		{"gate_agent.usa", "DELETE", "/api/tokens/spentUSA", "", false}, // not its own
		{"auditor.coalition", "DELETE", "/api/tokens/spentUSA", "", false},
	} {
		role, label, _ := strings.Cut(c.user, ".")
		nation := strings.ToUpper(label)
		if label == "coalition" {
			nation = auth.Coalition
		}
		if got := allowed(w.s.rules[patternOf(t, w.s, c.method, c.path)], auth.Role(role), nation, home); got != c.allowed {
			t.Errorf("routes.go: %s may %s %s: %v, want %v", c.user, c.method, c.path, got, c.allowed)
		}
		a := w.send(t, c.user, c.method, c.path, c.body)
		if !c.allowed {
			w.wantForbidden(t, a, c.user, auth.Role(role), c.method, c.path)
			continue
		}
		if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden || a.status >= 500 {
			t.Errorf("%s %s as %s: got %s, want it allowed", c.method, c.path, c.user, a)
		}
		w.noneDenied(t, c.method+" "+c.path+" as "+c.user)
	}
}

// TestScanNation: a scan at the ramp boards onto the person's flight, so only
// staff of the flight's nation (or of the coalition) may make it; at a gate
// or holding area anybody's people pass.
func TestScanNation(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	w.must(t, "planner.coalition", "POST", "/api/flights/F-DEU/boarding", "")
	w.newAudit(t)
	before := w.events(t)
	// x-usa-1, of USA, is on F-DEU, which is boarding.
	for _, c := range []struct {
		user string
		role auth.Role
		body string
	}{
		{"gate_agent.usa", auth.GateAgent, `{"person_id":"x-usa-1","site":"ramp1"}`},
		{"gate_agent.usa", auth.GateAgent, `{"document":"CROSS1","site":"ramp1"}`},
		{"manifest_officer.usa", auth.ManifestOfficer, `{"person_id":"x-usa-1","site":"ramp1"}`},
		{"screener.usa", auth.Screener, `{"person_id":"x-usa-1","document":"CROSS1","site":"ramp1"}`},
	} {
		a := w.send(t, c.user, "POST", "/api/scans", c.body)
		if e := w.wantRefused(t, a, c.user, c.role, "POST", "/api/scans"); !strings.Contains(e.Message, abroad) {
			t.Errorf("%s scanning %s: refused with %q, which does not name %s", c.user, c.body, e.Message, abroad)
		}
	}
	if after := w.events(t); after != before {
		t.Errorf("refused ramp scans boarded someone: %d events, were %d", after, before)
	}
	// At a gate or holding area the scan is allowed, and refused by the
	// rules only because x-usa-1 is manifested.
	for _, site := range []string{"gate1", "hold1"} {
		a := w.send(t, "gate_agent.usa", "POST", "/api/scans", `{"person_id":"x-usa-1","site":"`+site+`"}`)
		if a.status != http.StatusConflict {
			t.Errorf("gate_agent.usa scanning x-usa-1 at %s: %s, want 409 from the rules", site, a)
		}
		w.noneDenied(t, "a scan at "+site)
	}
	// Nobody on a flight at the ramp: no nation, the rules refuse.
	if a := w.send(t, "gate_agent.deu", "POST", "/api/scans", `{"person_id":"p-usa","site":"ramp1"}`); a.status != http.StatusConflict {
		t.Errorf("a ramp scan of a person on no flight: %s, want 409", a)
	}
	w.noneDenied(t, "a ramp scan of a person on no flight")
	// The flight's own nation boards.
	var sr airbridge.ScanResult
	if a := w.send(t, "gate_agent.deu", "POST", "/api/scans", `{"document":"CROSS1","site":"ramp1"}`); a.status != http.StatusOK ||
		json.Unmarshal(a.body, &sr) != nil || sr.Person.Stage != airbridge.Boarded {
		t.Errorf("gate_agent.deu scanning x-usa-1 at the ramp of F-DEU: %s, want boarded", a)
	}
}

// patternOf returns the pattern of the route that serves method and path.
func patternOf(t *testing.T, s *Server, method, path string) string {
	t.Helper()
	_, p := s.mux.Handler(httptest.NewRequest(method, path, nil))
	if _, ok := s.rules[p]; !ok {
		t.Fatalf("no route of the table serves %s %s", method, path)
	}
	return p
}

// TestCredentialsRequired: only /healthz and POST /api/login answer without
// credentials; every other route, and every unknown one, answers 401 and
// changes nothing. Bad credentials are 401 too.
func TestCredentialsRequired(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	var open []string
	for pattern, who := range w.s.rules {
		if who == nil {
			open = append(open, pattern)
		}
	}
	slices.Sort(open)
	// The login page, its script and style, and the redirect to it carry
	// no data.
	if want := []string{"GET /healthz", "GET /ui/login", "GET /ui/static/{file}", "GET /{$}", "POST /api/login"}; !slices.Equal(open, want) {
		t.Errorf("routes open without credentials: %q, want only %q", open, want)
	}
	before := w.events(t)
	for pattern := range w.s.rules {
		build := requests[pattern]
		if build == nil {
			continue // TestAuthorizationMatrix names it
		}
		method, _, _ := strings.Cut(pattern, " ")
		path, body := build(home)
		a := w.send(t, "", method, path, body)
		if slices.Contains(open, pattern) {
			if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
				t.Errorf("%s without credentials: %s, want it open", pattern, a)
			}
			continue
		}
		if e := a.err(t); a.status != http.StatusUnauthorized || e.Code != airbridge.EUNAUTHENTICATED {
			t.Errorf("%s without credentials: %s, want 401 %s", pattern, a, airbridge.EUNAUTHENTICATED)
		}
		if got := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s without credentials: WWW-Authenticate %q", pattern, got)
		}
	}
	for _, r := range [][2]string{{"GET", "/nope"}, {"PUT", "/api/sites"}, {"POST", "/api/flights/F-USA/takeoff"}} {
		if a := w.send(t, "", r[0], r[1], "{}"); a.status != http.StatusUnauthorized {
			t.Errorf("%s %s without credentials: %s, want 401 (unknown routes are for callers only)", r[0], r[1], a)
		}
	}
	if after := w.events(t); after != before {
		t.Errorf("requests without credentials changed the ledger from %d to %d events", before, after)
	}
	w.newAudit(t)

	unknown, _, _, _ := auth.NewToken()
	for _, h := range []string{
		"Bearer " + unknown,                       // well formed, never issued
		"Bearer " + w.tokens["auditor.usa"] + "x", // malformed
		"Bearer garbage",
		"Basic " + w.tokens["auditor.usa"],
		"bearer " + w.tokens["auditor.usa"],
	} {
		a := w.send(t, "", "GET", "/api/pipeline", "", "Authorization", h)
		if e := a.err(t); a.status != http.StatusUnauthorized || e.Code != airbridge.EUNAUTHENTICATED {
			t.Errorf("Authorization %.20q…: %s, want 401", h, a)
		}
		if strings.Contains(string(a.body), strings.TrimPrefix(h, "Bearer ")) {
			t.Errorf("the answer repeats the credential: %s", a)
		}
	}
	// A well-formed token that is not known is recorded, by its id only.
	var failed []auth.AuditEntry
	for _, e := range w.newAudit(t) {
		if e.Action == "auth.failed" {
			failed = append(failed, e)
			if strings.Contains(e.Target+e.Detail, unknown[len(unknown)-20:]) {
				t.Errorf("audit entry %+v holds the token's secret", e)
			}
		}
	}
	if len(failed) != 1 || failed[0].Outcome != "denied" || !strings.HasPrefix(failed[0].Actor, "ip:") {
		t.Errorf("auth.failed entries %+v, want one for the unknown token", failed)
	}
}

// ---------------------------------------------------------------------------
// Redaction

// personalFields returns the personal data in a JSON body: fields of
// airbridge.PersonalData or sealed data anywhere, names of groups, and
// free-text reasons.
func personalFields(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return []string{"(not JSON)"}
	}
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch {
				case k == "surname", k == "given_names", k == "birth_date", k == "sex", k == "documents",
					k == "screening_reason", k == "sealed", k == "reason",
					k == "name" && v["members"] != nil:
					found = append(found, fmt.Sprintf("%s.%s=%v", path, k, x))
				}
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("", v)
	slices.Sort(found)
	return found
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	person := func(user, id string) airbridge.Person {
		t.Helper()
		var p airbridge.Person
		w.get(t, user, "/api/persons/"+id, &p)
		return p
	}
	sees := func(user, id, surname string) {
		t.Helper()
		p := person(user, id)
		if p.Surname != surname || p.BirthDate != "1980-01-02" || len(p.Documents) != 1 || p.Redacted != "" {
			t.Errorf("%s reading %s: %+v, want the personal data (surname %s)", user, id, p, surname)
		}
	}
	withheld := func(user, id string, why ...string) {
		t.Helper()
		a := w.get(t, user, "/api/persons/"+id, nil)
		if found := personalFields(a.body); len(found) > 0 {
			t.Errorf("%s reading %s got personal data: %s", user, id, found)
		}
		var p airbridge.Person
		json.Unmarshal(a.body, &p)
		if p.ID != id || p.Stage == "" {
			t.Errorf("%s reading %s: %+v, want the person without personal data", user, id, p)
		}
		for _, s := range append([]string{"withheld"}, why...) {
			if !strings.Contains(p.Redacted, s) {
				t.Errorf("%s reading %s: redacted %q, want it to say %q", user, id, p.Redacted, s)
			}
		}
	}

	// The staff of the person's nation see it.
	sees("coordinator.usa", "p-usa", "SubjectUSA")
	sees("gate_agent.usa", "p-usa", "SubjectUSA")
	sees("screener.usa", "p-usa", "SubjectUSA")
	sees("coordinator.deu", "p-deu", "SubjectDEU")
	var found airbridge.Person
	w.get(t, "coordinator.usa", "/api/persons?document=DOCUSA", &found)
	if found.ID != "p-usa" || found.Surname != "SubjectUSA" {
		t.Errorf("coordinator of USA finding DOCUSA: %+v", found)
	}
	// A national coordinator reads no other nation's people.
	w.newAudit(t)
	w.wantForbidden(t, w.send(t, "coordinator.usa", "GET", "/api/persons/p-deu", ""), "coordinator.usa", auth.Coordinator, "GET", "/api/persons/p-deu")
	w.wantForbidden(t, w.send(t, "coordinator.usa", "GET", "/api/groups/g-deu", ""), "coordinator.usa", auth.Coordinator, "GET", "/api/groups/g-deu")
	// Staff of another nation read the record without personal data, and
	// are told why.
	withheld("gate_agent.deu", "p-usa", "gate_agent", "DEU", "USA")
	withheld("screener.deu", "p-usa", "screener", "DEU")
	withheld("gate_agent.coalition", "p-usa", "coalition")
	// Nobody bound to the coalition, and no commander, planner or auditor
	// sees it.
	for _, user := range []string{"commander.coalition", "commander.usa", "planner.usa", "auditor.usa", "coordinator.coalition", "manifest_officer.usa"} {
		withheld(user, "p-usa", strings.Split(user, ".")[0])
	}
	// A manifest officer sees the people on its own nation's flights: a USA
	// national on the DEU flight, but not one on the USA flight.
	sees("manifest_officer.deu", "x-usa-1", "Crossing")
	withheld("manifest_officer.deu", "m-usa-1", "manifest_officer", "DEU")
	withheld("manifest_officer.deu", "p-deu", "manifest_officer") // not on a flight
	sees("manifest_officer.usa", "m-usa-1", "ManifestedUSA")
	var fv airbridge.FlightView
	w.get(t, "manifest_officer.deu", "/api/flights/F-DEU", &fv)
	if len(fv.Manifest) != 2 {
		t.Fatalf("F-DEU manifest: %+v", fv.Manifest)
	}
	for _, p := range fv.Manifest {
		if p.Surname == "" || p.Redacted != "" {
			t.Errorf("F-DEU's manifest officer reading its manifest: %+v", p)
		}
	}
	for _, user := range []string{"commander.coalition", "planner.deu", "manifest_officer.usa"} {
		a := w.get(t, user, "/api/flights/F-DEU", nil)
		// gate agents of USA would see x-usa-1; these see nobody's.
		if f := personalFields(a.body); len(f) > 0 {
			t.Errorf("%s reading F-DEU's manifest got personal data: %s", user, f)
		}
	}

	// Groups: the name is personal data too.
	var g airbridge.GroupView
	w.get(t, "coordinator.usa", "/api/groups/g-usa", &g)
	if g.Group.Name != "Family of USA" || g.Persons[0].Surname != "SubjectUSA" {
		t.Errorf("coordinator of USA reading g-usa: %+v", g)
	}
	a := w.get(t, "gate_agent.deu", "/api/groups/g-usa", &g)
	if f := personalFields(a.body); len(f) > 0 || g.Group.Redacted == "" || g.Persons[0].Redacted == "" {
		t.Errorf("gate agent of DEU reading g-usa: %s (personal data %s)", a, f)
	}

	// History: what was written about a person goes with the person.
	var hist []airbridge.Event
	w.get(t, "screener.usa", "/api/persons/m-usa-1/history", &hist)
	if !slices.ContainsFunc(hist, func(e airbridge.Event) bool { return e.Data.Reason == "papers of USA look altered" }) ||
		hist[0].Data.Person == nil || hist[0].Data.Person.Surname != "ManifestedUSA" {
		t.Errorf("screener of USA reading m-usa-1's history: %+v", hist)
	}
	a = w.get(t, "screener.deu", "/api/persons/m-usa-1/history", nil)
	if f := personalFields(a.body); slices.ContainsFunc(f, func(s string) bool {
		return strings.Contains(s, "ManifestedUSA") || strings.Contains(s, "altered") || strings.Contains(s, "MANUSA")
	}) {
		t.Errorf("screener of DEU reading m-usa-1's history got personal data: %s", f)
	}

	// The coalition's aggregates carry nobody's personal data, whoever reads
	// them.
	for _, path := range []string{"/api/pipeline", "/api/staged", "/api/flights", "/api/sites", "/api/operation", "/api/whoami"} {
		for _, user := range []string{"gate_agent.usa", "gate_agent.deu", "commander.coalition"} {
			if f := personalFields(w.get(t, user, path, nil).body); len(f) > 0 {
				t.Errorf("GET %s as %s carries personal data: %s", path, user, f)
			}
		}
	}

	// The event stream is for audit and command: never personal data.
	for _, user := range []string{"auditor.coalition", "auditor.usa", "commander.coalition", "commander.deu"} {
		a := w.get(t, user, "/api/events?limit=10000", nil)
		if f := personalFields(a.body); len(f) > 0 {
			t.Errorf("GET /api/events as %s carries personal data: %s", user, f)
		}
		for _, s := range []string{"Subject", "Manifested", "Crossing", "Family of", "altered", "DOCUSA", "MANDEU"} {
			if strings.Contains(string(a.body), s) {
				t.Errorf("GET /api/events as %s contains %q", user, s)
			}
		}
	}
}

// TestNeedToKnowAudited: a manifest officer shown the personal data of
// another nation's person, because the person is on its nation's flight, is
// recorded, once per request; reads that show nothing by need are not.
func TestNeedToKnowAudited(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	const officer = "manifest_officer.deu"
	shown := func(what, target string, persons ...string) {
		t.Helper()
		var es []auth.AuditEntry
		for _, e := range w.newAudit(t) {
			if e.Action == "access.personal_data" {
				es = append(es, e)
			}
		}
		if len(es) != 1 || es[0].Actor != officer || es[0].Target != target || es[0].Outcome != "ok" ||
			!strings.Contains(es[0].Detail, "F-DEU") {
			t.Errorf("%s: access.personal_data entries %+v, want one by %s about %s naming F-DEU", what, es, officer, target)
			return
		}
		for _, p := range persons {
			if !strings.Contains(es[0].Detail, p) {
				t.Errorf("%s: %q does not name %s", what, es[0].Detail, p)
			}
		}
	}
	w.newAudit(t)
	var p airbridge.Person
	w.get(t, officer, "/api/persons/x-usa-1", &p)
	if p.Surname != "Crossing" {
		t.Fatalf("%s does not see x-usa-1: %+v", officer, p)
	}
	shown("a person", "person/x-usa-1", "x-usa-1")
	w.get(t, officer, "/api/persons?document=CROSS1", nil)
	shown("a person by document", "person/x-usa-1", "x-usa-1")
	w.get(t, officer, "/api/persons/x-usa-1/history", nil)
	shown("a person's history", "person/x-usa-1", "x-usa-1")
	w.get(t, officer, "/api/groups/x-usa", nil)
	shown("a group", "group/x-usa", "x-usa-1")
	w.get(t, officer, "/api/flights/F-DEU", nil)
	shown("a flight's manifest", "flight/F-DEU", "x-usa-1")

	// Its own nation's people, people withheld, and other roles: nothing.
	for _, c := range [][2]string{
		{officer, "/api/persons/m-deu-1"},
		{officer, "/api/persons/m-usa-1"},
		{officer, "/api/groups/m-usa"},
		{"manifest_officer.usa", "/api/persons/m-usa-1"},
		{"manifest_officer.usa", "/api/flights/F-DEU"},
		{"gate_agent.usa", "/api/persons/x-usa-1"},
		{"gate_agent.usa", "/api/flights/F-DEU"},
	} {
		w.get(t, c[0], c[1], nil)
		for _, e := range w.newAudit(t) {
			if e.Action == "access.personal_data" {
				t.Errorf("GET %s as %s recorded %+v", c[1], c[0], e)
			}
		}
	}
	// The manifest's entry names the other nation's people only.
	w.get(t, officer, "/api/flights/F-DEU", nil)
	for _, e := range w.newAudit(t) {
		if strings.Contains(e.Detail, "m-deu-1") {
			t.Errorf("the entry names DEU's own m-deu-1: %+v", e)
		}
	}
}

// TestNeedToKnowBounded: one entry names at most maxListed persons and
// counts the rest.
func TestNeedToKnowBounded(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	w.newAudit(t)
	ps := make([]airbridge.Person, maxListed+5)
	for i := range ps {
		ps[i] = airbridge.Person{ID: fmt.Sprintf("q-%02d", i), Nation: home, FlightID: "F-DEU",
			PersonalData: airbridge.PersonalData{Surname: "Q"}}
	}
	officer := caller{Principal: auth.Principal{User: "manifest_officer.deu", Role: auth.ManifestOfficer, Nation: abroad}}
	r := httptest.NewRequest("GET", "/api/flights/F-DEU", nil)
	r = r.WithContext(context.WithValue(r.Context(), callerKey{}, officer))
	if err := w.s.auditShown(r, "flight/F-DEU", ps...); err != nil {
		t.Fatal(err)
	}
	es := w.newAudit(t)
	if len(es) != 1 {
		t.Fatalf("entries %+v, want one", es)
	}
	d := es[0].Detail
	if !strings.Contains(d, "q-00") || !strings.Contains(d, fmt.Sprintf("q-%02d", maxListed-1)) ||
		strings.Contains(d, fmt.Sprintf("q-%02d", maxListed)) || !strings.HasSuffix(d, " and 5 more") || strings.Count(d, "F-DEU") != 1 {
		t.Errorf("detail %q, want the first %d persons, the flight once, and 5 more", d, maxListed)
	}
}

// failingAudit is a store whose audit log cannot be written.
type failingAudit struct{ Ledger }

func (failingAudit) Audit(context.Context, auth.AuditEntry) error {
	return errors.New("audit log unavailable")
}

// TestNeedToKnowUntraceable: personal data shown by need is not shown if the
// entry recording it cannot be written.
func TestNeedToKnowUntraceable(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	w.srv.Close()
	w.srv = httptest.NewServer(New(failingAudit{w.db}, slog.New(slog.DiscardHandler), "authz", Options{}))
	t.Cleanup(w.srv.Close)
	const officer = "manifest_officer.deu"
	for _, path := range []string{"/api/persons/x-usa-1", "/api/persons?document=CROSS1", "/api/persons/x-usa-1/history",
		"/api/groups/x-usa", "/api/flights/F-DEU"} {
		a := w.send(t, officer, "GET", path, "")
		if a.status != http.StatusInternalServerError || strings.Contains(string(a.body), "Crossing") {
			t.Errorf("GET %s as %s with the audit log down: %s, want 500 without personal data", path, officer, a)
		}
	}
	// What needs no entry is shown as ever.
	var p airbridge.Person
	w.get(t, officer, "/api/persons/m-deu-1", &p)
	if p.Surname != "ManifestedDEU" {
		t.Errorf("%s reading its own nation's m-deu-1 with the audit log down: %+v", officer, p)
	}
}

// ---------------------------------------------------------------------------
// Sessions, tokens, limits, headers

func cookieOf(a answer) *http.Cookie {
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	return nil
}

func TestLoginSession(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, true)
	login := func(user, password string) answer {
		return w.send(t, "", "POST", "/api/login", mustJSON(map[string]string{"user": user, "password": password}))
	}
	w.newAudit(t)

	// Wrong passwords, unknown and disabled users: 401, no cookie,
	// audited. The entry names the user only if there is one: what was
	// typed as a name may be a password.
	for _, c := range []struct{ user, password, target string }{
		{"desk.usa", "wrong password!", "desk.usa"},
		{"nobody", deskPassword, unknownUser},
		{"planner.usa", deskPassword, "planner.usa"}, // has no password
		{"spare.usa", deskPassword, "spare.usa"},     // disabled
		{deskPassword, deskPassword, unknownUser},    // the password in the name field
		{"Desk.USA", deskPassword, unknownUser},      // not a valid name
	} {
		a := login(c.user, c.password)
		if e := a.err(t); a.status != http.StatusUnauthorized || e.Code != airbridge.EUNAUTHENTICATED || cookieOf(a) != nil {
			t.Errorf("login %s with a wrong password: %s (cookie %v), want 401 and no cookie", c.user, a, cookieOf(a))
		}
		es := w.newAudit(t)
		if len(es) != 1 || es[0].Action != "login" || es[0].Outcome != "denied" || es[0].Target != c.target {
			t.Errorf("login %s with a wrong password: audit %+v, want one login denied of %s", c.user, es, c.target)
		}
		if strings.Contains(mustJSON(es), c.password) {
			t.Errorf("the audit log holds the password tried: %+v", es)
		}
	}

	a := login("desk.usa", deskPassword)
	if a.status != http.StatusOK {
		t.Fatalf("login: %s", a)
	}
	ck := cookieOf(a)
	if ck == nil || ck.Value == "" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || !ck.Secure || ck.Path != "/" {
		t.Fatalf("login: session cookie %+v, want HttpOnly, SameSite=Strict, Secure (over TLS), Path=/", ck)
	}
	if hsts := a.header.Get("Strict-Transport-Security"); hsts == "" {
		t.Errorf("no Strict-Transport-Security over TLS")
	}
	var in struct {
		User, Role, Nation string
		CSRF               string `json:"csrf_token"`
	}
	json.Unmarshal(a.body, &in)
	if in.User != "desk.usa" || in.Role != string(auth.Coordinator) || in.Nation != home || in.CSRF == "" {
		t.Errorf("login answered %s", a)
	}
	if strings.Contains(string(a.body), ck.Value) {
		t.Errorf("the session id is in the body, where scripts read it: %s", a)
	}
	if es := w.newAudit(t); len(es) != 1 || es[0].Action != "login" || es[0].Outcome != "ok" || es[0].Actor != "desk.usa" {
		t.Errorf("audit after a login: %+v", es)
	}

	cookie := SessionCookie + "=" + ck.Value
	var who map[string]string
	if a := w.send(t, "", "GET", "/api/whoami", "", "Cookie", cookie); a.status != 200 || json.Unmarshal(a.body, &who) != nil || who["user"] != "desk.usa" {
		t.Errorf("whoami with the session: %s", a)
	}
	var p airbridge.Person
	if a := w.send(t, "", "GET", "/api/persons/p-usa", "", "Cookie", cookie); a.status != 200 || json.Unmarshal(a.body, &p) != nil || p.Surname != "SubjectUSA" {
		t.Errorf("a coordinator of USA reading p-usa by session: %s", a)
	}

	// A change needs the session's CSRF token.
	reg := `{"nation":"USA","surname":"Desk","nationality":"AFG","category":"at_risk"}`
	before := w.events(t)
	for _, csrf := range []string{"", "wrong", in.CSRF + "x"} {
		a := w.send(t, "", "POST", "/api/persons", reg, "Cookie", cookie, CSRFHeader, csrf)
		if e := w.wantRefused(t, a, "desk.usa", auth.Coordinator, "POST", "/api/persons"); !strings.Contains(e.Message, CSRFHeader) {
			t.Errorf("refused without CSRF token: %q does not say why", e.Message)
		}
	}
	if after := w.events(t); after != before {
		t.Errorf("requests without the CSRF token changed the ledger")
	}
	a = w.send(t, "", "POST", "/api/persons", reg, "Cookie", cookie, CSRFHeader, in.CSRF)
	if a.status != http.StatusCreated {
		t.Fatalf("a registration with the session and its CSRF token: %s", a)
	}
	w.noneDenied(t, "a registration with the CSRF token")
	es, _ := w.db.Events(context.Background(), before, 100)
	if len(es) == 0 || es[0].Actor != "desk.usa" {
		t.Errorf("events of the registration by session: %+v, want actor desk.usa", es)
	}
	// A session is no way round the nation: a coordinator of USA registers
	// no German.
	a = w.send(t, "", "POST", "/api/persons", strings.Replace(reg, "USA", "DEU", 1), "Cookie", cookie, CSRFHeader, in.CSRF)
	w.wantForbidden(t, a, "desk.usa", auth.Coordinator, "POST", "/api/persons")

	// Logout needs the CSRF token too, and ends the session.
	w.wantRefused(t, w.send(t, "", "POST", "/api/logout", "", "Cookie", cookie), "desk.usa", auth.Coordinator, "POST", "/api/logout")
	if a := w.send(t, "", "GET", "/api/whoami", "", "Cookie", cookie); a.status != 200 {
		t.Errorf("a refused logout ended the session: %s", a)
	}
	a = w.send(t, "", "POST", "/api/logout", "", "Cookie", cookie, CSRFHeader, in.CSRF)
	if c := cookieOf(a); a.status != 200 || c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("logout: %s, cookie %+v, want 200 and the cookie cleared", a, c)
	}
	if es := w.newAudit(t); len(es) != 1 || es[0].Action != "logout" || es[0].Actor != "desk.usa" {
		t.Errorf("audit after logout: %+v", es)
	}
	for _, r := range [][2]string{{"GET", "/api/whoami"}, {"GET", "/api/persons/p-usa"}, {"POST", "/api/logout"}} {
		if a := w.send(t, "", r[0], r[1], "", "Cookie", cookie, CSRFHeader, in.CSRF); a.status != http.StatusUnauthorized {
			t.Errorf("%s %s after logout: %s, want 401", r[0], r[1], a)
		}
	}
	if a := w.send(t, "", "GET", "/api/whoami", "", "Cookie", SessionCookie+"=abs_nonsense"); a.status != http.StatusUnauthorized {
		t.Errorf("a malformed session cookie: %s, want 401", a)
	}
}

func TestRevokedToken(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	ctx := context.Background()
	w.get(t, "gate_agent.usa", "/api/pipeline", nil)
	if err := w.db.RevokeToken(ctx, w.tokenIDs["gate_agent.usa"], "test"); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]string{{"GET", "/api/pipeline"}, {"GET", "/api/whoami"}, {"POST", "/api/scans"}} {
		if a := w.send(t, "gate_agent.usa", r[0], r[1], `{"person_id":"p-usa","site":"gate1"}`); a.status != http.StatusUnauthorized || a.err(t).Code != airbridge.EUNAUTHENTICATED {
			t.Errorf("%s %s with a revoked token: %s, want 401", r[0], r[1], a)
		}
	}
	// A disabled user's tokens stop working too.
	if err := w.db.DisableUser(ctx, "planner.usa", "test"); err != nil {
		t.Fatal(err)
	}
	if a := w.send(t, "planner.usa", "GET", "/api/flights", ""); a.status != http.StatusUnauthorized {
		t.Errorf("a disabled user's token: %s, want 401", a)
	}
	// Others are unaffected.
	w.get(t, "gate_agent.deu", "/api/pipeline", nil)
	var failed int
	for _, e := range w.newAudit(t) {
		if e.Action == "auth.failed" {
			failed++
		}
	}
	if failed != 4 {
		t.Errorf("%d auth.failed audit entries, want 4", failed)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{RatePerSecond: 1, RateBurst: 2}, false)
	var last answer
	n := 0
	for ; n < 10; n++ {
		last = w.send(t, "gate_agent.usa", "GET", "/api/pipeline", "")
		if last.status != http.StatusOK {
			break
		}
	}
	if n < 1 || n > 2 || last.status != http.StatusTooManyRequests {
		t.Fatalf("after %d requests at once with a burst of 2: %s, want 429", n, last)
	}
	if e := last.err(t); e.Code != airbridge.ERATELIMITED {
		t.Errorf("rate limited: code %q", e.Code)
	}
	if s, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", last.header.Get("Retry-After"))
	}
	// The limit is per token.
	if a := w.send(t, "gate_agent.deu", "GET", "/api/pipeline", ""); a.status != http.StatusOK {
		t.Errorf("another token: %s, want 200", a)
	}
	// Logins have limits of their own (TestLoginLimits).
	if a := w.send(t, "", "POST", "/api/login", mustJSON(map[string]string{"user": "desk.usa", "password": deskPassword})); a.status != http.StatusOK {
		t.Errorf("a login from the address of a limited token: %s, want 200", a)
	}
}

// failedAuth counts the auth.failed entries since the last look.
func (w *authzWorld) failedAuth(t *testing.T) int {
	t.Helper()
	n := 0
	for _, e := range w.newAudit(t) {
		if e.Action == "auth.failed" {
			n++
		}
	}
	return n
}

// wantTooMany checks that a is a 429 with a Retry-After of whole seconds.
func wantTooMany(t *testing.T, what string, a answer) {
	t.Helper()
	if a.status != http.StatusTooManyRequests || a.err(t).Code != airbridge.ERATELIMITED {
		t.Errorf("%s: %s, want 429", what, a)
	}
	if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("%s: Retry-After %q, want whole seconds", what, a.header.Get("Retry-After"))
	}
}

// A refill of a token an hour: the limits under test do not move while it
// runs.
const hourly = 1.0 / 3600

func TestBadCredentialsLimited(t *testing.T) {
	t.Parallel()
	const burst = 3
	w := newAuthzWorld(t, Options{}, false, func(s *Server) { s.failures = auth.NewLimiter(hourly, burst) })
	w.newAudit(t)
	unknown, _, _, _ := auth.NewToken()
	for range burst {
		if a := w.send(t, "", "GET", "/api/pipeline", "", "Authorization", "Bearer "+unknown); a.status != http.StatusUnauthorized {
			t.Fatalf("an unknown token: %s, want 401", a)
		}
	}
	if n := w.failedAuth(t); n != burst {
		t.Errorf("%d auth.failed entries for %d refused tokens", n, burst)
	}
	// Beyond the limit: 429, and nothing written, for tokens and sessions.
	session, _, _, _ := auth.NewSession()
	wantTooMany(t, "an unknown token over the limit", w.send(t, "", "GET", "/api/pipeline", "", "Authorization", "Bearer "+unknown))
	wantTooMany(t, "an unknown session over the limit", w.send(t, "", "GET", "/api/pipeline", "", "Cookie", SessionCookie+"="+session))
	if es := w.newAudit(t); len(es) != 0 {
		t.Errorf("refusals over the limit were written: %+v", es)
	}
	// Good credentials from the same address are not limited by it.
	w.get(t, "gate_agent.usa", "/api/pipeline", nil)
}

func TestLoginLimits(t *testing.T) {
	t.Parallel()
	// The address makes byIP attempts below before the one refused: a
	// login, byUser attempts of desk.usa (the last refused by its own
	// limit) and one of an invalid name.
	const byIP, byUser = 4, 2
	w := newAuthzWorld(t, Options{RatePerSecond: hourly, RateBurst: 1}, false, func(s *Server) {
		s.loginsByIP = auth.NewLimiter(hourly, byIP)
		s.loginsByUser = auth.NewLimiter(hourly, byUser)
	})
	login := func(user, password string) answer {
		return w.send(t, "", "POST", "/api/login", mustJSON(map[string]string{"user": user, "password": password}))
	}
	w.newAudit(t)
	// The API's limit does not count logins, nor they it.
	w.get(t, "gate_agent.usa", "/api/whoami", nil)
	wantTooMany(t, "a token over the API's limit", w.send(t, "gate_agent.usa", "GET", "/api/whoami", ""))
	w.login(t, "desk.usa", deskPassword)

	// Per user name: the rest of desk.usa's burst, then 429 unrecorded.
	for range byUser - 1 {
		if a := login("desk.usa", "wrong password!"); a.status != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %s, want 401", a)
		}
	}
	wantTooMany(t, "desk.usa over its limit", login("desk.usa", deskPassword))
	if es := w.newAudit(t); len(es) != byUser {
		t.Errorf("audit after %d logins of desk.usa, %d of them limited: %+v", byUser+1, 1, es)
	}
	// Per address: every attempt counts, whatever the name; a request that
	// is not an attempt (no password) does not.
	if a := w.send(t, "", "POST", "/api/login", `{"user":"nobody"}`); a.status != http.StatusUnprocessableEntity {
		t.Errorf("a login without a password: %s, want 422", a)
	}
	if a := login("Not A Name", "whatever it is"); a.status != http.StatusUnauthorized {
		t.Errorf("an invalid name: %s, want 401", a)
	}
	wantTooMany(t, "an address over its limit", login("nobody", deskPassword))
	if es := w.newAudit(t); len(es) != 1 || es[0].Target != unknownUser {
		t.Errorf("audit after the address's last attempts: %+v", es)
	}
}

func TestLoginWaitsForHashing(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	// Every slot is taken: a login waits.
	for range maxHashing {
		w.s.hashing <- struct{}{}
	}
	body := mustJSON(map[string]string{"user": "desk.usa", "password": deskPassword})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", w.srv.URL+"/api/login", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := w.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a login with every slot taken was answered: %s", resp.Status)
	}
	// The login whose client went away gave up waiting: the server
	// answered it.
	gaveUp := func() uint64 {
		w.s.metrics.mu.Lock()
		defer w.s.metrics.mu.Unlock()
		return w.s.metrics.requests[routeKey{"POST /api/login", http.StatusTooManyRequests}]
	}
	for deadline := time.Now().Add(10 * time.Second); gaveUp() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the login whose client went away is still waiting for a slot")
		}
	}
	// One waiting now gets the first slot released.
	done := make(chan answer)
	go func() { done <- w.send(t, "", "POST", "/api/login", body) }()
	select {
	case a := <-done:
		t.Fatalf("a login with every slot taken: %s", a)
	case <-time.After(200 * time.Millisecond):
	}
	<-w.s.hashing
	if a := <-done; a.status != http.StatusOK {
		t.Errorf("the login after a slot was released: %s", a)
	}
	for range maxHashing - 1 {
		<-w.s.hashing
	}
	if n := len(w.s.hashing); n != 0 {
		t.Errorf("%d slots still taken after every login ended", n)
	}
	if es := w.newAudit(t); slices.ContainsFunc(es, func(e auth.AuditEntry) bool { return e.Outcome == "denied" }) {
		t.Errorf("the abandoned login was recorded as refused: %+v", es)
	}
}

func TestSessionsShareTheirUsersRate(t *testing.T) {
	t.Parallel()
	const burst = 2
	w := newAuthzWorld(t, Options{RatePerSecond: hourly, RateBurst: burst}, false)
	first, _ := w.login(t, "desk.usa", deskPassword)
	second, _ := w.login(t, "desk.usa", deskPassword)
	for range burst {
		if a := w.send(t, "", "GET", "/api/whoami", "", "Cookie", first); a.status != http.StatusOK {
			t.Fatalf("a session within its user's burst: %s", a)
		}
	}
	wantTooMany(t, "a fresh session of a user over its limit", w.send(t, "", "GET", "/api/whoami", "", "Cookie", second))
	// A token keeps a bucket of its own, even of the same user.
	if a := w.send(t, "desk.usa", "GET", "/api/whoami", ""); a.status != http.StatusOK {
		t.Errorf("desk.usa's token while its sessions are limited: %s", a)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	for _, c := range []struct{ user, method, path string }{
		{"", "GET", "/healthz"},
		{"", "GET", "/api/pipeline"},                    // 401
		{"gate_agent.usa", "GET", "/api/persons/p-usa"}, // 200 with personal data
		{"gate_agent.usa", "GET", "/api/audit"},         // 403
		{"gate_agent.usa", "GET", "/api/nothing"},       // 404
		{"planner.usa", "POST", "/api/flights/F-USA/boarding"},
	} {
		a := w.send(t, c.user, c.method, c.path, "")
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
			"Referrer-Policy":        "no-referrer",
		} {
			if got := a.header.Get(h); got != want {
				t.Errorf("%s %s (%d): %s = %q, want %q", c.method, c.path, a.status, h, got, want)
			}
		}
		if csp := a.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: Content-Security-Policy %q", c.method, c.path, csp)
		}
		if a.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: Strict-Transport-Security over plain HTTP", c.method, c.path)
		}
	}
}

// ---------------------------------------------------------------------------
// Destroying a nation's data key

func TestDestroyKey(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	const path = "/api/keys/destroy"
	body := `{"nation":"USA"}`
	w.newAudit(t)
	deny := func(what string, a answer, user string) {
		t.Helper()
		if a.status != http.StatusForbidden || a.err(t).Code != airbridge.EFORBIDDEN {
			t.Errorf("%s: %s, want 403", what, a)
		}
		w.wantDenied(t, user, "POST", path)
	}
	deny("without a second commander", w.send(t, "commander.usa", "POST", path, body), "commander.usa")
	deny("confirmed by the same commander", w.send(t, "commander.usa", "POST", path, body,
		ConfirmHeader, w.tokens["commander.usa"]), "commander.usa")
	deny("confirmed by the same commander, as Bearer", w.send(t, "commander.usa", "POST", path, body,
		ConfirmHeader, "Bearer "+w.tokens["commander.usa"]), "commander.usa")
	deny("confirmed by a planner", w.send(t, "commander.usa", "POST", path, body,
		ConfirmHeader, w.tokens["planner.coalition"]), "commander.usa")
	deny("confirmed by a commander of another nation", w.send(t, "commander.usa", "POST", path, body,
		ConfirmHeader, w.tokens["commander.deu"]), "commander.usa")
	deny("confirmed by a malformed token", w.send(t, "commander.usa", "POST", path, body,
		ConfirmHeader, "abt_nonsense"), "commander.usa")
	w.wantForbidden(t, w.send(t, "commander.deu", "POST", path, body, ConfirmHeader, w.tokens["commander.coalition"]),
		"commander.deu", auth.Commander, "POST", path)
	var p airbridge.Person
	w.get(t, "coordinator.usa", "/api/persons/p-usa", &p)
	if p.Surname != "SubjectUSA" {
		t.Fatalf("after refused destructions, USA's data is gone: %+v", p)
	}

	a := w.send(t, "commander.usa", "POST", path, body, ConfirmHeader, w.tokens["commander.coalition"])
	if a.status != http.StatusOK {
		t.Fatalf("destroy confirmed by a second commander: %s", a)
	}
	var out map[string]string
	json.Unmarshal(a.body, &out)
	if out["nation"] != "USA" || out["status"] != "destroyed" || !strings.Contains(out["destroyed_by"], "commander.usa") ||
		!strings.Contains(out["destroyed_by"], "commander.coalition") {
		t.Errorf("destroy answered %s", a)
	}
	var destroyed []auth.AuditEntry
	for _, e := range w.newAudit(t) {
		if e.Action == "key.destroy" {
			destroyed = append(destroyed, e)
		}
	}
	if len(destroyed) != 1 || destroyed[0].Target != "USA" || !strings.Contains(destroyed[0].Actor, "commander.coalition") {
		t.Errorf("key.destroy audit entries: %+v", destroyed)
	}

	// USA's people are redacted for everyone, their own staff included.
	for _, id := range []string{"p-usa", "m-usa-1", "x-usa-1"} {
		for _, user := range []string{"coordinator.usa", "manifest_officer.deu"} {
			var p airbridge.Person
			a := w.get(t, user, "/api/persons/"+id, &p)
			if f := personalFields(a.body); len(f) > 0 || !strings.Contains(p.Redacted, "destroyed") {
				t.Errorf("%s reading %s after USA's key was destroyed: %s", user, id, a)
			}
		}
	}
	var g airbridge.GroupView
	if a := w.get(t, "coordinator.usa", "/api/groups/g-usa", &g); g.Group.Name != "" || !strings.Contains(g.Group.Redacted, "destroyed") {
		t.Errorf("g-usa after USA's key was destroyed: %s", a)
	}
	if a := w.send(t, "coordinator.usa", "GET", "/api/persons?document=DOCUSA", ""); a.status != http.StatusNotFound {
		t.Errorf("finding a USA national by document after the key was destroyed: %s, want 404", a)
	}
	// DEU's are intact.
	p = airbridge.Person{}
	w.get(t, "coordinator.deu", "/api/persons/p-deu", &p)
	if p.Surname != "SubjectDEU" || p.Redacted != "" || len(p.Documents) != 1 {
		t.Errorf("p-deu after USA's key was destroyed: %+v", p)
	}
	var fv airbridge.FlightView
	w.get(t, "manifest_officer.deu", "/api/flights/F-DEU", &fv)
	for _, m := range fv.Manifest {
		if want := m.Nation == abroad; (m.Surname != "") != want || strings.Contains(m.Redacted, "destroyed") == want {
			t.Errorf("F-DEU's manifest after USA's key was destroyed: %+v", m)
		}
	}
	p = airbridge.Person{}
	w.get(t, "coordinator.deu", "/api/persons?document=DOCDEU", &p)
	if p.ID != "p-deu" || p.Surname != "SubjectDEU" {
		t.Errorf("finding p-deu by document: %+v", p)
	}

	// The server keeps serving, and DEU's work goes on.
	w.get(t, "", "/healthz", nil)
	w.get(t, "commander.coalition", "/api/pipeline", nil)
	w.get(t, "auditor.coalition", "/api/events?limit=10000", nil)
	// A second destruction finds no key.
	if a := w.send(t, "commander.usa", "POST", path, body, ConfirmHeader, w.tokens["commander.coalition"]); a.status != http.StatusNotFound {
		t.Errorf("destroying USA's key again: %s, want 404", a)
	}
	w.must(t, "gate_agent.deu", "POST", "/api/persons", `{"nation":"DEU","surname":"After","nationality":"AFG","category":"at_risk"}`)
	w.must(t, "gate_agent.coalition", "POST", "/api/scans", `{"person_id":"p-usa","site":"gate1"}`)
}
