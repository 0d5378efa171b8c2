package airbridge

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// guarded returns a fixture whose policy holds flights to a 90% load
// factor, and changes the policy with edit before it is configured.
func guarded(t *testing.T, edit func(*Policy)) *fixture {
	t.Helper()
	p := testPolicy()
	p.LoadGuard = nil // the default, 0.9
	if edit != nil {
		edit(&p)
	}
	f := &fixture{t: t, s: NewState()}
	f.exec(ConfigureOperation{Policy: p})
	for _, site := range []Site{
		{ID: gate, Kind: Gate}, {ID: screen, Kind: Screening}, {ID: hold, Kind: Holding}, {ID: ramp, Kind: Ramp},
		{ID: "OTBH", Name: "Al Udeid", Kind: Hub, Capacity: 5},
	} {
		f.exec(AddSite{site})
	}
	return f
}

// stagedAs registers and stages a group of n of the given category.
func (f *fixture) stagedAs(gid string, n int, category string, litters int) []string {
	f.t.Helper()
	g := groupInput(gid, n)
	for i := range g.Persons {
		g.Persons[i].Category = category
		g.Persons[i].Needs.Litter = i < litters
	}
	f.exec(RegisterGroup{g})
	f.stage(gid)
	return memberIDs(gid, n)
}

func (f *fixture) seats(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = f.s.Persons[id].Seat
	}
	return out
}

func eventTypes(events []Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return out
}

func TestSeatNumbers(t *testing.T) {
	f := guarded(t, func(p *Policy) { p.LoadGuard = new(0.0) })
	a := f.stagedAs("a", 3, "local_staff", 1)
	b := f.staged("b", 2)
	c := f.staged("c", 1)
	f.schedule("F1", 10)
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	if got, want := f.seats(a), []string{"L1", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("seats of a: %v, want %v", got, want)
	}
	if got, want := f.seats(b), []string{"3", "4"}; !slices.Equal(got, want) {
		t.Errorf("seats of b: %v, want %v", got, want)
	}
	// An offload frees its seats; the lowest free seat goes first.
	f.exec(OffloadGroup{FlightID: "F1", GroupID: "a"})
	if got := f.seats(a); !slices.Equal(got, []string{"", "", ""}) {
		t.Errorf("offloaded persons keep seats %v", got)
	}
	f.manifest("F1", "c")
	if got := f.seats(c); !slices.Equal(got, []string{"1"}) {
		t.Errorf("seat of c: %v, want [1]", got)
	}
	f.checkRefold()
}

func TestAcceptanceAndRoutes(t *testing.T) {
	f := guarded(t, func(p *Policy) {
		p.LoadGuard = new(0.0)
		p.Carriers = map[string]Acceptance{"DEU": {Nationalities: []string{"DEU", "AFG"}, Categories: []string{"own_citizen", "local_staff"}}}
		p.Routes = map[string][]string{"USA": {"OTBH", "Ramstein"}}
	})
	f.staged("a", 2)                       // AFG local staff of the USA
	f.stagedAs("b", 1, "third_country", 0) // not carried by DEU
	in := flightInput("D1", 50)
	in.Operator, in.Aircraft, in.Destination = "DEU", "A400M", "OTBH"
	f.exec(ScheduleFlight{in})
	in = flightInput("U1", 50)
	in.Destination = "Tashkent" // not a USA route
	f.exec(ScheduleFlight{in})

	f.manifest("D1", "a")
	err := f.refuse(ManifestGroup{FlightID: "D1", GroupID: "b"}, ECONFLICT)
	if !strings.Contains(err.Message, "do not carry person b-1") {
		t.Errorf("refusal %q does not name the person not carried", err.Message)
	}
	err = f.refuse(ManifestGroup{FlightID: "U1", GroupID: "b"}, ECONFLICT)
	if !strings.Contains(err.Message, "does not send its evacuees to Tashkent") {
		t.Errorf("refusal %q does not name the route", err.Message)
	}
	f.refuse(SetStandby{FlightID: "D1", Groups: []string{"b"}}, ECONFLICT)
	f.refuse(PublishManifest{Flights: []FlightManifest{{FlightID: "D1", Groups: []string{"a", "b"}}}}, ECONFLICT)
}

func TestHubCapacity(t *testing.T) {
	f := guarded(t, func(p *Policy) { p.LoadGuard = new(0.0) })
	f.staged("a", 3)
	f.staged("b", 3)
	f.staged("c", 2)
	for i, id := range []string{"F1", "F2", "F3"} {
		in := flightInput(id, 50)
		in.Destination = "OTBH" // takes 5 persons a day
		if i == 2 {
			in.Slot = in.Slot.Add(24 * time.Hour)
		}
		f.exec(ScheduleFlight{in})
	}
	f.manifest("F1", "a")
	err := f.refuse(ManifestGroup{FlightID: "F2", GroupID: "b"}, ECONFLICT)
	if !strings.Contains(err.Message, "transit hub OTBH takes 2 more persons") {
		t.Errorf("refusal %q", err.Message)
	}
	f.refuse(PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"b"}}}}, ECONFLICT)
	f.manifest("F2", "c")
	f.manifest("F3", "b") // the next day
	// Moving a between flights of the same day does not add to the hub.
	f.exec(PublishManifest{Flights: []FlightManifest{{FlightID: "F1"}, {FlightID: "F2", Groups: []string{"c", "a"}}}})
	f.checkFlight("F2", flightWant{StatusScheduled, 5, 0, 0, 0})
	f.checkRefold()
}

func TestPublishManifest(t *testing.T) {
	f := guarded(t, func(p *Policy) { p.LoadGuard = new(0.0) })
	a := f.staged("a", 2)
	b := f.staged("b", 2)
	c := f.staged("c", 3)
	d := f.staged("d", 1)
	e := f.staged("e", 1)
	f.schedule("F1", 5)
	f.schedule("F2", 5)
	f.manifest("F1", "a")
	f.manifest("F1", "b")

	for _, tt := range []struct {
		name string
		cmd  PublishManifest
		code string
	}{
		{"no flights", PublishManifest{}, EINVALID},
		{"unknown flight", PublishManifest{Flights: []FlightManifest{{FlightID: "F9"}}}, ENOTFOUND},
		{"flight twice", PublishManifest{Flights: []FlightManifest{{FlightID: "F1"}, {FlightID: "F1"}}}, EINVALID},
		{"group twice", PublishManifest{Flights: []FlightManifest{{FlightID: "F1", Groups: []string{"c"}}, {FlightID: "F2", Groups: []string{"c"}}}}, EINVALID},
		{"unknown group", PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"zz"}}}}, ENOTFOUND},
		{"over the seats", PublishManifest{Flights: []FlightManifest{{FlightID: "F1", Groups: []string{"a", "b", "c"}}}}, ECONFLICT},
		{"taken from a flight not published", PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"a"}}}}, ECONFLICT},
		{"standby also on a manifest", PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"c"}, Standby: []string{"c"}}}}, EINVALID},
		{"standby not staged", PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"c"}, Standby: []string{"a"}}}}, ECONFLICT},
	} {
		t.Run(tt.name, func(t *testing.T) { f.t = t; f.refuse(tt.cmd, tt.code) })
	}
	f.t = t

	// F1 keeps a, drops b, takes d; F2 takes c and b moves nowhere; then a
	// re-plan moves a to F2.
	out := f.exec(PublishManifest{Flights: []FlightManifest{
		{FlightID: "F1", Groups: []string{"a", "d"}, Standby: []string{"e"}},
		{FlightID: "F2", Groups: []string{"c"}},
	}})
	if fl := out.([]*Flight); len(fl) != 2 || fl[0].ID != "F1" || fl[1].ID != "F2" {
		t.Errorf("outcome %+v", out)
	}
	f.checkPersons(a, personWant{Manifested, "F1", 5})
	f.checkPersons(b, personWant{Staged, "", 6})
	f.checkPersons(d, personWant{Manifested, "F1", 5})
	f.checkPersons(c, personWant{Manifested, "F2", 5})
	f.checkFlight("F1", flightWant{StatusScheduled, 3, 0, 0, 0})
	if got := f.s.Flights["F1"].Standby; !slices.Equal(got, []string{"e"}) {
		t.Errorf("standby of F1: %v", got)
	}
	if got := f.seats(d); got[0] != "3" {
		t.Errorf("d took seat %v; b's seats 3 and 4 were free", got)
	}
	f.exec(PublishManifest{Flights: []FlightManifest{{FlightID: "F1", Groups: []string{"d"}}, {FlightID: "F2", Groups: []string{"c", "a"}}}})
	f.checkPersons(a, personWant{Manifested, "F2", 7})
	f.checkFlight("F1", flightWant{StatusScheduled, 1, 0, 0, 0})
	f.checkFlight("F2", flightWant{StatusScheduled, 5, 0, 0, 0})
	if got := f.s.Flights["F1"].Standby; !slices.Equal(got, []string{"e"}) {
		t.Errorf("standby of F1 changed to %v; an omitted list keeps it", got)
	}
	if got := f.seats(a); !slices.Equal(got, []string{"4", "5"}) {
		t.Errorf("a moved to seats %v, want [4 5]", got)
	}

	// A boarded group stays, listed or not, and counts against the seats.
	f.act("F2", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F2", GroupID: "c"})
	f.refuse(PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"a", "b"}}}}, ECONFLICT)
	f.exec(PublishManifest{Flights: []FlightManifest{{FlightID: "F2", Groups: []string{"b"}}}})
	f.checkPersons(a, personWant{Staged, "", 8})
	f.checkPersons(b, personWant{Manifested, "F2", 7})
	f.checkPersons(c, personWant{Boarded, "F2", 6})
	_ = e
	f.checkRefold()
}

func TestCloseBackfillsStandby(t *testing.T) {
	f := guarded(t, func(p *Policy) { p.LoadGuard = new(0.0) })
	a := f.staged("a", 2)
	b := f.staged("b", 2)
	c := f.stagedAs("c", 2, "at_risk", 0)     // rank 3
	d := f.stagedAs("d", 2, "own_citizen", 0) // rank 1: backfilled first
	e := f.stagedAs("e", 1, "own_citizen", 1) // a litter patient; the flight has none
	in := flightInput("F1", 4)
	in.Litters = new(0)
	f.exec(ScheduleFlight{in})
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	f.exec(SetStandby{FlightID: "F1", Groups: []string{"c", "d"}})
	f.refuse(SetStandby{FlightID: "F1", Groups: []string{"e"}}, ECONFLICT)
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})

	events, _, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionClose}, f.env())
	if err != nil {
		t.Fatal(err)
	}
	f.events = append(f.events, events...)
	want := []string{PersonNoShow, PersonNoShow, PersonManifested, PersonManifested, FlightClosed}
	if got := eventTypes(events); !slices.Equal(got, want) {
		t.Fatalf("close: events %v, want %v", got, want)
	}
	if got := events[4].Data; got.NoShows != 2 || !slices.Equal(got.Groups, []string{"d"}) {
		t.Errorf("flight_closed: %d no-shows, backfilled %v", got.NoShows, got.Groups)
	}
	f.checkPersons(b, personWant{Staged, "", 6})
	f.checkPersons(d, personWant{Manifested, "F1", 5})
	f.checkPersons(c, personWant{Staged, "", 4})
	f.checkFlight("F1", flightWant{StatusClosed, 4, 2, 0, 0})
	if got := f.seats(d); !slices.Equal(got, []string{"3", "4"}) {
		t.Errorf("d took seats %v, want b's [3 4]", got)
	}
	if f.s.Flights["F1"].Standby != nil {
		t.Errorf("standby list kept after close: %v", f.s.Flights["F1"].Standby)
	}
	// The backfilled group boards the closed flight, which then departs full.
	f.exec(BoardGroup{FlightID: "F1", GroupID: "d"})
	f.act("F1", ActionDepart)
	f.checkPersons(append(a, d...), personWant{Departed, "F1", 7})
	_, _ = c, e
	f.checkRefold()
}

func TestLoadGuard(t *testing.T) {
	f := guarded(t, nil)
	a := f.staged("a", 2)
	f.staged("b", 3)                       // waits: 3 people fit in the 8 free seats
	f.stagedAs("big", 9, "local_staff", 0) // waits, but would not fit
	f.schedule("F1", 10)
	f.manifest("F1", "a")
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})

	events, _, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionClose}, f.env())
	if err != nil {
		t.Fatal(err)
	}
	f.events = append(f.events, events...)
	if got, want := eventTypes(events), []string{FlightClosed, LoadAlertRaised}; !slices.Equal(got, want) {
		t.Fatalf("close: events %v, want %v", got, want)
	}
	alert := f.s.Flights["F1"].Alert
	if alert == nil || alert.Load != 2 || alert.Seats != 10 || alert.Waiting != 3 || alert.Groups != 1 || alert.Threshold != 0.9 {
		t.Fatalf("alert %+v", alert)
	}

	refusal := f.refuse(FlightAction{FlightID: "F1", Action: ActionDepart}, ECONFLICT)
	if !strings.HasPrefix(refusal.Message, "load guard: flight F1 would depart with 2 of 10 seats") || refusal.Details["load_guard"] != true {
		t.Errorf("refusal %q %v", refusal.Message, refusal.Details)
	}
	f.refuse(FlightAction{FlightID: "F1", Action: ActionDepart, Override: "bad\x00reason"}, EINVALID)

	events, _, err = f.s.Execute(FlightAction{FlightID: "F1", Action: ActionDepart, Override: " crew duty time ends "}, f.env())
	if err != nil {
		t.Fatal(err)
	}
	f.events = append(f.events, events...)
	if got := eventTypes(events[len(events)-2:]); !slices.Equal(got, []string{LoadAlertCleared, FlightDeparted}) {
		t.Errorf("departure events end %v: the open alert is cleared first", got)
	}
	dep := events[len(events)-1]
	if dep.Type != FlightDeparted || !dep.Data.Override || dep.Data.Reason != "crew duty time ends" || dep.Data.Alert == nil || dep.Data.Alert.Waiting != 3 {
		t.Errorf("departure event %+v", dep.Data)
	}
	if f.s.Flights["F1"].Alert != nil {
		t.Error("the alert stays open after departure")
	}
	f.checkPersons(a, personWant{Departed, "F1", 7})
	f.checkRefold()
}

// TestHubRoomAtClose: a hub whose day is already over its intake (it was
// given a capacity after the flights were loaded) takes no backfill beyond
// what the no-shows free under the capacity.
func TestHubRoomAtClose(t *testing.T) {
	f := guarded(t, func(p *Policy) { p.LoadGuard = new(0.0) })
	f.staged("a", 4)
	f.staged("b", 4)
	f.staged("c", 4)
	f.staged("d", 1)
	in := flightInput("F1", 20)
	in.Destination = "RMS"
	f.exec(ScheduleFlight{in})
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	f.exec(AddSite{Site{ID: "RMS", Kind: Hub, Capacity: 5}})
	f.exec(SetStandby{FlightID: "F1", Groups: []string{"c", "d"}})
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
	f.act("F1", ActionClose)
	// b's 4 seats free only 1 under the hub's 5: d (1) fits, c (4) not.
	f.checkFlight("F1", flightWant{StatusClosed, 5, 4, 0, 0})
	if got := f.s.Persons["d-1"]; got.FlightID != "F1" {
		t.Errorf("d is %s on %q", got.Stage, got.FlightID)
	}
	f.checkRefold()
}

func TestUnderThreshold(t *testing.T) {
	s := &State{Policy: &Policy{LoadGuard: new(0.55)}}
	fl := &Flight{Seats: 100}
	if s.underThreshold(fl, 55) || !s.underThreshold(fl, 54) {
		t.Errorf("55 of 100 at 55%%: under %v; 54: under %v", s.underThreshold(fl, 55), s.underThreshold(fl, 54))
	}
	s.Policy.LoadGuard = new(0.0)
	if s.underThreshold(fl, 0) {
		t.Error("a disabled guard holds flights")
	}
}

func TestLoadGuardQuiet(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Policy)
	}{
		{"disabled", func(p *Policy) { p.LoadGuard = new(0.0) }},
		{"nobody the operator carries", func(p *Policy) {
			p.Carriers = map[string]Acceptance{"USA": {Categories: []string{"own_citizen"}}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := guarded(t, tt.edit)
			f.stagedAs("a", 2, "own_citizen", 0)
			f.staged("b", 3)
			f.schedule("F1", 10)
			f.manifest("F1", "a")
			f.act("F1", ActionBoarding)
			events, _, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionClose}, f.env())
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(eventTypes(events), LoadAlertRaised) {
				t.Errorf("alert raised: %+v", f.s.Flights["F1"].Alert)
			}
			if _, _, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionDepart}, f.env()); err != nil {
				t.Errorf("departure refused: %v", err)
			}
		})
	}
}

func TestCheckLoads(t *testing.T) {
	f := guarded(t, nil)
	f.staged("a", 2)
	f.staged("b", 2)
	f.staged("c", 5)
	f.schedule("F1", 10) // leaves at t0+6h
	f.manifest("F1", "a")
	check := func(at time.Time) []Event {
		t.Helper()
		env := f.env()
		env.Time = at
		events, _, err := f.s.Execute(CheckLoads{}, env)
		if err != nil {
			t.Fatal(err)
		}
		f.events = append(f.events, events...)
		return events
	}
	if events := check(t0.Add(4 * time.Hour)); len(events) != 0 {
		t.Errorf("two hours before its slot: %v", eventTypes(events))
	}
	events := check(t0.Add(5*time.Hour + 30*time.Minute))
	if !slices.Equal(eventTypes(events), []string{LoadAlertRaised}) || events[0].Data.Alert.Waiting != 7 {
		t.Fatalf("within the lead: %v", events)
	}
	if events := check(t0.Add(5*time.Hour + 31*time.Minute)); len(events) != 0 {
		t.Errorf("nothing changed, but %v", eventTypes(events))
	}
	f.staged("d", 3) // more people wait: the alert says so
	if events := check(t0.Add(5*time.Hour + 31*time.Minute)); !slices.Equal(eventTypes(events), []string{LoadAlertRaised}) || events[0].Data.Alert.Waiting != 10 {
		t.Errorf("after more people waited: %v", events)
	}
	f.manifest("F1", "b")
	if events := check(t0.Add(5*time.Hour + 32*time.Minute)); !slices.Equal(eventTypes(events), []string{LoadAlertRaised}) || events[0].Data.Alert.Load != 4 {
		t.Errorf("after the load changed: %v", events)
	}
	f.manifest("F1", "c")
	if events := check(t0.Add(5*time.Hour + 33*time.Minute)); !slices.Equal(eventTypes(events), []string{LoadAlertCleared}) {
		t.Errorf("at 9 of 10 seats: %v", eventTypes(events))
	}
	if f.s.Flights["F1"].Alert != nil {
		t.Error("alert still open")
	}
	f.checkRefold()
}

func TestPolicyLoadingRules(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(*Policy)
		field string
	}{
		{"weight rank not a number", func(p *Policy) { p.Weights = map[string]float64{"one": 1} }, "weights"},
		{"weight rank 0", func(p *Policy) { p.Weights = map[string]float64{"0": 1} }, "weights"},
		{"weight rank 01", func(p *Policy) { p.Weights = map[string]float64{"01": 1} }, "weights"},
		{"negative weight", func(p *Policy) { p.Weights = map[string]float64{"1": -1} }, "weights"},
		{"carrier not a nation", func(p *Policy) { p.Carriers = map[string]Acceptance{"FRA": {}} }, "carriers"},
		{"carrier nationality", func(p *Policy) { p.Carriers = map[string]Acceptance{"USA": {Nationalities: []string{"afg"}}} }, "carriers"},
		{"carrier category", func(p *Policy) { p.Carriers = map[string]Acceptance{"USA": {Categories: []string{"vip"}}} }, "carriers"},
		{"route not a nation", func(p *Policy) { p.Routes = map[string][]string{"FRA": {"OTBH"}} }, "routes"},
		{"empty route", func(p *Policy) { p.Routes = map[string][]string{"USA": {" "}} }, "routes"},
		{"alert lead", func(p *Policy) { p.AlertLead = -5 }, "alert_lead_minutes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			tt.edit(&p)
			var e *Error
			if err := p.Validate(); err == nil || !errors.As(err, &e) || e.Details["field"] != tt.field {
				t.Errorf("validate: %v, want a refusal of %s", err, tt.field)
			}
		})
	}
	p := testPolicy()
	if got := []float64{p.Weight(1), p.Weight(2), p.Weight(3), p.Weight(4), p.Weight(9)}; !slices.Equal(got, []float64{8, 4, 2, 1, 1}) {
		t.Errorf("default weights %v", got)
	}
	p.Weights = map[string]float64{"2": 5}
	if p.Weight(2) != 5 || p.LoadThreshold() != 0.5 {
		t.Errorf("weight %v, threshold %v", p.Weight(2), p.LoadThreshold())
	}
	p.LoadGuard = nil
	if p.LoadThreshold() != DefaultLoadGuard || p.AlertLeadMinutes() != DefaultAlertLead {
		t.Errorf("defaults %v %v", p.LoadThreshold(), p.AlertLeadMinutes())
	}
	site := Site{ID: "g", Kind: Gate, Capacity: 10}
	if err := site.validate(); err == nil {
		t.Error("a gate with a daily capacity was accepted")
	}
}

// TestLoadingInvariants drives random sequences of loading commands and,
// after each, checks what must always hold: no flight over its seats or
// litter positions or a hub over its day's intake, counts that match the
// persons, seat numbers unique and within the aircraft, groups whole; and a
// refused command changes nothing.
func TestLoadingInvariants(t *testing.T) {
	accepted := map[string]int{}
	defer func() {
		t.Logf("accepted: %v", accepted)
		for _, typ := range []string{"PublishManifest", "SetStandby", "ManifestGroup", "OffloadGroup", "BoardGroup", "FlightAction"} {
			if accepted["airbridge."+typ] < 10 {
				t.Errorf("only %d %s accepted: the sequences no longer exercise it", accepted["airbridge."+typ], typ)
			}
		}
	}()
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			f := guarded(t, func(p *Policy) {
				p.Carriers = map[string]Acceptance{"DEU": {Categories: []string{"own_citizen", "local_staff"}}}
				p.Routes = map[string][]string{"GBR": {"OTBH"}}
			})
			cats := []string{"own_citizen", "local_staff", "at_risk", "third_country"}
			var groups []string
			for i := range 14 {
				gid := fmt.Sprintf("g%d", i)
				g := groupInput(gid, 1+rng.IntN(4))
				g.Nation = []string{"USA", "DEU", "GBR"}[rng.IntN(3)]
				for j := range g.Persons {
					g.Persons[j].Category = cats[rng.IntN(len(cats))]
					g.Persons[j].Needs.Litter = rng.IntN(6) == 0
				}
				f.exec(RegisterGroup{g})
				f.stage(gid)
				groups = append(groups, gid)
			}
			var flights []string
			for i := range 4 {
				in := flightInput(fmt.Sprintf("F%d", i), 3+rng.IntN(8))
				in.Operator = []string{"USA", "DEU"}[i%2]
				in.Litters = new(rng.IntN(3))
				if i < 2 {
					in.Destination = "OTBH" // the hub takes 5 a day
				}
				f.exec(ScheduleFlight{in})
				flights = append(flights, in.ID)
			}
			pick := func(s []string) string { return s[rng.IntN(len(s))] }
			// some picks a few groups that are staged or on flight fl and not
			// in taken, marking them taken.
			some := func(fl string, taken map[string]bool) []string {
				var out []string
				for _, g := range groups {
					p := f.s.Persons[f.s.Groups[g].Members[0]]
					fits := true
					if flight := f.s.Flights[fl]; flight != nil {
						fits = f.s.carriable(f.s.party(f.s.Groups[g]), flight) == nil
					}
					if len(out) < 2 && fits && !taken[g] && (p.Stage == Staged || p.FlightID == fl) && rng.IntN(3) == 0 {
						out = append(out, g)
						taken[g] = true
					}
				}
				return out
			}
			onFlight := func(fl string) string {
				for _, g := range groups {
					if f.s.Persons[f.s.Groups[g].Members[0]].FlightID == fl && rng.IntN(2) == 0 {
						return g
					}
				}
				return pick(groups)
			}
			scheduled := len(flights)
			for step := range 250 {
				for i, id := range flights {
					if !f.s.Flights[id].Status.Open() && rng.IntN(4) == 0 {
						in := flightInput(fmt.Sprintf("F%d", scheduled), 3+rng.IntN(8))
						in.Operator, in.Destination = f.s.Flights[id].Operator, f.s.Flights[id].Destination
						f.exec(ScheduleFlight{in})
						flights[i] = in.ID
						scheduled++
					}
				}
				var cmd Command
				fl := pick(flights)
				switch rng.IntN(10) {
				case 0, 1:
					cmd = ManifestGroup{FlightID: fl, GroupID: pick(groups)}
				case 2:
					cmd = OffloadGroup{FlightID: fl, GroupID: pick(groups)}
				case 3:
					taken := map[string]bool{}
					other := pick(flights)
					fms := []FlightManifest{{FlightID: fl, Groups: some(fl, taken)}}
					if other != fl {
						fms = append(fms, FlightManifest{FlightID: other, Groups: some(other, taken), Standby: some("-", taken)})
					}
					cmd = PublishManifest{Flights: fms}
				case 4:
					cmd = SetStandby{FlightID: fl, Groups: some("-", map[string]bool{})}
				case 5:
					cmd = BoardGroup{FlightID: fl, GroupID: onFlight(fl)}
				case 6:
					cmd = FlightAction{FlightID: fl, Action: pick([]string{ActionBoarding, ActionBoarding, ActionClose})}
				case 7:
					if rng.IntN(3) == 0 {
						cmd = FlightAction{FlightID: fl, Action: ActionDepart, Override: pick([]string{"", "weather"})}
					} else {
						cmd = OffloadGroup{FlightID: fl, GroupID: onFlight(fl)}
					}
				case 8:
					cmd = CheckLoads{}
				case 9:
					if rng.IntN(8) == 0 {
						cmd = FlightAction{FlightID: fl, Action: ActionCancel, Reason: "x"}
					} else {
						cmd = FlightAction{FlightID: fl, Action: ActionArrive}
					}
				}
				before := cloneState(f.s)
				events, _, err := f.s.Execute(cmd, f.env())
				if err != nil {
					if diff := cmp.Diff(before, f.s, ignoreIndexes); diff != "" {
						t.Fatalf("step %d: refused %T changed the state:\n%s", step, cmd, diff)
					}
					if ErrorCode(err) == EINTERNAL {
						t.Fatalf("step %d: %T: %v", step, cmd, err)
					}
					continue
				}
				f.events = append(f.events, events...)
				accepted[fmt.Sprintf("%T", cmd)]++
				checkLoading(t, f.s, fmt.Sprintf("step %d (%T)", step, cmd))
			}
			f.checkRefold()
		})
	}
}

func checkLoading(t *testing.T, s *State, at string) {
	t.Helper()
	type hubDay struct{ hub, day string }
	hubUse := map[hubDay]int{}
	for _, fl := range s.Flights {
		var manifested, boarded, litters, carried int
		seats := map[string]string{}
		for _, p := range s.Persons {
			if p.FlightID != fl.ID {
				continue
			}
			manifested++
			switch p.Stage {
			case Boarded:
				boarded++
			case Departed, Arrived: // the flight's boarded count keeps them
				boarded++
				carried++
			}
			if p.Needs.Litter {
				litters++
			}
			if o, taken := seats[p.Seat]; taken || p.Seat == "" {
				t.Fatalf("%s: flight %s: seat %q of %s (also %s)", at, fl.ID, p.Seat, p.ID, o)
			}
			seats[p.Seat] = p.ID
			n, litter := strings.CutPrefix(p.Seat, "L")
			if k, err := strconv.Atoi(n); err != nil || litter != p.Needs.Litter || k < 1 || (litter && k > fl.Litters) || (!litter && k > fl.Seats) {
				t.Fatalf("%s: flight %s: %s holds seat %q", at, fl.ID, p.ID, p.Seat)
			}
		}
		if manifested != fl.Manifested || boarded != fl.Boarded || litters != fl.LittersUsed || carried != fl.Carried {
			t.Fatalf("%s: flight %s counts %+v, persons say %d manifested, %d boarded, %d litters, %d carried", at, fl.ID, fl, manifested, boarded, litters, carried)
		}
		if fl.Manifested > fl.Seats || fl.LittersUsed > fl.Litters {
			t.Fatalf("%s: flight %s holds %d of %d seats, %d of %d litters", at, fl.ID, fl.Manifested, fl.Seats, fl.LittersUsed, fl.Litters)
		}
		if fl.Status != StatusCancelled {
			hubUse[hubDay{fl.Destination, fl.Slot.Format(time.DateOnly)}] += fl.Manifested
		}
	}
	for k, n := range hubUse {
		if site, ok := s.Sites[k.hub]; ok && site.Capacity > 0 && n > site.Capacity {
			t.Fatalf("%s: hub %s takes %d on %s, over its %d", at, k.hub, n, k.day, site.Capacity)
		}
	}
	// The index of groups with a member staged misses none.
	if s.withStaged != nil {
		for _, p := range s.Persons {
			if p.Stage == Staged && !s.withStaged[p.GroupID] {
				t.Fatalf("%s: %s is staged, but its group %s is not in the index", at, p.ID, p.GroupID)
			}
		}
	}
	for _, g := range s.Groups {
		first := s.Persons[g.Members[0]]
		for _, id := range g.Members[1:] {
			if p := s.Persons[id]; first.Stage >= Staged && (p.Stage != first.Stage || p.FlightID != first.FlightID) {
				t.Fatalf("%s: group %s split: %s %s/%s, %s %s/%s", at, g.ID, first.ID, first.Stage, first.FlightID, p.ID, p.Stage, p.FlightID)
			}
		}
	}
}

// BenchmarkCheckLoads measures the load guard's look at a national-size
// state: 300,000 staged people in 80,000 groups and 30 under-filled flights
// about to depart. It runs in the ledger's writer, holding up commands.
func BenchmarkCheckLoads(b *testing.B) {
	s := NewState()
	apply := func(e Event) {
		if err := s.Apply(e); err != nil {
			b.Fatal(err)
		}
	}
	p := testPolicy()
	p.LoadGuard = nil
	p.Carriers = map[string]Acceptance{"DEU": {Categories: []string{"own_citizen", "local_staff"}}}
	apply(Event{Stream: operationStream, Type: OperationConfigured, Data: EventData{Policy: &p}})
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []string{"own_citizen", "local_staff", "at_risk", "resident", "third_country"}
	nations := []string{"USA", "DEU", "GBR"}
	persons := 0
	for i := range 80_000 {
		gid := fmt.Sprintf("G%d", i)
		nation := nations[rng.IntN(3)]
		apply(Event{Stream: groupStream + gid, Type: GroupRegistered, Data: EventData{Group: &Group{ID: gid, Nation: nation}}})
		// A family shares its nationality and category; one in ten is mixed.
		nationality, category := pick(rng, []string{"AFG", nation}), pick(rng, cats)
		mixed := rng.IntN(10) == 0
		for m := range 1 + rng.IntN(7) {
			persons++
			if mixed {
				nationality, category = pick(rng, []string{"AFG", nation}), pick(rng, cats)
			}
			apply(Event{Stream: personStream + fmt.Sprint(gid, "-", m), Type: PersonRegistered, Data: EventData{Person: &Person{
				ID: fmt.Sprint(gid, "-", m), GroupID: gid, Nation: nation, Nationality: nationality,
				Category: category, Stage: Staged, Screening: Cleared, StageSince: t0}}})
		}
	}
	for i := range 30 {
		id := fmt.Sprintf("F%d", i)
		apply(Event{Stream: flightStream + id, Type: FlightScheduled, Data: EventData{Flight: &Flight{
			ID: id, Callsign: "RCH" + id, Operator: nations[i%3], Aircraft: "C-17", Seats: 400, Litters: 36,
			Slot: t0.Add(30 * time.Minute), Destination: "Ramstein", Status: StatusScheduled}}})
	}
	env := Envelope{Time: t0}
	var events []Event
	for b.Loop() {
		events, _ = s.Decide(CheckLoads{}, env)
	}
	if len(events) != 30 {
		b.Fatalf("%d alerts, want 30", len(events))
	}
	b.ReportMetric(float64(persons), "persons")
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// TestStagedIndexFollowsSplits: a staged person split into a new group
// brings the new group into the index of groups with a member staged, and
// the wait list finds it.
func TestStagedIndexFollowsSplits(t *testing.T) {
	f := newFixture(t)
	ids := f.staged("g1", 3)
	f.s.stagedIndex()
	f.exec(SplitGroup{GroupID: "g1", Persons: ids[2:], NewGroupID: "g2"})
	if !f.s.withStaged["g2"] || !f.s.withStaged["g1"] {
		t.Fatalf("index %v after the split", f.s.withStaged)
	}
	w := f.s.waitList(nil)
	if len(w.size) != 2 {
		t.Fatalf("the wait list has %d groups, want 2", len(w.size))
	}
	// A group none of whose members is staged any more leaves the index.
	f.schedule("F1", 10)
	f.manifest("F1", "g2")
	f.s.waitList(nil)
	if f.s.withStaged["g2"] || !f.s.withStaged["g1"] {
		t.Fatalf("index %v after g2 was manifested", f.s.withStaged)
	}
}
