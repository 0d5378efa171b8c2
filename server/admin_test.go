package server

// User and token administration through the API (admin.go): what each route
// does, that a change takes effect on the very next request, that passwords
// and token secrets are shown once and never recorded, and the two-person
// rule of key destruction, which no commander may get round by making
// another. Who may call each route is also in the matrix of authz_test.go.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"airbridge"
	"airbridge/auth"
)

// login logs user in and returns the session's cookie header and CSRF token.
func (w *authzWorld) login(t *testing.T, user, password string) (cookie, csrf string) {
	t.Helper()
	a := w.send(t, "", "POST", "/api/login", mustJSON(map[string]string{"user": user, "password": password}))
	ck := cookieOf(a)
	if a.status != http.StatusOK || ck == nil {
		t.Fatalf("login %s: %s", user, a)
	}
	var in struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(a.body, &in); err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return SessionCookie + "=" + ck.Value, in.CSRF
}

// wantInvalid checks that a is a 422 naming field in its details.
func wantInvalid(t *testing.T, a answer, field string) airbridge.Error {
	t.Helper()
	e := a.err(t)
	if a.status != http.StatusUnprocessableEntity || e.Code != airbridge.EINVALID || e.Details["field"] != field {
		t.Errorf("got %s, want 422 invalid with details.field %q", a, field)
	}
	return e
}

// newAuditOf returns the entries since the last look whose action starts with
// prefix.
func (w *authzWorld) newAuditOf(t *testing.T, prefix string) []auth.AuditEntry {
	t.Helper()
	var es []auth.AuditEntry
	for _, e := range w.newAudit(t) {
		if strings.HasPrefix(e.Action, prefix) {
			es = append(es, e)
		}
	}
	return es
}

func TestUserAdmin(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	w.newAudit(t)

	// Without a password, a random one is made and shown once.
	a := w.send(t, "commander.usa", "POST", "/api/users", `{"name":"ops.usa","role":"gate_agent","nation":"USA"}`)
	var made map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &made) != nil {
		t.Fatalf("add a user: %s", a)
	}
	if made["name"] != "ops.usa" || made["role"] != "gate_agent" || made["nation"] != "USA" || len(made["password"]) < auth.MinPasswordLen {
		t.Errorf("add a user answered %s", a)
	}
	es := w.newAuditOf(t, "user.")
	if len(es) != 1 || es[0].Action != "user.add" || es[0].Actor != "commander.usa" || es[0].Target != "ops.usa" ||
		strings.Contains(mustJSON(es), made["password"]) {
		t.Errorf("audit of adding a user: %+v", es)
	}
	cookie, csrf := w.login(t, "ops.usa", made["password"])

	// A password given is never repeated.
	const given = "a password of my own"
	a = w.send(t, "commander.coalition", "POST", "/api/users", `{"name":"ops.coalition","role":"auditor","password":"`+given+`"}`)
	if a.status != http.StatusCreated || strings.Contains(string(a.body), "password") || !strings.Contains(string(a.body), `"coalition"`) {
		t.Errorf("add a coalition user with a password: %s", a)
	}
	if es := w.newAudit(t); strings.Contains(mustJSON(es), given) {
		t.Errorf("the audit log holds the password: %+v", es)
	}
	w.login(t, "ops.coalition", given)

	// Each field is checked, and named; nothing is added.
	for _, c := range []struct{ body, field string }{
		{`{"name":"Ops USA","role":"gate_agent","nation":"USA"}`, "name"},
		{`{"role":"gate_agent","nation":"USA"}`, "name"},
		{`{"name":"ops2.usa","role":"pilot","nation":"USA"}`, "role"},
		{`{"name":"ops2.usa","role":"gate_agent","nation":"usa"}`, "nation"},
		{`{"name":"ops2.usa","role":"gate_agent","nation":"USA","password":"tiny secret"}`, "password"},
		{`{"name":"ops2.usa","role":"gate_agent","nation":"USA","password":"` + strings.Repeat("p", auth.MaxPasswordLen+1) + `"}`, "password"},
	} {
		e := wantInvalid(t, w.send(t, "commander.usa", "POST", "/api/users", c.body), c.field)
		if strings.Contains(e.Message, "tiny secret") || strings.Contains(e.Message, "ppp") {
			t.Errorf("the refusal repeats the password: %q", e.Message)
		}
	}
	if a := w.send(t, "commander.usa", "POST", "/api/users", `{"name":"ops2.usa","role":"gate_agent","nation":"USA","extra":1}`); a.status != http.StatusBadRequest {
		t.Errorf("an unknown field: %s, want 400", a)
	}
	if a := w.send(t, "commander.usa", "POST", "/api/users", `{"name":"ops.usa","role":"screener","nation":"USA"}`); a.status != http.StatusConflict {
		t.Errorf("adding ops.usa again: %s, want 409", a)
	}
	if es := w.newAuditOf(t, "user."); len(es) != 0 {
		t.Errorf("refused additions were recorded as changes: %+v", es)
	}

	// A nation's commander adds users of its nation only; nobody adds a
	// commander.
	w.wantForbidden(t, w.send(t, "commander.usa", "POST", "/api/users", `{"name":"ops.deu","role":"gate_agent","nation":"DEU"}`),
		"commander.usa", auth.Commander, "POST", "/api/users")
	w.wantForbidden(t, w.send(t, "commander.usa", "POST", "/api/users", `{"name":"ops2.coalition","role":"gate_agent"}`),
		"commander.usa", auth.Commander, "POST", "/api/users")
	for _, user := range []string{"commander.usa", "commander.coalition"} {
		a := w.send(t, user, "POST", "/api/users", `{"name":"second.usa","role":"commander","nation":"USA"}`)
		if e := w.wantRefused(t, a, user, auth.Commander, "POST", "/api/users"); !strings.Contains(e.Message, "two commanders") {
			t.Errorf("adding a commander: refused with %q, which does not say why", e.Message)
		}
	}

	// The list shows no password hashes.
	var users []auth.User
	a = w.get(t, "auditor.deu", "/api/users", &users)
	if strings.Contains(string(a.body), "argon2") || strings.Contains(string(a.body), "password") {
		t.Errorf("the user list shows passwords: %s", a)
	}
	if !strings.Contains(string(a.body), `"ops.usa"`) || len(users) < len(auth.Roles)*3 {
		t.Errorf("the user list: %s", a)
	}

	// Disabling takes effect on the very next request, for its tokens and
	// its sessions alike.
	a = w.send(t, "commander.usa", "POST", "/api/tokens", `{"user":"ops.usa"}`)
	var issued map[string]string
	if a.status != http.StatusCreated || json.Unmarshal(a.body, &issued) != nil {
		t.Fatalf("issue a token: %s", a)
	}
	w.tokens["ops.usa"] = issued["token"]
	w.get(t, "ops.usa", "/api/whoami", nil)
	if a := w.send(t, "", "GET", "/api/whoami", "", "Cookie", cookie); a.status != http.StatusOK {
		t.Fatalf("ops.usa's session: %s", a)
	}
	w.newAudit(t)
	w.wantForbidden(t, w.send(t, "commander.deu", "POST", "/api/users/ops.usa/disable", ""),
		"commander.deu", auth.Commander, "POST", "/api/users/ops.usa/disable")
	if a := w.send(t, "commander.usa", "POST", "/api/users/ops.usa/disable", ""); a.status != http.StatusOK {
		t.Fatalf("disable ops.usa: %s", a)
	}
	if es := w.newAuditOf(t, "user."); len(es) != 1 || es[0].Action != "user.disable" || es[0].Actor != "commander.usa" || es[0].Target != "ops.usa" {
		t.Errorf("audit of disabling a user: %+v", es)
	}
	if a := w.send(t, "ops.usa", "GET", "/api/whoami", ""); a.status != http.StatusUnauthorized {
		t.Errorf("the token of a user just disabled: %s, want 401", a)
	}
	if a := w.send(t, "", "POST", "/api/persons", `{}`, "Cookie", cookie, CSRFHeader, csrf); a.status != http.StatusUnauthorized {
		t.Errorf("the session of a user just disabled: %s, want 401", a)
	}
	if a := w.send(t, "commander.usa", "POST", "/api/users/ops.usa/disable", ""); a.status != http.StatusConflict {
		t.Errorf("disabling ops.usa again: %s, want 409", a)
	}
	if a := w.send(t, "commander.usa", "POST", "/api/users/nobody/disable", ""); a.status != http.StatusNotFound {
		t.Errorf("disabling nobody: %s, want 404", a)
	}
}

func TestTokenAdmin(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	w.newAudit(t)
	issue := func(caller, body string) map[string]string {
		t.Helper()
		a := w.send(t, caller, "POST", "/api/tokens", body)
		var out map[string]string
		if a.status != http.StatusCreated || json.Unmarshal(a.body, &out) != nil || out["token"] == "" {
			t.Fatalf("issue a token as %s: %s", caller, a)
		}
		return out
	}

	// A token is shown once, works at once, and is listed without its
	// secret.
	tok := issue("commander.usa", `{"user":"gate_agent.usa","label":"tablet 7","ttl_hours":24}`)
	if tok["user"] != "gate_agent.usa" || tok["label"] != "tablet 7" || tok["expires"] == "" {
		t.Errorf("issued %v", tok)
	}
	w.tokens["tablet"] = tok["token"]
	var who map[string]string
	w.get(t, "tablet", "/api/whoami", &who)
	if who["user"] != "gate_agent.usa" {
		t.Errorf("the new token acts as %v", who)
	}
	if es := w.newAuditOf(t, "token."); len(es) != 1 || es[0].Action != "token.issue" || es[0].Actor != "commander.usa" ||
		es[0].Target != tok["id"] || strings.Contains(mustJSON(es), tok["token"]) {
		t.Errorf("audit of issuing a token: %+v", es)
	}
	var listed []auth.Token
	a := w.get(t, "auditor.usa", "/api/tokens?user=gate_agent.usa", &listed)
	if len(listed) != 2 || listed[1].ID != tok["id"] || listed[1].Label != "tablet 7" || listed[1].Expires == "" ||
		strings.Contains(string(a.body), tok["token"][len(tok["token"])-20:]) {
		t.Errorf("gate_agent.usa's tokens: %s", a)
	}

	// Each field is checked, and named.
	for _, c := range []struct{ body, field string }{
		{`{"user":"Gate Agent"}`, "user"},
		{`{"user":"gate_agent.usa","label":"bell\u0007"}`, "label"},
		{`{"user":"gate_agent.usa","label":"` + strings.Repeat("l", maxHeaderLen+1) + `"}`, "label"},
		{`{"user":"gate_agent.usa","ttl_hours":-1}`, "ttl_hours"},
		{`{"user":"gate_agent.usa","ttl_hours":999999}`, "ttl_hours"},
	} {
		wantInvalid(t, w.send(t, "commander.usa", "POST", "/api/tokens", c.body), c.field)
	}
	if a := w.send(t, "commander.usa", "POST", "/api/tokens", `{"user":"nobody"}`); a.status != http.StatusNotFound {
		t.Errorf("a token for nobody: %s, want 404", a)
	}
	if es := w.newAuditOf(t, "token."); len(es) != 0 {
		t.Errorf("refused issues were recorded as changes: %+v", es)
	}

	// A nation's commander issues tokens to its nation's users only, and no
	// commander to another: that would be two commanders in one hand.
	w.wantForbidden(t, w.send(t, "commander.deu", "POST", "/api/tokens", `{"user":"gate_agent.usa"}`),
		"commander.deu", auth.Commander, "POST", "/api/tokens")
	w.wantForbidden(t, w.send(t, "commander.usa", "POST", "/api/tokens", `{"user":"gate_agent.coalition"}`),
		"commander.usa", auth.Commander, "POST", "/api/tokens")
	a = w.send(t, "commander.coalition", "POST", "/api/tokens", `{"user":"commander.usa"}`)
	if e := w.wantRefused(t, a, "commander.coalition", auth.Commander, "POST", "/api/tokens"); !strings.Contains(e.Message, "two commanders") {
		t.Errorf("a token for another commander: refused with %q, which does not say why", e.Message)
	}
	own := issue("commander.usa", `{"user":"commander.usa"}`)
	if own["expires"] != "" {
		t.Errorf("a token without ttl_hours expires: %v", own)
	}
	w.newAudit(t)

	// Revocation takes effect on the very next request; again is 409.
	w.wantForbidden(t, w.send(t, "commander.deu", "DELETE", "/api/tokens/"+tok["id"], ""),
		"commander.deu", auth.Commander, "DELETE", "/api/tokens/"+tok["id"])
	w.wantForbidden(t, w.send(t, "gate_agent.deu", "DELETE", "/api/tokens/"+tok["id"], ""),
		"gate_agent.deu", auth.GateAgent, "DELETE", "/api/tokens/"+tok["id"])
	if a := w.send(t, "commander.usa", "DELETE", "/api/tokens/"+tok["id"], ""); a.status != http.StatusOK {
		t.Fatalf("revoke the tablet's token: %s", a)
	}
	if a := w.send(t, "tablet", "GET", "/api/whoami", ""); a.status != http.StatusUnauthorized {
		t.Errorf("a token just revoked: %s, want 401", a)
	}
	w.get(t, "gate_agent.usa", "/api/whoami", nil) // the user's other token still works
	if a := w.send(t, "commander.usa", "DELETE", "/api/tokens/"+tok["id"], ""); a.status != http.StatusConflict {
		t.Errorf("revoking it again: %s, want 409", a)
	}
	if a := w.send(t, "commander.usa", "DELETE", "/api/tokens/nosuchtoken", ""); a.status != http.StatusNotFound {
		t.Errorf("revoking no token: %s, want 404", a)
	}
	if es := w.newAuditOf(t, "token."); len(es) != 1 || es[0].Action != "token.revoke" || es[0].Actor != "commander.usa" || es[0].Target != tok["id"] {
		t.Errorf("audit of revoking a token: %+v", es)
	}

	// Every caller may revoke its own token, whatever its role.
	for _, user := range []string{"gate_agent.deu", "auditor.coalition"} {
		id := w.tokenIDs[user]
		if a := w.send(t, user, "DELETE", "/api/tokens/"+id, ""); a.status != http.StatusOK {
			t.Errorf("%s revoking its own token: %s", user, a)
		}
		if es := w.newAuditOf(t, "token."); len(es) != 1 || es[0].Actor != user || es[0].Target != id {
			t.Errorf("audit of %s revoking its own token: %+v", user, es)
		}
		if a := w.send(t, user, "GET", "/api/whoami", ""); a.status != http.StatusUnauthorized {
			t.Errorf("%s's token after revoking it: %s, want 401", user, a)
		}
	}
	// A browser session revokes its user's tokens, with its CSRF token.
	cookie, csrf := w.login(t, "desk.usa", deskPassword)
	id := w.tokenIDs["desk.usa"]
	w.wantRefused(t, w.send(t, "", "DELETE", "/api/tokens/"+id, "", "Cookie", cookie),
		"desk.usa", auth.Coordinator, "DELETE", "/api/tokens/"+id)
	if a := w.send(t, "", "DELETE", "/api/tokens/"+id, "", "Cookie", cookie, CSRFHeader, csrf); a.status != http.StatusOK {
		t.Errorf("desk.usa revoking its token by session: %s", a)
	}
}
