package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"airbridge"
	"airbridge/auth"
	"airbridge/peertest"
	"airbridge/server"
	"airbridge/sqlite"
)

// The pages in a real browser: Debian's Chromium driven over the DevTools
// protocol. Skipped without Chromium, required with AIRBRIDGE_CI=1. The
// screenshots go to $AIRBRIDGE_ARTIFACTS (or a folder under the system's
// temporary directory), named after the step.

const browserPassword = "correct horse battery staple"

// browserRoles are the users the browser logs in as: every role, of USA.
var browserRoles = []struct {
	user string
	role auth.Role
	nav  []string // the navigation a user of the role is shown
}{
	{"gate.usa", auth.GateAgent, []string{"Overview", "Flights", "Gate desk", "Find a person"}},
	{"screener.usa", auth.Screener, []string{"Overview", "Flights", "Gate desk", "Screening & staging", "Find a person"}},
	{"coordinator.usa", auth.Coordinator, []string{"Overview", "Flights", "Screening & staging", "Find a person", "Withdrawal"}},
	{"manifest.usa", auth.ManifestOfficer, []string{"Overview", "Flights", "Gate desk", "Manifest desk", "Find a person"}},
	{"planner.usa", auth.Planner, []string{"Overview", "Flights", "Manifest desk", "Find a person", "Withdrawal"}},
	{"commander.usa", auth.Commander, []string{"Overview", "Flights", "Screening & staging", "Manifest desk", "Find a person", "Withdrawal"}},
	{"auditor.usa", auth.Auditor, []string{"Overview", "Flights", "Find a person", "Withdrawal"}},
}

type browserWorld struct {
	t     *testing.T
	url   string
	db    *sqlite.DB
	alloc context.Context
	shots string
}

func newBrowserWorld(t *testing.T) *browserWorld {
	t.Helper()
	chromium := peertest.Need(t, "chromium", "chromium")
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ui.db"), masterKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hash, err := auth.HashPassword(browserPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range browserRoles {
		if err := db.AddUser(ctx, auth.User{Name: u.user, Role: string(u.role), Nation: "USA", Password: hash}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	s := server.New(db, slog.New(slog.DiscardHandler), "test", server.Options{})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.StopStreams(); srv.Close() })

	shots := os.Getenv("AIRBRIDGE_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "airbridge-artifacts")
	}
	shots = filepath.Join(shots, "browser")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1024, 900))
	alloc, cancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancel)
	browser, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(cancelB)
	if err := chromedp.Do(browser); err != nil { // starts Chromium
		t.Fatalf("start %s: %v", chromium, err)
	}
	return &browserWorld{t: t, url: srv.URL, db: db, alloc: browser, shots: shots}
}

// exec runs commands on the ledger directly: the world's setup.
func (w *browserWorld) exec(cmds ...airbridge.Command) {
	w.t.Helper()
	for i, c := range cmds {
		_, err := w.db.Execute(context.Background(), airbridge.Submission{Command: c,
			Envelope: airbridge.Envelope{Actor: "setup", Key: fmt.Sprintf("setup-%d-%d", time.Now().UnixNano(), i)}})
		if err != nil {
			w.t.Fatalf("setup %T: %v", c, err)
		}
	}
}

// tab is one browser session, in a browser context of its own (its own
// cookies).
type tab struct {
	w    *browserWorld
	ctx  context.Context
	name string
}

func (w *browserWorld) tab(name string) *tab {
	w.t.Helper()
	ctx, cancel := chromedp.NewContext(w.alloc, chromedp.WithNewBrowserContext())
	w.t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	w.t.Cleanup(cancelT)
	return &tab{w: w, ctx: ctx, name: name}
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.w.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.shot("failed-" + what)
		b.w.t.Fatalf("%s: %s: %v", b.name, what, err)
	}
}

func (b *tab) text(sel string) string {
	b.w.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("failed-text")
		b.w.t.Fatalf("%s: text of %s: %v", b.name, sel, err)
	}
	return strings.TrimSpace(s)
}

// waitText waits until the element sel holds want and returns how long
// that took. A page that reloads meanwhile is looked at again.
func (b *tab) waitText(sel, want string, within time.Duration) time.Duration {
	b.w.t.Helper()
	start := time.Now()
	js := fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)
	got := ""
	for time.Since(start) < within {
		if s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js)); err == nil {
			if got = s; strings.Contains(got, want) {
				return time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.shot("failed-wait")
	b.w.t.Fatalf("%s: %s never held %q within %s (it holds %q)", b.name, sel, want, within, strings.Join(strings.Fields(got), " "))
	return 0
}

func (b *tab) shot(name string) {
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		b.w.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.w.shots, strings.ReplaceAll(b.name+"-"+name, "/", "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.w.t.Logf("screenshot %s: %v", name, err)
	}
}

func (b *tab) login(user string) {
	b.w.t.Helper()
	b.do("log in as "+user,
		chromedp.Navigate(b.w.url+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#user"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPassword),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#who")),
	)
}

// TestBrowserRoles logs in as each role: the overview shows, with the
// navigation the role may use, and the pages a role may not open say so.
func TestBrowserRoles(t *testing.T) {
	w := newBrowserWorld(t)
	seedBrowserWorld(w)
	for _, r := range browserRoles {
		b := w.tab(string(r.role))
		b.login(r.user)
		if got := b.text("h1"); got != "Overview" {
			t.Errorf("%s: landed on %q", r.user, got)
		}
		if got := b.text("#who"); !strings.Contains(got, r.user) || !strings.Contains(got, string(r.role)) {
			t.Errorf("%s: the header says %q", r.user, got)
		}
		nav, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("header nav a"), a => a.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(nav, "|") != strings.Join(r.nav, "|") {
			t.Errorf("%s: navigation %q, want %q", r.user, nav, r.nav)
		}
		b.shot("overview")
		if r.role == auth.Auditor {
			b.do("open the gate desk", chromedp.Navigate(w.url+"/ui/gate"), chromedp.WaitVisible(chromedp.CSS("#error")))
			if got := b.text("#error"); !strings.Contains(got, "may not") {
				t.Errorf("an auditor at the gate desk: %q", got)
			}
			b.shot("refused")
		}
		b.do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login")))
	}
}

// specimenFamily is the family the walk takes through: ICAO's specimen
// passport holder and her son, whose passport number is typed.
const specimenTD3Browser = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"

func seedBrowserWorld(w *browserWorld) {
	policy := airbridge.Policy{Name: "browser", Nations: []string{"USA", "DEU"}, Categories: airbridge.DefaultCategories()}
	w.exec(airbridge.ConfigureOperation{Policy: policy})
	for _, s := range []airbridge.Site{{ID: "gate1", Name: "Abbey Gate", Kind: airbridge.Gate}, {ID: "hold1", Name: "Holding", Kind: airbridge.Holding},
		{ID: "ramp1", Name: "Ramp", Kind: airbridge.Ramp}} {
		w.exec(airbridge.AddSite{Site: s})
	}
	person := func(id, surname, given, doc, birth string) airbridge.PersonInput {
		return airbridge.PersonInput{ID: id, Surname: surname, GivenNames: given, BirthDate: birth, Sex: "F", Nationality: "AFG",
			Category: "local_staff", Documents: []airbridge.Document{{Type: "passport", Number: doc, IssuingState: "AFG"}}}
	}
	w.exec(
		airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "fam", Nation: "USA", Persons: []airbridge.PersonInput{
			person("fam-1", "ERIKSSON", "ANNA MARIA", "L898902C3", "1974-08-12"), person("fam-2", "ERIKSSON", "NILS", "X7654321", "2010-05-05")}}},
		airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "late", Nation: "USA", Persons: []airbridge.PersonInput{
			person("late-1", "HAIDARI", "ZAHRA", "H1000001", "1990-01-02"), person("late-2", "HAIDARI", "OMID", "H1000002", "1991-02-03")}}},
		airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{ID: "F1", Callsign: "RCH871", Operator: "USA", Aircraft: "C-17",
			Seats: 10, Slot: time.Now().UTC().Add(40 * time.Minute), Destination: "Al Udeid"}},
	)
}

// TestBrowserWalk takes a family from the gate desk to departure through
// the pages, with a commander's overview open beside: it follows every
// step without a reload. The flight then closes under-filled while another
// family waits; the load guard's alert shows, and the departure goes with
// an override.
func TestBrowserWalk(t *testing.T) {
	w := newBrowserWorld(t)
	seedBrowserWorld(w)

	wall := w.tab("wall") // a wall screen
	wall.do("size the wall screen", chromedp.EmulateViewport(1920, 1080))
	wall.login("commander.usa")
	wall.waitText("#staged-count", "0", 5*time.Second)

	gate := w.tab("gate")
	gate.login("gate.usa")
	gate.do("open the gate desk", chromedp.Navigate(w.url+"/ui/gate"), chromedp.WaitVisible(chromedp.CSS("#mrz")))
	// The scanner types the MRZ; it goes by itself once complete.
	gate.do("scan the passport", chromedp.SendKeys(chromedp.CSS("#mrz"), specimenTD3Browser))
	gate.waitText("#gate-feedback", "fam-1 recorded: at gate", 5*time.Second)
	gate.waitText("#person-card", "ERIKSSON, ANNA MARIA", 5*time.Second)
	gate.shot("mrz-scanned")
	gate.do("type the son's passport", chromedp.SendKeys(chromedp.CSS("#mrz"), "X7654321"),
		chromedp.Click(chromedp.CSS(`#gate-scan button[type="submit"]`)))
	gate.waitText("#gate-feedback", "fam-2 recorded: at gate", 5*time.Second)
	// A misread passport is refused, naming the check.
	gate.do("scan a misread passport", chromedp.SendKeys(chromedp.CSS("#mrz"), strings.Replace(specimenTD3Browser, "L898902C36", "L898902C37", 1)))
	gate.waitText("#gate-feedback", "document_number", 5*time.Second)
	gate.shot("misread")

	screener := w.tab("screener")
	screener.login("screener.usa")
	for _, id := range []string{"fam-1", "fam-2"} {
		screener.do("open screening", chromedp.Navigate(w.url+"/ui/screening"), chromedp.WaitVisible(chromedp.CSS(`tr[data-person="`+id+`"]`)))
		if id == "fam-1" {
			screener.shot("waiting")
		}
		screener.do("clear "+id, chromedp.Click(chromedp.CSS(`tr[data-person="`+id+`"] button[value="cleared"]`)))
		screener.waitText(`tr[data-person="`+id+`"]`, "Done.", 5*time.Second)
	}

	gate.do("choose the holding area", chromedp.SetValue(chromedp.CSS("#site"), "hold1"))
	gate.do("scan at holding", chromedp.SendKeys(chromedp.CSS("#mrz"), specimenTD3Browser))
	gate.waitText("#gate-feedback", "fam-1 recorded: staged", 5*time.Second)
	wall.waitText("#staged-count", "1", 3*time.Second)
	gate.do("type the son's passport at holding", chromedp.SendKeys(chromedp.CSS("#mrz"), "X7654321"),
		chromedp.Click(chromedp.CSS(`#gate-scan button[type="submit"]`)))
	gate.waitText("#gate-feedback", "fam-2 recorded: staged", 5*time.Second)
	// The wall shows the family staged without a reload.
	took := wall.waitText("#staged-count", "2", 3*time.Second)
	t.Logf("the overview showed the staged family %s after the scan's answer", took.Round(time.Millisecond))
	wall.shot("overview-staged")

	officer := w.tab("manifest")
	officer.login("manifest.usa")
	officer.do("propose", chromedp.Navigate(w.url+"/ui/manifests"), chromedp.WaitVisible(chromedp.CSS("#propose")),
		chromedp.Click(chromedp.CSS("#propose")), chromedp.WaitVisible(chromedp.CSS("#proposal-table")))
	if got := officer.text("#proposal-table"); !strings.Contains(got, "F1") || !strings.Contains(got, "fam") {
		t.Fatalf("proposal: %q", got)
	}
	officer.shot("proposal")
	officer.do("publish", chromedp.Click(chromedp.CSS("#publish")))
	officer.waitText("#propose-feedback", "Published", 5*time.Second)

	officer.do("open the flight", chromedp.Navigate(w.url+"/ui/flights/F1"), chromedp.WaitVisible(chromedp.CSS("#act-boarding")),
		chromedp.Click(chromedp.CSS("#act-boarding")))
	officer.waitText("#flight-status", "boarding", 5*time.Second)
	officer.do("board the family", chromedp.WaitVisible(chromedp.CSS(`table[data-group="fam"] button`)),
		chromedp.Click(chromedp.CSS(`table[data-group="fam"] button`)))
	officer.waitText(`table[data-group="fam"] caption`, "2 boarded", 5*time.Second)
	officer.shot("boarded")

	// Another family reaches holding after the manifest was published.
	w.exec(airbridge.Scan{PersonID: "late-1", Site: "gate1"}, airbridge.Scan{PersonID: "late-2", Site: "gate1"},
		airbridge.Screen{PersonID: "late-1", Decision: airbridge.Cleared}, airbridge.Screen{PersonID: "late-2", Decision: airbridge.Cleared},
		airbridge.Scan{PersonID: "late-1", Site: "hold1"}, airbridge.Scan{PersonID: "late-2", Site: "hold1"})
	wall.waitText("#staged-count", "2", 3*time.Second)

	officer.do("close boarding", chromedp.Click(chromedp.CSS("#act-close")))
	officer.waitText("#flight-status", "closed", 5*time.Second)
	officer.waitText("#flight-alert", "2 of 10 seats", 5*time.Second)
	wall.waitText("#alert-count", "1", 3*time.Second)
	wall.waitText("#alerts", "F1", 3*time.Second)
	wall.shot("alert")

	// Departing without a reason is refused by the load guard.
	officer.do("depart", chromedp.Click(chromedp.CSS("#act-depart")))
	officer.waitText("#flight-actions", "load guard", 5*time.Second)
	officer.shot("refused")
	// From the manifest desk, with a reason, it goes.
	officer.do("override", chromedp.Navigate(w.url+"/ui/manifests"), chromedp.WaitVisible(chromedp.CSS("#override-F1")),
		chromedp.SendKeys(chromedp.CSS("#override-F1"), "the runway closes at dusk"),
		chromedp.Click(chromedp.CSS(`tr[data-flight="F1"] button.danger`)))
	officer.waitText(`tr[data-flight="F1"]`, "Done.", 5*time.Second)
	wall.waitText("#alert-count", "0", 3*time.Second)
	wall.waitText("#overview", "Persons waiting at the airport", 3*time.Second)
	wall.shot("departed")

	f, err := w.db.Flight(context.Background(), "F1")
	if err != nil || f.Flight.Status != airbridge.StatusDeparted || f.Flight.Carried != 2 {
		t.Fatalf("F1 after the walk: %+v, %v", f, err)
	}
}
