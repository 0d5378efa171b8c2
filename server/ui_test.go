package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"airbridge/auth"
)

// uiSecrets are the personal data of the authz world's persons: names,
// document numbers, group names and screening reasons.
var uiSecrets = []string{"SubjectUSA", "SubjectDEU", "ManifestedUSA", "ManifestedDEU", "Crossing",
	"DOCUSA", "DOCDEU", "MANUSA", "MANDEU", "CROSS1", "Family of USA", "Family of DEU",
	"papers of USA look altered", "papers of DEU look altered"}

// TestPagesShowOnlyWhatTheAPIShows: no page shows a user personal data that
// the JSON API would not show that user. For every user of every role and
// nation, what the API's person, history, group and flight answers reveal
// is the allowance; every page the user can open is then searched for each
// secret.
func TestPagesShowOnlyWhatTheAPIShows(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	persons := []string{"p-usa", "p-deu", "m-usa-1", "m-deu-1", "x-usa-1"}
	groups := []string{"g-usa", "g-deu", "m-usa", "m-deu", "x-usa"}
	var pages []string
	for _, p := range []string{"/ui/", "/ui/overview/live", "/ui/flights", "/ui/flights/F-USA", "/ui/flights/F-DEU", "/ui/gate",
		"/ui/screening", "/ui/manifests", "/ui/search?q=Subject", "/ui/search?q=Manifested", "/ui/search?q=Crossing",
		"/ui/search?q=DOCUSA", "/ui/search?q=DOCDEU", "/ui/search?q=CROSS1"} {
		pages = append(pages, p)
	}
	for _, id := range persons {
		pages = append(pages, "/ui/persons/"+id, "/ui/persons/"+id+"/card")
	}
	shownSomewhere := map[string]bool{}
	for _, role := range auth.Roles {
		for _, n := range []string{home, abroad, auth.Coalition} {
			user := userName(role, n)
			allowed := map[string]bool{}
			var api []string
			for _, id := range persons {
				api = append(api, "/api/persons/"+id, "/api/persons/"+id+"/history")
			}
			for _, g := range groups {
				api = append(api, "/api/groups/"+g)
			}
			api = append(api, "/api/flights/F-USA", "/api/flights/F-DEU")
			for _, path := range api {
				a := w.send(t, user, "GET", path, "")
				for _, s := range uiSecrets {
					if a.status == http.StatusOK && strings.Contains(string(a.body), s) {
						allowed[s] = true
					}
				}
			}
			for _, path := range pages {
				a := w.send(t, user, "GET", path, "", "Accept", "text/html")
				if q, ok := strings.CutPrefix(path, "/ui/search?q="); ok {
					a.body = []byte(strings.ReplaceAll(string(a.body), q, "(the query)")) // the user's own words
				}
				if a.status != http.StatusOK && a.status != http.StatusForbidden && a.status != http.StatusNotFound {
					t.Errorf("%s %s: %d", user, path, a.status)
				}
				if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s %s: Content-Type %q", user, path, ct)
				}
				for _, s := range uiSecrets {
					if strings.Contains(string(a.body), s) {
						if !allowed[s] {
							t.Errorf("%s %s shows %q, which the API does not show a %s of %s", user, path, s, role, n)
						}
						shownSomewhere[user+" "+s] = true
					}
				}
			}
		}
	}
	// The pages do show what a user may see: a gate agent of USA reads
	// USA's people, a manifest officer of DEU the USA passenger on its flight.
	for _, want := range []string{"gate_agent.usa SubjectUSA", "gate_agent.usa DOCUSA", "screener.usa papers of USA look altered",
		"coordinator.deu Family of DEU", "manifest_officer.deu Crossing"} {
		if !shownSomewhere[want] {
			t.Errorf("no page showed %s", strings.Replace(want, " ", " the secret ", 1))
		}
	}
	t.Logf("%d users × %d pages searched for %d secrets", len(auth.Roles)*3, len(pages), len(uiSecrets))
}

// TestPagesForBrowsers: a browser without a session is sent to the login,
// a refused page says why in HTML, and every page carries a policy that
// lets it run only its own script.
func TestPagesForBrowsers(t *testing.T) {
	t.Parallel()
	w := newAuthzWorld(t, Options{}, false)
	a := w.send(t, "", "GET", "/ui/flights/F-USA", "", "Accept", "text/html")
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/ui/login?next=%2Fui%2Fflights%2FF-USA" {
		t.Errorf("no session: %d, Location %q", a.status, a.header.Get("Location"))
	}
	a = w.send(t, "", "GET", "/ui/flights/F-USA", "")
	if a.status != http.StatusUnauthorized || a.err(t).Code != "unauthenticated" {
		t.Errorf("a script without credentials: %s", a)
	}
	a = w.send(t, userName(auth.Auditor, home), "GET", "/ui/gate", "", "Accept", "text/html")
	if a.status != http.StatusForbidden || !strings.Contains(string(a.body), `id="error"`) || !strings.Contains(string(a.body), "may not") {
		t.Errorf("an auditor at the gate desk: %s", a)
	}
	for _, path := range []string{"/ui/", "/ui/login", "/ui/flights"} {
		user := userName(auth.Commander, home)
		if path == "/ui/login" {
			user = ""
		}
		a := w.send(t, user, "GET", path, "", "Accept", "text/html")
		csp := a.header.Get("Content-Security-Policy")
		if a.status != http.StatusOK || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: %d, CSP %q", path, a.status, csp)
		}
		if strings.Contains(string(a.body), "<script>") || strings.Contains(string(a.body), " style=") || strings.Contains(string(a.body), " onclick=") {
			t.Errorf("%s has inline script or style, which its policy would block", path)
		}
	}
	// The login keeps a next page only if it is one of ours.
	for next, want := range map[string]string{"/ui/flights": "/ui/flights", "https://evil.example/": "/ui/", "//evil.example/ui/": "/ui/"} {
		a := w.send(t, "", "GET", "/ui/login?next="+next, "", "Accept", "text/html")
		if !strings.Contains(string(a.body), fmt.Sprintf(`data-next="%s"`, want)) {
			t.Errorf("login?next=%s: the page goes to %q", next, want)
		}
	}
}
