package server_test

// The manifest desk through the API: proposals and publication, standby
// lists and their backfill at boarding close, boarding passes, and the load
// guard end to end — the alert as an event, in GET /api/alerts and on the
// server-sent event stream, and a departure refused until overridden.

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"airbridge"
	"airbridge/server"
)

// loadingWorld is a server whose policy keeps the default load guard (90%),
// with sites gate1, hold1, ramp1 and the staged groups of sizes, all of
// USA, each named g<i> with members g<i>-1 …, category by the map (default
// local_staff).
func loadingWorld(t *testing.T, sizes map[string]int, categories map[string]string) *api {
	t.Helper()
	a := newAPI(t)
	a.post("POST /api/operation", js(obj{"policy": obj{
		"name": "Kabul load guard", "nations": []string{"DEU", "USA"}, "categories": airbridge.DefaultCategories(),
	}}))
	for _, s := range []obj{{"id": "gate1", "kind": "gate"}, {"id": "hold1", "kind": "holding"}, {"id": "ramp1", "kind": "ramp"}} {
		a.post("POST /api/sites", js(s))
	}
	for _, g := range slices.Sorted(func(yield func(string) bool) {
		for k := range sizes {
			if !yield(k) {
				return
			}
		}
	}) {
		cat := categories[g]
		if cat == "" {
			cat = "local_staff"
		}
		var persons []obj
		for i := 1; i <= sizes[g]; i++ {
			id := g + "-" + string(rune('0'+i))
			persons = append(persons, person(id, "D"+strings.ToUpper(id), cat))
		}
		a.post("POST /api/groups", js(obj{"id": g, "nation": "USA", "persons": persons}))
		for i := 1; i <= sizes[g]; i++ {
			a.stage(g + "-" + string(rune('0'+i)))
		}
	}
	return a
}

// stream subscribes to the event stream as user and sends each event's type
// and data on the returned channel until the test ends.
func (a *api) stream(user, query string) <-chan airbridge.Event {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", a.url+"/api/events/stream"+query, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		a.t.Fatalf("event stream: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	out := make(chan airbridge.Event, 1000)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e airbridge.Event
				if json.Unmarshal([]byte(data), &e) == nil {
					out <- e
				}
			}
		}
	}()
	return out
}

// await returns the first event of type typ on c, failing after 5 s.
func await(t *testing.T, c <-chan airbridge.Event, typ string) airbridge.Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-c:
			if e.Type == typ {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event on the stream within 5 s", typ)
		}
	}
}

func groupsOn(t *testing.T, a *api, flight string) map[string]string {
	t.Helper()
	var v airbridge.FlightView
	a.as("gate.usa").get("/api/flights/"+flight, &v)
	seats := map[string]string{}
	for _, p := range v.Manifest {
		seats[p.ID] = string(p.Stage) + "@" + p.Seat
	}
	return seats
}

func TestProposeAndPublish(t *testing.T) {
	t.Parallel()
	// 12 seats; 15 people wait: the optimizer carries the own citizens
	// (weight 8) before the at-risk (2) and leaves the rest to stand by.
	a := loadingWorld(t, map[string]int{"g1": 4, "g2": 4, "g3": 3, "g4": 4}, map[string]string{"g1": "own_citizen", "g4": "at_risk"})
	a.post("POST /api/flights", flightBody("F1", 12))

	var pr server.ProposalView
	decode(t, a.as("manifest").request("POST", "/api/manifests/propose", "", `{"flights":["F1"]}`), &pr)
	if len(pr.Flights) != 1 || pr.Flights[0].FlightID != "F1" || pr.Flights[0].Load != 11 {
		t.Fatalf("proposal %+v", pr.Proposal)
	}
	fp := pr.Flights[0]
	if !slices.Equal(fp.Groups, []string{"g1", "g2", "g3"}) || !slices.Equal(fp.Added, fp.Groups) || !slices.Equal(fp.Standby, []string{"g4"}) {
		t.Errorf("flight proposal %+v", fp)
	}
	if pr.Objective != 4*8+4*4+3*4 || pr.Bound < pr.Objective || pr.Gap < 0 || pr.Gap > 0.005 || pr.Candidates != 4 {
		t.Errorf("objective %v bound %v gap %v candidates %d", pr.Objective, pr.Bound, pr.Gap, pr.Candidates)
	}
	if pr.UnassignedGroups != 1 || pr.UnassignedPersons != 4 {
		t.Errorf("unassigned %d groups, %d persons", pr.UnassignedGroups, pr.UnassignedPersons)
	}
	// Proposing writes nothing.
	if n := len(a.events()); n == 0 {
		t.Fatal("no events")
	} else if decode(t, a.as("manifest").request("POST", "/api/manifests/propose", "", `{}`), &pr); len(a.events()) != n {
		t.Error("a proposal changed the ledger")
	}
	wantError(t, a.as("manifest").request("POST", "/api/manifests/propose", "", `{"flights":["NOF"]}`), 404, airbridge.ENOTFOUND)
	wantError(t, a.as("manifest").request("POST", "/api/manifests/propose", "", `{"flights":"F1"}`), 422, airbridge.EINVALID)

	// Published as proposed: seats numbered in the order of the manifest.
	body, _ := json.Marshal(obj{"flights": []obj{{"flight_id": "F1", "groups": fp.Groups, "standby": fp.Standby}}})
	a.cmd("POST /api/manifests/publish", string(body))
	seats := groupsOn(t, a, "F1")
	if seats["g1-1"] != "manifested@1" || seats["g3-3"] != "manifested@11" || len(seats) != 11 {
		t.Errorf("manifest after publication: %v", seats)
	}
	var fv airbridge.FlightView
	a.get("/api/flights/F1", &fv)
	if !slices.Equal(fv.Flight.Standby, []string{"g4"}) {
		t.Errorf("standby %v", fv.Flight.Standby)
	}
	// A second proposal keeps the published manifest and adds nobody.
	decode(t, a.as("manifest").request("POST", "/api/manifests/propose", "", `{"flights":["F1"]}`), &pr)
	if fp := pr.Flights[0]; len(fp.Added) != 0 || fp.Load != 11 {
		t.Errorf("second proposal %+v", fp)
	}

	var pass server.BoardingPass
	a.as("gate.usa").get("/api/persons/g1-1/boarding-pass", &pass)
	if pass.Seat != "1" || pass.FlightID != "F1" || pass.Callsign != "RCH871" || pass.Surname == "" {
		t.Errorf("boarding pass %+v", pass)
	}
	pass = server.BoardingPass{}
	a.as("manifest").get("/api/persons/g2-1/boarding-pass", &pass)
	if pass.Seat != "5" || pass.Surname != "" || pass.Redacted == "" {
		t.Errorf("boarding pass for a coalition manifest officer %+v", pass)
	}
	wantError(t, a.as("gate.usa").request("GET", "/api/persons/g4-1/boarding-pass", "", ""), 409, airbridge.ECONFLICT)

	// The pass as a document, for those who may see the name on it.
	r := a.as("gate.usa").request("GET", "/api/persons/g1-1/boarding-pass?format=text", "", "")
	if r.status != 200 || !strings.HasPrefix(string(r.body), "M1HAIDARI/TEST G1-1") {
		t.Errorf("BCBP pass: %s", r)
	}
	for _, f := range []string{"png", "qr", "pdf"} {
		if r := a.as("gate.usa").request("GET", "/api/persons/g1-1/boarding-pass?format="+f, "", ""); r.status != 200 || len(r.body) < 100 {
			t.Errorf("%s pass: %d", f, r.status)
		}
	}
	if r, err := a.send("manifest", "GET", "/api/persons/g1-1/boarding-pass?format=pdf", "", ""); err != nil || r.status != 403 {
		t.Errorf("a printed pass for a caller who may not see the name: %v %s", err, r)
	}
	wantError(t, a.as("gate.usa").request("GET", "/api/persons/g1-1/boarding-pass?format=gif", "", ""), 422, airbridge.EINVALID)

	// The manifest as a document: a coalition manifest officer sees no names,
	// so the CSV has none and PAXLST, which needs them, is refused.
	r = a.as("manifest").request("GET", "/api/flights/F1/manifest?format=csv", "", "")
	if r.status != 200 || !strings.HasPrefix(string(r.body), "seat,person_id") || strings.Contains(string(r.body), "Haidari") || strings.Count(string(r.body), "\n") != 12 {
		t.Errorf("CSV manifest: %s", r)
	}
	wantError(t, a.as("manifest").request("GET", "/api/flights/F1/manifest?format=paxlst", "", ""), 409, airbridge.ECONFLICT)
	wantError(t, a.as("manifest").request("GET", "/api/flights/F1/manifest?format=doc", "", ""), 422, airbridge.EINVALID)
}

// TestBackfillThroughAPI: at boarding close, the groups that did not board
// are no-shows, back in staged, and the standby groups take their seats in
// priority order, not in the order listed.
func TestBackfillThroughAPI(t *testing.T) {
	t.Parallel()
	a := loadingWorld(t, map[string]int{"g1": 3, "g2": 3, "g3": 2, "g4": 2, "g5": 2},
		map[string]string{"g4": "own_citizen", "g3": "third_country"})
	a.post("POST /api/flights", flightBody("F1", 8))
	a.cmd("POST /api/manifests/publish", `{"flights":[{"flight_id":"F1","groups":["g1","g2"]}]}`)
	a.cmd("POST /api/flights/{id}/standby", `{"groups":["g3","g5","g4"]}`, "F1")
	a.post("POST /api/flights/{id}/boarding", "", "F1")
	a.as("manifest").post("POST /api/flights/{id}/board", `{"group_id":"g1"}`, "F1")

	var f airbridge.Flight
	decode(t, a.cmd("POST /api/flights/{id}/close", "", "F1"), &f)
	if f.Status != airbridge.StatusClosed || f.Manifested != 7 || f.Boarded != 3 || f.Standby != nil {
		t.Errorf("closed flight %+v", f)
	}
	// g2 (3) did not board: its seats 4-6 and the two free ones go to g4
	// (own citizens) and then g5 (local staff); g3 (third-country) waits.
	want := map[string]string{
		"g1-1": "boarded@1", "g1-2": "boarded@2", "g1-3": "boarded@3",
		"g4-1": "manifested@4", "g4-2": "manifested@5", "g5-1": "manifested@6", "g5-2": "manifested@7",
	}
	if got := groupsOn(t, a, "F1"); !mapsEqual(got, want) {
		t.Errorf("after close: %v, want %v", got, want)
	}
	var p airbridge.Person
	a.as("gate.usa").get("/api/persons/g2-1", &p)
	if p.Stage != airbridge.Staged || p.MissedFlight != "F1" || p.Seat != "" {
		t.Errorf("no-show %+v", p)
	}
	var closed airbridge.Event
	for _, e := range a.events() {
		if e.Type == airbridge.FlightClosed {
			closed = e
		}
	}
	if closed.Data.NoShows != 3 || !slices.Equal(closed.Data.Groups, []string{"g4", "g5"}) {
		t.Errorf("flight_closed %+v", closed.Data)
	}
	// The backfilled groups board the closed flight at the ramp.
	a.post("POST /api/scans", `{"person_id":"g4-1","site":"ramp1"}`)
	a.as("manifest").post("POST /api/flights/{id}/board", `{"group_id":"g5"}`, "F1")
	if got := groupsOn(t, a, "F1"); got["g4-2"] != "boarded@5" || got["g5-2"] != "boarded@7" {
		t.Errorf("after boarding: %v", got)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestLoadGuardEndToEnd: staged people and an under-filled flight — the
// alert is raised as an event, listed and streamed; the departure is refused
// without an override and accepted with one, which the ledger keeps.
func TestLoadGuardEndToEnd(t *testing.T) {
	t.Parallel()
	a := loadingWorld(t, map[string]int{"g1": 2, "g2": 3}, nil)
	a.post("POST /api/flights", flightBody("F1", 10))
	a.cmd("POST /api/manifests/publish", `{"flights":[{"flight_id":"F1","groups":["g1"]}]}`)
	a.post("POST /api/flights/{id}/boarding", "", "F1")
	a.as("manifest").post("POST /api/flights/{id}/board", `{"group_id":"g1"}`, "F1")

	events := a.stream("commander", "?types=load_alert_raised,load_alert_cleared,flight_departed")
	a.cmd("POST /api/flights/{id}/close", "", "F1")

	raised := await(t, events, airbridge.LoadAlertRaised)
	if al := raised.Data.Alert; raised.Stream != "flight/F1" || al == nil || al.Load != 2 || al.Seats != 10 || al.Waiting != 3 || al.Threshold != 0.9 {
		t.Errorf("streamed alert %+v %+v", raised, raised.Data.Alert)
	}
	var alerts []server.AlertView
	a.as("gate").get("/api/alerts", &alerts)
	if len(alerts) != 1 || alerts[0].FlightID != "F1" || alerts[0].Callsign != "RCH871" || alerts[0].Waiting != 3 || alerts[0].Status != airbridge.StatusClosed {
		t.Errorf("alerts %+v", alerts)
	}

	r := a.request("POST", "/api/flights/F1/depart", a.key(), "")
	e := wantError(t, r, http.StatusConflict, airbridge.ECONFLICT)
	if e.Details["load_guard"] != true || !strings.Contains(e.Message, "override") {
		t.Errorf("refusal %+v", e)
	}
	wantError(t, a.request("POST", "/api/flights/F1/depart", a.key(), `{"override":"   "}`), http.StatusConflict, airbridge.ECONFLICT)

	var f airbridge.Flight
	decode(t, a.cmd("POST /api/flights/{id}/depart", `{"override":"the runway closes at dusk"}`, "F1"), &f)
	if f.Status != airbridge.StatusDeparted || f.Carried != 2 || f.Alert != nil {
		t.Errorf("departed %+v", f)
	}
	if d := await(t, events, airbridge.FlightDeparted); !d.Data.Override || d.Data.Reason != "" {
		t.Errorf("streamed departure %+v: the override is flagged, its reason not streamed", d.Data)
	}
	a.as("gate").get("/api/alerts", &alerts)
	if len(alerts) != 0 {
		t.Errorf("alerts after departure %+v", alerts)
	}
	// The ledger keeps the override, its reason and what it overrode.
	ledger, err := a.db.Events(context.Background(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var departed *airbridge.Event
	for i := range ledger {
		if ledger[i].Type == airbridge.FlightDeparted {
			departed = &ledger[i]
		}
	}
	if departed == nil || !departed.Data.Override || departed.Data.Reason != "the runway closes at dusk" ||
		departed.Data.Alert == nil || departed.Data.Alert.Waiting != 3 || departed.Actor != "planner" {
		t.Errorf("departure in the ledger %+v", departed)
	}
}

// TestLoadGuardWatches: the server's load guard raises the alert of a
// flight within the policy's lead of its slot without anyone closing it, and
// clears it once the flight is loaded.
func TestLoadGuardWatches(t *testing.T) {
	t.Parallel()
	a := loadingWorld(t, map[string]int{"g1": 2, "g2": 8}, nil)
	slot := time.Now().UTC().Add(30 * time.Minute).Format(time.RFC3339)
	a.post("POST /api/flights", js(obj{"id": "F1", "callsign": "GAF1", "operator": "USA", "aircraft": "C-17", "seats": 10,
		"slot": slot, "destination": "Ramstein"}))
	a.post("POST /api/flights", js(obj{"id": "F2", "callsign": "GAF2", "operator": "USA", "aircraft": "C-17", "seats": 10,
		"slot": time.Now().UTC().Add(5 * time.Hour).Format(time.RFC3339), "destination": "Ramstein"}))
	events := a.stream("auditor", "?types=load_alert_raised,load_alert_cleared")
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.server.RunLoadGuard(ctx, 100*time.Millisecond)

	raised := await(t, events, airbridge.LoadAlertRaised)
	if raised.Stream != "flight/F1" || raised.Actor != server.LoadGuardActor || raised.Data.Alert.Waiting != 10 {
		t.Errorf("raised %+v %+v", raised, raised.Data.Alert)
	}
	a.post("POST /api/manifests/publish", `{"flights":[{"flight_id":"F1","groups":["g1","g2"]}]}`) // the guard writes meanwhile: no replay checks
	if cleared := await(t, events, airbridge.LoadAlertCleared); cleared.Stream != "flight/F1" {
		t.Errorf("cleared %+v", cleared)
	}
	var alerts []server.AlertView
	a.get("/api/alerts", &alerts)
	if len(alerts) != 0 {
		t.Errorf("alerts %+v; F2 leaves in 5 hours, beyond the lead", alerts)
	}
}

func TestEventStreamResumes(t *testing.T) {
	t.Parallel()
	a := loadingWorld(t, map[string]int{"g1": 1}, nil)
	a.post("POST /api/flights", flightBody("F1", 10))
	// From the start of the ledger, personal data stripped.
	events := a.stream("auditor", "?after=0")
	first := await(t, events, airbridge.PersonRegistered)
	if first.Data.Person == nil || first.Data.Person.Surname != "" {
		t.Errorf("streamed registration %+v", first.Data.Person)
	}
	// A gate agent gets the flights' events only, without actors or keys.
	flights := a.stream("gate", "?after=0")
	if e := await(t, flights, airbridge.FlightScheduled); e.Stream != "flight/F1" || e.Actor != "" || e.Key != "" {
		t.Errorf("a gate agent's stream: %+v", e)
	}
	a.post("POST /api/flights/{id}/boarding", "", "F1")
	if e := await(t, flights, airbridge.FlightBoarding); e.Stream != "flight/F1" {
		t.Errorf("a gate agent's stream: %+v", e)
	}
	select {
	case e := <-flights:
		t.Errorf("a gate agent's stream carried %s %s", e.Type, e.Stream)
	default:
	}
	for _, q := range []string{"?after=x", "?for=forever", "?for=-1s"} {
		r := a.request("GET", "/api/events/stream"+q, "", "")
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("stream%s: %s", q, r)
		}
	}
	r := a.request("GET", "/api/events/stream", "", "", "Last-Event-ID", "nine")
	wantError(t, r, http.StatusBadRequest, airbridge.EMALFORMED)
	// A bounded stream ends by itself.
	r = a.request("GET", "/api/events/stream?after=0&for=300ms", "", "")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "event: flight_scheduled") || strings.Contains(string(r.body), "person_") {
		t.Errorf("bounded stream: %s", r)
	}
}

// TestStopStreams: a shutting-down server ends its event streams, which
// would otherwise hold the shutdown until their clients leave.
func TestStopStreams(t *testing.T) {
	t.Parallel()
	a := loadingWorld(t, map[string]int{"g1": 1}, nil)
	req, _ := http.NewRequest("GET", a.url+"/api/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+a.tokens["commander"])
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); done <- err }()
	a.server.StopStreams()
	a.server.StopStreams()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stream ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end")
	}
}
