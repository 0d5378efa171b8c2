package airbridge

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// t0 is the fixed clock of every test: the domain never reads a clock.
var t0 = time.Date(2021, 8, 20, 10, 0, 0, 0, time.UTC)

func testPolicy() Policy {
	return Policy{
		Name:       "Kabul 2021",
		Nations:    []string{"USA", "DEU", "GBR"},
		Categories: DefaultCategories(),
		MaxSeats:   map[AircraftType]int{"C-17": 823},
		LoadGuard:  new(0.5),
	}
}

// fixture is a configured operation with one site of each kind. It records
// every event its commands produce so that tests can refold them.
type fixture struct {
	t      *testing.T
	s      *State
	n      int
	events []Event
}

const (
	gate   = "gate-1"
	screen = "screen-1"
	hold   = "hold-1"
	ramp   = "ramp-1"
	hub    = "hub-1"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, s: NewState()}
	f.exec(ConfigureOperation{Policy: testPolicy()})
	for _, site := range []Site{
		{ID: gate, Name: "North Gate", Kind: Gate},
		{ID: screen, Name: "ECC screening", Kind: Screening},
		{ID: hold, Name: "Holding area", Kind: Holding},
		{ID: ramp, Name: "Ramp", Kind: Ramp},
		{ID: hub, Name: "Al Udeid", Kind: Hub},
	} {
		f.exec(AddSite{site})
	}
	return f
}

// env returns a new envelope, one minute after the previous one.
func (f *fixture) env() Envelope {
	f.n++
	return Envelope{
		Actor: "agent-1",
		Site:  gate,
		Key:   fmt.Sprintf("key-%d", f.n),
		Time:  t0.Add(time.Duration(f.n) * time.Minute),
	}
}

// exec executes cmd and fails the test if it is refused.
func (f *fixture) exec(cmd Command) any {
	f.t.Helper()
	events, out, err := f.s.Execute(cmd, f.env())
	if err != nil {
		f.t.Fatalf("execute %T: %v (%s)", cmd, err, ErrorCode(err))
	}
	if len(events) == 0 {
		f.t.Fatalf("execute %T: no events", cmd)
	}
	f.events = append(f.events, events...)
	return out
}

// refuse executes cmd, which must be refused with code, produce no events and
// leave the state unchanged. It returns the error.
func (f *fixture) refuse(cmd Command, code string) *Error {
	f.t.Helper()
	before := cloneState(f.s)
	env := f.env()
	evs, derr := f.s.Decide(cmd, env)
	if got := ErrorCode(derr); got != code {
		f.t.Fatalf("decide %T: error %v (code %q), want code %q", cmd, derr, got, code)
	}
	if evs != nil {
		f.t.Errorf("decide %T: refused but returned %d events", cmd, len(evs))
	}
	evs, out, err := f.s.Execute(cmd, env)
	if got := ErrorCode(err); got != code {
		f.t.Fatalf("execute %T: error %v (code %q), want code %q", cmd, err, got, code)
	}
	if evs != nil || out != nil {
		f.t.Errorf("execute %T: refused but returned events %v, outcome %v", cmd, evs, out)
	}
	if diff := cmp.Diff(before, f.s, ignoreIndexes); diff != "" {
		f.t.Errorf("execute %T: refused command changed the state (-before +after):\n%s", cmd, diff)
	}
	var e *Error
	if !errors.As(err, &e) {
		f.t.Fatalf("execute %T: %v is not an *Error", cmd, err)
	}
	return e
}

// docOf is the passport number of the person with the given id.
func docOf(id string) string {
	return "P" + strings.ToUpper(strings.NewReplacer("-", "", "_", "", ".", "").Replace(id))
}

func member(id string) PersonInput {
	return PersonInput{
		ID:          id,
		Surname:     "Rahimi",
		GivenNames:  "Person " + id,
		BirthDate:   "1985-03-01",
		Sex:         "F",
		Nationality: "AFG",
		Category:    "local_staff",
		Documents:   []Document{{Type: "passport", Number: docOf(id), IssuingState: "AFG", Expiry: "2026-01-01"}},
	}
}

func memberIDs(gid string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", gid, i+1)
	}
	return ids
}

func groupInput(gid string, n int) GroupInput {
	g := GroupInput{ID: gid, Name: "Family " + gid, Nation: "USA"}
	for _, id := range memberIDs(gid, n) {
		g.Persons = append(g.Persons, member(id))
	}
	return g
}

// register registers a group of n persons with ids gid-1 … gid-n.
func (f *fixture) register(gid string, n int) []string {
	f.t.Helper()
	f.exec(RegisterGroup{groupInput(gid, n)})
	return memberIDs(gid, n)
}

// stage moves every member of the group from registered or called to staged.
func (f *fixture) stage(gid string) {
	f.t.Helper()
	for _, id := range f.s.Groups[gid].Members {
		f.exec(Scan{PersonID: id, Site: gate})
		f.exec(Screen{PersonID: id, Decision: Cleared})
		f.exec(Scan{PersonID: id, Site: hold})
	}
}

// staged registers and stages a group of n.
func (f *fixture) staged(gid string, n int) []string {
	f.t.Helper()
	ids := f.register(gid, n)
	f.stage(gid)
	return ids
}

func flightInput(id string, seats int) FlightInput {
	return FlightInput{
		ID: id, Callsign: "RCH871", Operator: "USA", Aircraft: "C-17", Seats: seats,
		Slot: t0.Add(6 * time.Hour), Destination: "Al Udeid",
	}
}

func (f *fixture) schedule(id string, seats int) {
	f.t.Helper()
	f.exec(ScheduleFlight{flightInput(id, seats)})
}

func (f *fixture) act(fid, action string) {
	f.t.Helper()
	f.exec(FlightAction{FlightID: fid, Action: action, Reason: "test"})
}

func (f *fixture) manifest(fid, gid string) {
	f.t.Helper()
	f.exec(ManifestGroup{FlightID: fid, GroupID: gid})
}

// checkRefold fails the test unless the recorded events, applied to a fresh
// state, give the live state.
func (f *fixture) checkRefold() {
	f.t.Helper()
	s := NewState()
	for i, e := range f.events {
		if err := s.Apply(e); err != nil {
			f.t.Fatalf("refold event %d (%s %s): %v", i, e.Type, e.Stream, err)
		}
	}
	if diff := cmp.Diff(f.s, s, ignoreIndexes); diff != "" {
		f.t.Errorf("refolded state differs from the live one (-live +refolded):\n%s", diff)
	}
}

type personWant struct {
	Stage    Stage
	FlightID string
	Version  int
}

func (f *fixture) checkPersons(ids []string, want personWant) {
	f.t.Helper()
	for _, id := range ids {
		p := f.s.Persons[id]
		got := personWant{p.Stage, p.FlightID, p.Version}
		if got != want {
			f.t.Errorf("person %s: got %+v, want %+v", id, got, want)
		}
	}
}

type flightWant struct {
	Status                                   FlightStatus
	Manifested, Boarded, Carried, LittersUsd int
}

func (f *fixture) checkFlight(id string, want flightWant) {
	f.t.Helper()
	fl := f.s.Flights[id]
	got := flightWant{fl.Status, fl.Manifested, fl.Boarded, fl.Carried, fl.LittersUsed}
	if got != want {
		f.t.Errorf("flight %s: got %+v, want %+v", id, got, want)
	}
}

func TestFamilyLifecycle(t *testing.T) {
	f := newFixture(t)
	s := f.s

	if diff := cmp.Diff(testPolicy(), *s.Policy); diff != "" {
		t.Fatalf("policy (-want +got):\n%s", diff)
	}
	if got, want := slices.Sorted(maps.Keys(s.Sites)), []string{gate, hold, hub, ramp, screen}; !slices.Equal(got, want) {
		t.Fatalf("sites = %v, want %v", got, want)
	}

	// Register the family of three, a couple (one on a litter) and one person alone.
	fam := memberIDs("fam", 3)
	gv := f.exec(RegisterGroup{groupInput("fam", 3)}).(GroupView)
	wantG := Group{ID: "fam", Name: "Family fam", Nation: "USA", Members: fam, RegisteredAt: t0.Add(time.Duration(f.n) * time.Minute)}
	if got := *s.Groups["fam"]; !cmp.Equal(got, wantG) {
		t.Errorf("registered group: %s", cmp.Diff(wantG, got))
	}
	if got, want := gv.Group, wantG.Public(); !cmp.Equal(got, want) {
		t.Errorf("registration answer: %s", cmp.Diff(want, got))
	}
	if len(gv.Persons) != 3 {
		t.Fatalf("registered %d persons, want 3", len(gv.Persons))
	}
	wantP := Person{
		ID: "fam-1", GroupID: "fam", Nation: "USA", Nationality: "AFG", Category: "local_staff",
		PersonalData: PersonalData{
			Surname: "Rahimi", GivenNames: "Person fam-1", BirthDate: "1985-03-01", Sex: "F",
			Documents: []Document{{Type: "passport", Number: "PFAM1", IssuingState: "AFG", Expiry: "2026-01-01"}},
		},
		Stage: Registered, StageSince: gv.Group.RegisteredAt, RegisteredAt: gv.Group.RegisteredAt, Version: 1,
	}
	if diff := cmp.Diff(wantP, *s.Persons["fam-1"]); diff != "" {
		t.Errorf("registered person (-want +got):\n%s", diff)
	}
	// The answer, kept for replays, carries no personal data.
	if diff := cmp.Diff(wantP.Public(), gv.Persons[0]); diff != "" {
		t.Errorf("registration answer (-want +got):\n%s", diff)
	}
	f.checkPersons(fam, personWant{Registered, "", 1})
	for _, id := range fam {
		if got := s.Documents[docOf(id)]; got != id {
			t.Errorf("Documents[%s] = %q, want %q", docOf(id), got, id)
		}
	}

	pair := memberIDs("pair", 2)
	pairIn := groupInput("pair", 2)
	pairIn.Persons[1].Needs.Litter = true
	f.exec(RegisterGroup{pairIn})
	solo := f.exec(RegisterPerson{Nation: "USA", GroupID: "solo", PersonInput: member("solo-1")}).(*Person)
	if solo.ID != "solo-1" || solo.GroupID != "solo" || s.Groups["solo"] == nil {
		t.Fatalf("solo registration: %+v", solo)
	}

	// Call the family forward.
	cv := f.exec(CallGroup{GroupID: "fam", Gate: gate, WindowStart: t0, WindowEnd: t0.Add(4 * time.Hour)}).(GroupView)
	for _, p := range cv.Persons {
		if p.Stage != Called {
			t.Errorf("after call, %s is %s", p.ID, p.Stage)
		}
	}
	f.checkPersons(fam, personWant{Called, "", 2})

	// At the gate: the first by a typed passport number, the others by id.
	for i, id := range fam {
		scan := Scan{PersonID: id, Site: gate}
		if i == 0 {
			scan = Scan{Document: "pfam-1", Site: gate}
		}
		r := f.exec(scan).(ScanResult)
		if r.Person.ID != id || r.Person.Stage != AtGate || !r.CalledForward || r.Group != nil {
			t.Errorf("gate scan of %s: %+v", id, r)
		}
	}
	f.checkPersons(fam, personWant{AtGate, "", 3})

	// Screening; the family's youngest gets a medical flag.
	medical := true
	for i, id := range fam {
		cmd := Screen{PersonID: id, Decision: Cleared}
		if i == 2 {
			cmd.Medical = &medical
		}
		p := f.exec(cmd).(*Person)
		if p.Stage != Screened || p.Screening != Cleared || p.Needs.Medical != (i == 2) {
			t.Errorf("screened %s: %+v", id, p)
		}
	}
	f.checkPersons(fam, personWant{Screened, "", 4})

	for _, id := range fam {
		r := f.exec(Scan{PersonID: id, Site: hold}).(ScanResult)
		if r.Person.Stage != Staged || r.CalledForward || r.Group != nil {
			t.Errorf("holding scan of %s: %+v", id, r)
		}
	}
	f.checkPersons(fam, personWant{Staged, "", 5})

	// The others were not called: the gate scan says so.
	for _, id := range append(slices.Clone(pair), "solo-1") {
		r := f.exec(Scan{PersonID: id, Site: gate}).(ScanResult)
		if r.CalledForward {
			t.Errorf("gate scan of uncalled %s: called_forward true", id)
		}
		f.exec(Screen{PersonID: id, Decision: Cleared})
		f.exec(Scan{PersonID: id, Site: hold})
	}

	// Schedule and manifest.
	fl := f.exec(ScheduleFlight{FlightInput{
		ID: "RCH871", Callsign: " RCH871 ", Operator: "USA", Aircraft: "C-17",
		Slot: t0.Add(6 * time.Hour), Destination: "Al Udeid",
	}}).(*Flight)
	want := &Flight{
		ID: "RCH871", Callsign: "RCH871", Operator: "USA", Aircraft: "C-17", Seats: 102, Litters: 36,
		Slot: t0.Add(6 * time.Hour), Destination: "Al Udeid", Status: StatusScheduled,
		StatusSince: t0.Add(time.Duration(f.n) * time.Minute), Version: 1,
	}
	if diff := cmp.Diff(want, fl); diff != "" {
		t.Errorf("scheduled flight (-want +got):\n%s", diff)
	}

	mv := f.exec(ManifestGroup{FlightID: "RCH871", GroupID: "fam"}).(GroupView)
	for _, p := range mv.Persons {
		if p.Stage != Manifested || p.FlightID != "RCH871" {
			t.Errorf("after manifest, %s is %s on %q", p.ID, p.Stage, p.FlightID)
		}
	}
	f.checkPersons(fam, personWant{Manifested, "RCH871", 6})
	f.checkFlight("RCH871", flightWant{StatusScheduled, 3, 0, 0, 0})
	f.manifest("RCH871", "pair")
	f.manifest("RCH871", "solo")
	f.checkFlight("RCH871", flightWant{StatusScheduled, 6, 0, 0, 1})

	f.act("RCH871", ActionBoarding)
	f.checkFlight("RCH871", flightWant{StatusBoarding, 6, 0, 0, 1})

	// Board the family by group, the couple by a person id, the last by a ramp scan.
	bv := f.exec(BoardGroup{FlightID: "RCH871", GroupID: "fam"}).(GroupView)
	if bv.Group.ID != "fam" || len(bv.Persons) != 3 || bv.Persons[0].Stage != Boarded {
		t.Errorf("board by group: %+v", bv)
	}
	f.checkPersons(fam, personWant{Boarded, "RCH871", 7})
	f.checkFlight("RCH871", flightWant{StatusBoarding, 6, 3, 0, 1})

	bv = f.exec(BoardGroup{FlightID: "RCH871", PersonID: "pair-2"}).(GroupView)
	if bv.Group.ID != "pair" || len(bv.Persons) != 2 {
		t.Errorf("board by person: %+v", bv)
	}
	f.checkPersons(pair, personWant{Boarded, "RCH871", 6}) // never called: one event fewer
	f.checkFlight("RCH871", flightWant{StatusBoarding, 6, 5, 0, 1})

	r := f.exec(Scan{Document: docOf("solo-1"), Site: ramp}).(ScanResult)
	if r.Person.Stage != Boarded || len(r.Group) != 1 || r.Group[0].Stage != Boarded {
		t.Errorf("ramp scan: %+v", r)
	}
	f.checkFlight("RCH871", flightWant{StatusBoarding, 6, 6, 0, 1})

	f.act("RCH871", ActionDepart)
	others := append(slices.Clone(pair), "solo-1")
	all := slices.Concat(fam, others)
	f.checkPersons(fam, personWant{Departed, "RCH871", 8})
	f.checkPersons(others, personWant{Departed, "RCH871", 7})
	f.checkFlight("RCH871", flightWant{StatusDeparted, 6, 6, 6, 1})

	f.act("RCH871", ActionArrive)
	f.checkPersons(fam, personWant{Arrived, "RCH871", 9})
	f.checkPersons(others, personWant{Arrived, "RCH871", 8})
	f.checkFlight("RCH871", flightWant{StatusArrived, 6, 6, 6, 1})
	last := t0.Add(time.Duration(f.n) * time.Minute)
	if got := s.Flights["RCH871"]; got.Version != 4 || !got.StatusSince.Equal(last) {
		t.Errorf("flight version %d since %v, want 4 since %v", got.Version, got.StatusSince, last)
	}
	for _, id := range all {
		if p := s.Persons[id]; !p.StageSince.Equal(last) {
			t.Errorf("%s stage since %v, want %v", id, p.StageSince, last)
		}
	}
	if got := s.Groups["fam"].Members; !slices.Equal(got, fam) {
		t.Errorf("family members = %v, want %v", got, fam)
	}
	f.checkRefold()
}

func TestRefusedTransitions(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(f *fixture)
		cmd     Command
		code    string
		details map[string]any // a subset of the error's details
	}{
		{
			name: "board a group that is staged, not manifested",
			setup: func(f *fixture) {
				f.staged("a", 2)
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
			},
			cmd:     BoardGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-1", "stage": Staged},
		},
		{
			name: "board a person who is manifested on another flight",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.schedule("F2", 0)
				f.manifest("F2", "a")
				f.act("F1", ActionBoarding)
			},
			cmd:  BoardGroup{FlightID: "F1", PersonID: "a-1"},
			code: ECONFLICT,
		},
		{
			name: "board a group twice",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
				f.act("F1", ActionBoarding)
				f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
			},
			cmd:     BoardGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"stage": Boarded},
		},
		{
			name: "board while the flight is scheduled",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
			},
			cmd:     BoardGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"flight_id": "F1", "status": StatusScheduled},
		},
		{
			name: "board while the flight is closed",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
				f.act("F1", ActionBoarding)
				f.act("F1", ActionClose)
			},
			cmd:  BoardGroup{FlightID: "F1", GroupID: "a"},
			code: ECONFLICT,
		},
		{
			name: "ramp scan of a staged person",
			setup: func(f *fixture) {
				f.staged("a", 1)
			},
			cmd:     Scan{PersonID: "a-1", Site: ramp},
			code:    ECONFLICT,
			details: map[string]any{"stage": Staged},
		},
		{
			name: "ramp scan while the flight is scheduled",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
			},
			cmd:  Scan{PersonID: "a-1", Site: ramp},
			code: ECONFLICT,
		},
		{
			name: "manifest past the seats",
			setup: func(f *fixture) {
				f.staged("a", 3)
				f.schedule("F1", 2)
			},
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"seats": 2, "manifested": 0, "group_size": 3},
		},
		{
			name: "manifest past the seats left",
			setup: func(f *fixture) {
				f.staged("a", 2)
				f.staged("b", 3)
				f.schedule("F1", 4)
				f.manifest("F1", "a")
			},
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "b"},
			code:    ECONFLICT,
			details: map[string]any{"seats": 4, "manifested": 2, "group_size": 3},
		},
		{
			name: "manifest past the litter positions",
			setup: func(f *fixture) {
				g := groupInput("a", 2)
				g.Persons[0].Needs.Litter = true
				g.Persons[1].Needs.Litter = true
				f.exec(RegisterGroup{g})
				f.stage("a")
				in := flightInput("F1", 0)
				one := 1
				in.Litters = &one
				f.exec(ScheduleFlight{in})
			},
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"litters": 1, "litters_used": 0},
		},
		{
			name: "manifest a group with one member not staged",
			setup: func(f *fixture) {
				f.register("a", 3)
				for _, id := range []string{"a-1", "a-2"} {
					f.exec(Scan{PersonID: id, Site: gate})
					f.exec(Screen{PersonID: id, Decision: Cleared})
					f.exec(Scan{PersonID: id, Site: hold})
				}
				f.exec(Scan{PersonID: "a-3", Site: gate})
				f.schedule("F1", 0)
			},
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-3", "stage": AtGate},
		},
		{
			name: "manifest a group already on another open manifest",
			setup: func(f *fixture) {
				f.staged("a", 2)
				f.schedule("F1", 0)
				f.schedule("F2", 0)
				f.manifest("F1", "a")
			},
			cmd:     ManifestGroup{FlightID: "F2", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-1", "flight_id": "F1", "stage": Manifested},
		},
		{
			name: "manifest a group boarded on another flight",
			setup: func(f *fixture) {
				f.staged("a", 2)
				f.schedule("F1", 0)
				f.schedule("F2", 0)
				f.manifest("F1", "a")
				f.act("F1", ActionBoarding)
				f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
			},
			cmd:     ManifestGroup{FlightID: "F2", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"flight_id": "F1", "stage": Boarded},
		},
		{
			name: "manifest the same group twice on one flight",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
			},
			cmd:  ManifestGroup{FlightID: "F1", GroupID: "a"},
			code: ECONFLICT,
		},
		{
			name: "manifest on a closed flight",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
				f.act("F1", ActionClose)
			},
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"status": StatusClosed},
		},
		{
			name: "manifest on a cancelled flight",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.act("F1", ActionCancel)
			},
			cmd:  ManifestGroup{FlightID: "F1", GroupID: "a"},
			code: ECONFLICT,
		},
		{
			name: "depart twice",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
				f.act("F1", ActionDepart)
			},
			cmd:     FlightAction{FlightID: "F1", Action: ActionDepart},
			code:    ECONFLICT,
			details: map[string]any{"flight_id": "F1", "status": StatusDeparted},
		},
		{
			name:    "depart a scheduled flight",
			setup:   func(f *fixture) { f.schedule("F1", 0) },
			cmd:     FlightAction{FlightID: "F1", Action: ActionDepart},
			code:    ECONFLICT,
			details: map[string]any{"status": StatusScheduled},
		},
		{
			name: "open boarding twice",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
			},
			cmd:  FlightAction{FlightID: "F1", Action: ActionBoarding},
			code: ECONFLICT,
		},
		{
			name:  "close a scheduled flight",
			setup: func(f *fixture) { f.schedule("F1", 0) },
			cmd:   FlightAction{FlightID: "F1", Action: ActionClose},
			code:  ECONFLICT,
		},
		{
			name: "arrive a boarding flight",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
			},
			cmd:  FlightAction{FlightID: "F1", Action: ActionArrive},
			code: ECONFLICT,
		},
		{
			name: "arrive twice",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
				f.act("F1", ActionDepart)
				f.act("F1", ActionArrive)
			},
			cmd:  FlightAction{FlightID: "F1", Action: ActionArrive},
			code: ECONFLICT,
		},
		{
			name: "cancel a departed flight",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionBoarding)
				f.act("F1", ActionDepart)
			},
			cmd:  FlightAction{FlightID: "F1", Action: ActionCancel, Reason: "weather"},
			code: ECONFLICT,
		},
		{
			name: "cancel twice",
			setup: func(f *fixture) {
				f.schedule("F1", 0)
				f.act("F1", ActionCancel)
			},
			cmd:  FlightAction{FlightID: "F1", Action: ActionCancel, Reason: "weather"},
			code: ECONFLICT,
		},
		{
			name: "offload a boarded group",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
				f.act("F1", ActionBoarding)
				f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
			},
			cmd:     OffloadGroup{FlightID: "F1", GroupID: "a"},
			code:    ECONFLICT,
			details: map[string]any{"stage": Boarded},
		},
		{
			name: "offload a group from a flight it is not on",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.schedule("F2", 0)
				f.manifest("F2", "a")
			},
			cmd:  OffloadGroup{FlightID: "F1", GroupID: "a"},
			code: ECONFLICT,
		},
		{
			name: "offload from a departed flight",
			setup: func(f *fixture) {
				f.staged("a", 1)
				f.schedule("F1", 0)
				f.manifest("F1", "a")
				f.act("F1", ActionBoarding)
				f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
				f.act("F1", ActionDepart)
			},
			cmd:  OffloadGroup{FlightID: "F1", GroupID: "a"},
			code: ECONFLICT,
		},
		{
			name:    "screen someone registered",
			setup:   func(f *fixture) { f.register("a", 1) },
			cmd:     Screen{PersonID: "a-1", Decision: Cleared},
			code:    ECONFLICT,
			details: map[string]any{"stage": Registered},
		},
		{
			name: "screen someone already cleared",
			setup: func(f *fixture) {
				f.register("a", 1)
				f.exec(Scan{PersonID: "a-1", Site: gate})
				f.exec(Screen{PersonID: "a-1", Decision: Cleared})
			},
			cmd:     Screen{PersonID: "a-1", Decision: Denied, Reason: "second thoughts"},
			code:    ECONFLICT,
			details: map[string]any{"stage": Screened, "screening": Cleared},
		},
		{
			name: "stage someone denied",
			setup: func(f *fixture) {
				f.register("a", 1)
				f.exec(Scan{PersonID: "a-1", Site: gate})
				f.exec(Screen{PersonID: "a-1", Decision: Denied, Reason: "no eligibility"})
			},
			cmd:     Scan{PersonID: "a-1", Site: hold},
			code:    ECONFLICT,
			details: map[string]any{"stage": Screened, "screening": Denied},
		},
		{
			name: "stage someone referred",
			setup: func(f *fixture) {
				f.register("a", 1)
				f.exec(Scan{PersonID: "a-1", Site: gate})
				f.exec(Screen{PersonID: "a-1", Decision: Referred, Reason: "document check"})
			},
			cmd:  Scan{PersonID: "a-1", Site: hold},
			code: ECONFLICT,
		},
		{
			name: "stage someone at the gate, not screened",
			setup: func(f *fixture) {
				f.register("a", 1)
				f.exec(Scan{PersonID: "a-1", Site: gate})
			},
			cmd:     Scan{PersonID: "a-1", Site: hold},
			code:    ECONFLICT,
			details: map[string]any{"stage": AtGate, "screening": ""},
		},
		{
			name:  "stage someone twice",
			setup: func(f *fixture) { f.staged("a", 1) },
			cmd:   Scan{PersonID: "a-1", Site: hold},
			code:  ECONFLICT,
		},
		{
			name: "gate scan twice",
			setup: func(f *fixture) {
				f.register("a", 1)
				f.exec(Scan{PersonID: "a-1", Site: gate})
			},
			cmd:     Scan{PersonID: "a-1", Site: gate},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-1", "stage": AtGate},
		},
		{
			name: "call a group already at the gate",
			setup: func(f *fixture) {
				f.register("a", 2)
				f.exec(Scan{PersonID: "a-2", Site: gate})
			},
			cmd:     CallGroup{GroupID: "a", Gate: gate, WindowStart: t0, WindowEnd: t0.Add(time.Hour)},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-2", "stage": AtGate},
		},
		{
			name:    "configure twice",
			setup:   func(f *fixture) {},
			cmd:     ConfigureOperation{Policy: testPolicy()},
			code:    ECONFLICT,
			details: nil,
		},
		{
			name:    "add a site twice",
			setup:   func(f *fixture) {},
			cmd:     AddSite{Site{ID: gate, Kind: Gate}},
			code:    ECONFLICT,
			details: map[string]any{"id": gate},
		},
		{
			name:    "schedule a flight id twice",
			setup:   func(f *fixture) { f.schedule("F1", 0) },
			cmd:     ScheduleFlight{flightInput("F1", 0)},
			code:    ECONFLICT,
			details: map[string]any{"id": "F1"},
		},
		{
			name:    "register an existing person id",
			setup:   func(f *fixture) { f.register("a", 1) },
			cmd:     RegisterPerson{Nation: "USA", GroupID: "b", PersonInput: func() PersonInput { p := member("a-1"); p.Documents = nil; return p }()},
			code:    ECONFLICT,
			details: map[string]any{"id": "a-1"},
		},
		{
			name:    "join a group of another nation",
			setup:   func(f *fixture) { f.register("a", 1) },
			cmd:     RegisterPerson{Nation: "DEU", GroupID: "a", PersonInput: member("x-1")},
			code:    ECONFLICT,
			details: map[string]any{"group_id": "a"},
		},
		{
			name:    "join a group that is staged",
			setup:   func(f *fixture) { f.staged("a", 1) },
			cmd:     RegisterPerson{Nation: "USA", GroupID: "a", PersonInput: member("x-1")},
			code:    ECONFLICT,
			details: map[string]any{"group_id": "a", "stage": Staged},
		},
		{
			name:    "register a document already registered",
			setup:   func(f *fixture) { f.register("a", 1) },
			cmd:     RegisterPerson{Nation: "USA", GroupID: "b", PersonInput: func() PersonInput { p := member("b-1"); p.Documents[0].Number = "p-a1"; return p }()},
			code:    ECONFLICT,
			details: map[string]any{"person_id": "a-1", "field": "documents"},
		},
		{
			name:    "unknown person",
			setup:   func(f *fixture) {},
			cmd:     Screen{PersonID: "nobody", Decision: Cleared},
			code:    ENOTFOUND,
			details: map[string]any{"person_id": "nobody"},
		},
		{
			name:  "unknown document",
			setup: func(f *fixture) {},
			cmd:   Scan{Document: "X123", Site: gate},
			code:  ENOTFOUND,
		},
		{
			name:    "unknown site",
			setup:   func(f *fixture) { f.register("a", 1) },
			cmd:     Scan{PersonID: "a-1", Site: "gate-9"},
			code:    ENOTFOUND,
			details: map[string]any{"field": "site"},
		},
		{
			name:    "unknown flight",
			setup:   func(f *fixture) { f.staged("a", 1) },
			cmd:     ManifestGroup{FlightID: "F9", GroupID: "a"},
			code:    ENOTFOUND,
			details: map[string]any{"flight_id": "F9"},
		},
		{
			name:    "unknown group",
			setup:   func(f *fixture) { f.schedule("F1", 0) },
			cmd:     ManifestGroup{FlightID: "F1", GroupID: "g9"},
			code:    ENOTFOUND,
			details: map[string]any{"group_id": "g9"},
		},
		{
			name:  "unknown flight action",
			setup: func(f *fixture) { f.schedule("F1", 0) },
			cmd:   FlightAction{FlightID: "F1", Action: "loop"},
			code:  ENOTFOUND,
		},
		{
			name:    "call an unknown group",
			setup:   func(f *fixture) {},
			cmd:     CallGroup{GroupID: "g9", Gate: gate, WindowStart: t0, WindowEnd: t0.Add(time.Hour)},
			code:    ENOTFOUND,
			details: map[string]any{"group_id": "g9"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.setup(f)
			e := f.refuse(tt.cmd, tt.code)
			for k, want := range tt.details {
				if got, ok := e.Details[k]; !ok || !cmp.Equal(got, want) {
					t.Errorf("details[%q] = %#v, want %#v (error: %v)", k, got, want, e)
				}
			}
			f.checkRefold()
		})
	}
}

func TestNotConfigured(t *testing.T) {
	cmds := []Command{
		AddSite{Site{ID: gate, Kind: Gate}},
		RegisterGroup{groupInput("a", 1)},
		RegisterPerson{Nation: "USA", GroupID: "a", PersonInput: member("a-1")},
		RegisterPersons{Persons: []RegisterPerson{{Nation: "USA", GroupID: "a", PersonInput: member("a-1")}}},
		ScheduleFlight{flightInput("F1", 0)},
		FlightAction{FlightID: "F1", Action: ActionBoarding},
	}
	for _, cmd := range cmds {
		t.Run(fmt.Sprintf("%T", cmd), func(t *testing.T) {
			s := NewState()
			events, err := s.Decide(cmd, Envelope{Time: t0})
			if got := ErrorCode(err); got != ECONFLICT || events != nil {
				t.Errorf("got %d events, error %v (%s); want ECONFLICT", len(events), err, got)
			}
			if diff := cmp.Diff(NewState(), s, ignoreIndexes); diff != "" {
				t.Errorf("state changed:\n%s", diff)
			}
		})
	}
	// Both the value and the pointer configure.
	for _, cmd := range []Command{ConfigureOperation{Policy: testPolicy()}, &ConfigureOperation{Policy: testPolicy()}} {
		s := NewState()
		if _, _, err := s.Execute(cmd, Envelope{Time: t0}); err != nil || s.Policy == nil {
			t.Errorf("configure with %T: %v", cmd, err)
		}
	}
}

func TestNoShows(t *testing.T) {
	f := newFixture(t)
	a := f.staged("a", 2) // boards
	b := f.staged("b", 3) // does not show
	g := f.register("c", 1)
	f.exec(RegisterPerson{Nation: "USA", GroupID: "c", PersonInput: func() PersonInput {
		p := member("c-2")
		p.Needs.Litter = true
		return p
	}()})
	f.stage("c") // a litter patient and companion who do not show either
	f.schedule("F1", 0)
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	f.manifest("F1", "c")
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
	f.checkFlight("F1", flightWant{StatusBoarding, 7, 2, 0, 1})

	events, _, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionDepart}, f.env())
	if err != nil {
		t.Fatal(err)
	}
	f.events = append(f.events, events...)
	var gotTypes []string
	for _, e := range events {
		gotTypes = append(gotTypes, e.Stream+" "+e.Type)
	}
	wantTypes := []string{
		"person/a-1 person_departed", "person/a-2 person_departed",
		"person/b-1 person_no_show", "person/b-2 person_no_show", "person/b-3 person_no_show",
		"person/c-1 person_no_show", "person/c-2 person_no_show",
		"flight/F1 flight_departed",
	}
	if diff := cmp.Diff(wantTypes, gotTypes); diff != "" {
		t.Errorf("depart events (-want +got):\n%s", diff)
	}
	if d := events[len(events)-1].Data; d.Carried != 2 || d.NoShows != 5 {
		t.Errorf("flight_departed carried %d, no-shows %d; want 2, 5", d.Carried, d.NoShows)
	}

	// registered, at gate, screened, staged, manifested, boarded, departed
	f.checkPersons(a, personWant{Departed, "F1", 7})
	// registered, at gate, screened, staged, manifested, no-show
	f.checkPersons(b, personWant{Staged, "", 6})
	f.checkPersons(append(g, "c-2"), personWant{Staged, "", 6})
	f.checkFlight("F1", flightWant{StatusDeparted, 2, 2, 2, 0})

	// The no-shows can take the next flight.
	f.schedule("F2", 0)
	f.manifest("F2", "b")
	f.checkPersons(b, personWant{Manifested, "F2", 7})
	f.checkFlight("F2", flightWant{StatusScheduled, 3, 0, 0, 0})

	// Arriving F1 arrives only those it carried.
	f.act("F1", ActionArrive)
	f.checkPersons(a, personWant{Arrived, "F1", 8})
	f.checkPersons(b, personWant{Manifested, "F2", 7})
	f.checkFlight("F1", flightWant{StatusArrived, 2, 2, 2, 0})
	f.checkRefold()
}

func TestDepartFromClosed(t *testing.T) {
	f := newFixture(t)
	a := f.staged("a", 1)
	b := f.staged("b", 1)
	c := f.staged("c", 1)
	f.schedule("F1", 0)
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	f.exec(SetStandby{FlightID: "F1", Groups: []string{"c"}})
	f.act("F1", ActionBoarding)
	f.exec(Scan{PersonID: "a-1", Site: ramp})
	f.act("F1", ActionClose)
	// b did not come to the ramp: a no-show, back in staged; c, standing
	// by, took the seat.
	f.checkPersons(b, personWant{Staged, "", 6})
	f.checkPersons(c, personWant{Manifested, "F1", 5})
	f.checkFlight("F1", flightWant{StatusClosed, 2, 1, 0, 0})
	// A closed flight still takes offloads.
	f.exec(OffloadGroup{FlightID: "F1", GroupID: "c", Reason: "overweight"})
	f.checkPersons(c, personWant{Staged, "", 6})
	f.exec(FlightAction{FlightID: "F1", Action: ActionDepart, Override: "last flight before the runway closes"})
	f.checkPersons(a, personWant{Departed, "F1", 7})
	f.checkFlight("F1", flightWant{StatusDeparted, 1, 1, 1, 0})
	f.checkRefold()
}

func TestCancelOffloadsEveryone(t *testing.T) {
	for _, status := range []FlightStatus{StatusScheduled, StatusBoarding, StatusClosed} {
		t.Run(string(status), func(t *testing.T) {
			f := newFixture(t)
			a := f.staged("a", 2)
			b := f.register("b", 1)
			f.exec(RegisterPerson{Nation: "USA", GroupID: "b", PersonInput: func() PersonInput {
				p := member("b-2")
				p.Needs.Litter = true
				return p
			}()})
			b = append(b, "b-2")
			f.stage("b")
			f.schedule("F1", 0)
			f.manifest("F1", "a")
			f.manifest("F1", "b")
			boarded := 0
			if status != StatusScheduled {
				f.act("F1", ActionBoarding)
				f.exec(BoardGroup{FlightID: "F1", GroupID: "a"})
				f.exec(BoardGroup{FlightID: "F1", GroupID: "b"})
				boarded = 4
			}
			if status == StatusClosed {
				f.act("F1", ActionClose)
			}
			f.checkFlight("F1", flightWant{status, 4, boarded, 0, 1})

			f.refuse(FlightAction{FlightID: "F1", Action: ActionCancel, Reason: "  "}, EINVALID)

			events, out, err := f.s.Execute(FlightAction{FlightID: "F1", Action: ActionCancel, Reason: " runway closed "}, f.env())
			if err != nil {
				t.Fatal(err)
			}
			f.events = append(f.events, events...)
			if len(events) != 5 {
				t.Fatalf("%d events, want 4 offloads and the cancellation", len(events))
			}
			for _, e := range events[:4] {
				if e.Type != PersonOffloaded || e.Data.FlightID != "F1" || e.Data.Reason != "flight cancelled: runway closed" {
					t.Errorf("event %s %s %+v", e.Stream, e.Type, e.Data)
				}
			}
			if e := events[4]; e.Type != FlightCancelled || e.Data.Reason != "runway closed" {
				t.Errorf("last event %s %+v", e.Type, e.Data)
			}
			if fl := out.(*Flight); fl.Status != StatusCancelled {
				t.Errorf("outcome status %s", fl.Status)
			}
			wantVersion := 6 // registered, at gate, screened, staged, manifested, offloaded
			if boarded > 0 {
				wantVersion = 7 // and boarded
			}
			f.checkPersons(a, personWant{Staged, "", wantVersion})
			f.checkPersons(b, personWant{Staged, "", wantVersion})
			f.checkFlight("F1", flightWant{StatusCancelled, 0, 0, 0, 0})

			// Everyone may be manifested again.
			f.schedule("F2", 0)
			f.manifest("F2", "a")
			f.manifest("F2", "b")
			f.checkFlight("F2", flightWant{StatusScheduled, 4, 0, 0, 1})
			f.checkRefold()
		})
	}
}

func TestOffloadGroup(t *testing.T) {
	f := newFixture(t)
	a := f.staged("a", 3)
	f.schedule("F1", 3)
	f.manifest("F1", "a")
	f.staged("b", 1)
	f.refuse(ManifestGroup{FlightID: "F1", GroupID: "b"}, ECONFLICT) // full
	gv := f.exec(OffloadGroup{FlightID: "F1", GroupID: "a", Reason: "reprioritised"}).(GroupView)
	if len(gv.Persons) != 3 || gv.Persons[0].Stage != Staged {
		t.Errorf("outcome %+v", gv)
	}
	f.checkPersons(a, personWant{Staged, "", 6})
	f.checkFlight("F1", flightWant{StatusScheduled, 0, 0, 0, 0})
	f.manifest("F1", "b")
	f.checkFlight("F1", flightWant{StatusScheduled, 1, 0, 0, 0})
	f.checkRefold()
}

func TestSeatLimitIsExact(t *testing.T) {
	f := newFixture(t)
	f.staged("a", 2)
	f.staged("b", 1)
	f.staged("c", 1)
	f.schedule("F1", 3)
	f.manifest("F1", "a")
	f.manifest("F1", "b") // exactly full
	f.checkFlight("F1", flightWant{StatusScheduled, 3, 0, 0, 0})
	f.refuse(ManifestGroup{FlightID: "F1", GroupID: "c"}, ECONFLICT)
}

func TestScreeningReferral(t *testing.T) {
	f := newFixture(t)
	f.register("a", 1)
	f.exec(Scan{PersonID: "a-1", Site: gate})
	f.exec(Screen{PersonID: "a-1", Decision: Referred, Reason: " document check "})
	p := f.s.Persons["a-1"]
	if p.Stage != Screened || p.Screening != Referred || p.ScreeningReason != "document check" {
		t.Fatalf("after referral: %+v", p)
	}
	// A referral is decided again.
	f.exec(Screen{PersonID: "a-1", Decision: Cleared})
	if p.Screening != Cleared || p.ScreeningReason != "" {
		t.Fatalf("after clearance: %+v", p)
	}
	f.exec(Scan{PersonID: "a-1", Site: hold})
	f.checkPersons([]string{"a-1"}, personWant{Staged, "", 5})
	f.checkRefold()
}

func TestCallUnknownGate(t *testing.T) {
	f := newFixture(t)
	f.register("a", 1)
	e := f.refuse(CallGroup{GroupID: "a", Gate: "gate-9", WindowStart: t0, WindowEnd: t0.Add(time.Hour)}, ENOTFOUND)
	if got := e.Details["field"]; got != "gate" {
		t.Errorf("field = %v, want gate", got)
	}
}

func TestCommandValidation(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture)
		cmd   Command
		field string
	}{
		{"call: not a gate", func(f *fixture) { f.register("a", 1) },
			CallGroup{GroupID: "a", Gate: hold, WindowStart: t0, WindowEnd: t0.Add(time.Hour)}, "gate"},
		{"call: no gate", func(f *fixture) { f.register("a", 1) },
			CallGroup{GroupID: "a", WindowStart: t0, WindowEnd: t0.Add(time.Hour)}, "gate"},
		{"scan: no site", func(f *fixture) { f.register("a", 1) }, Scan{PersonID: "a-1"}, "site"},
		{"manifest: no group", func(f *fixture) { f.schedule("F1", 0) }, ManifestGroup{FlightID: "F1"}, "group_id"},
		{"board: nobody", func(f *fixture) { f.schedule("F1", 0) }, BoardGroup{FlightID: "F1"}, "group_id"},
		{"call: no window start", func(f *fixture) { f.register("a", 1) },
			CallGroup{GroupID: "a", Gate: gate, WindowEnd: t0.Add(time.Hour)}, "window_end"},
		{"call: end before start", func(f *fixture) { f.register("a", 1) },
			CallGroup{GroupID: "a", Gate: gate, WindowStart: t0, WindowEnd: t0}, "window_end"},
		{"call: window too long", func(f *fixture) { f.register("a", 1) },
			CallGroup{GroupID: "a", Gate: gate, WindowStart: t0, WindowEnd: t0.Add(49 * time.Hour)}, "window_end"},
		{"scan: person and document", func(f *fixture) { f.register("a", 1) },
			Scan{PersonID: "a-1", Document: docOf("a-1"), Site: gate}, "person_id"},
		{"scan: nobody", func(f *fixture) {}, Scan{Site: gate}, "person_id"},
		{"scan: at a screening point", func(f *fixture) { f.register("a", 1) },
			Scan{PersonID: "a-1", Site: screen}, "site"},
		{"scan: at a hub", func(f *fixture) { f.register("a", 1) },
			Scan{PersonID: "a-1", Site: hub}, "site"},
		{"screen: unknown decision", func(f *fixture) { f.register("a", 1); f.exec(Scan{PersonID: "a-1", Site: gate}) },
			Screen{PersonID: "a-1", Decision: "maybe"}, "decision"},
		{"screen: denial without reason", func(f *fixture) { f.register("a", 1); f.exec(Scan{PersonID: "a-1", Site: gate}) },
			Screen{PersonID: "a-1", Decision: Denied, Reason: "  "}, "reason"},
		{"screen: referral without reason", func(f *fixture) { f.register("a", 1); f.exec(Scan{PersonID: "a-1", Site: gate}) },
			Screen{PersonID: "a-1", Decision: Referred}, "reason"},
		{"screen: control character in reason", func(f *fixture) { f.register("a", 1); f.exec(Scan{PersonID: "a-1", Site: gate}) },
			Screen{PersonID: "a-1", Decision: Denied, Reason: "no\x00"}, "reason"},
		{"board: group and person", func(f *fixture) { f.staged("a", 1); f.schedule("F1", 0) },
			BoardGroup{FlightID: "F1", GroupID: "a", PersonID: "a-1"}, "group_id"},
		{"cancel: no reason", func(f *fixture) { f.schedule("F1", 0) },
			FlightAction{FlightID: "F1", Action: ActionCancel}, "reason"},
		{"site: bad id", func(f *fixture) {}, AddSite{Site{ID: "gate 2", Kind: Gate}}, "id"},
		{"site: bad kind", func(f *fixture) {}, AddSite{Site{ID: "gate-2", Kind: "moat"}}, "kind"},
		{"site: name with a control character", func(f *fixture) {}, AddSite{Site{ID: "gate-2", Name: "a\tb", Kind: Gate}}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.setup(f)
			e := f.refuse(tt.cmd, EINVALID)
			if got := e.Details["field"]; got != tt.field {
				t.Errorf("field = %v, want %q (error: %v)", got, tt.field, e)
			}
		})
	}
}

func TestAddSiteDefaultsName(t *testing.T) {
	f := newFixture(t)
	site := f.exec(AddSite{Site{ID: "gate-2", Name: "  ", Kind: Gate}}).(*Site)
	if want := (Site{ID: "gate-2", Name: "gate-2", Kind: Gate}); !cmp.Equal(*site, want) {
		t.Errorf("site = %+v, want %+v", *site, want)
	}
}

// TestRegistrationValidation registers a family of two whose second member (or
// the group itself) is wrong.
func TestRegistrationValidation(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(g *GroupInput)
		code   string
		field  string
		detail map[string]any
	}{
		{"bad nationality", func(g *GroupInput) { g.Persons[1].Nationality = "af" }, EINVALID, "persons[1].nationality", nil},
		{"empty nationality", func(g *GroupInput) { g.Persons[1].Nationality = "" }, EINVALID, "persons[1].nationality", nil},
		{"unknown category", func(g *GroupInput) { g.Persons[1].Category = "tourist" }, EINVALID, "persons[1].category", nil},
		{"future birth date", func(g *GroupInput) { g.Persons[1].BirthDate = "2021-08-21" }, EINVALID, "persons[1].birth_date", nil},
		{"malformed birth date", func(g *GroupInput) { g.Persons[1].BirthDate = "01/01/1990" }, EINVALID, "persons[1].birth_date", nil},
		{"impossible birth date", func(g *GroupInput) { g.Persons[1].BirthDate = "1990-02-30" }, EINVALID, "persons[1].birth_date", nil},
		{"birth date too long ago", func(g *GroupInput) { g.Persons[1].BirthDate = "1895-01-01" }, EINVALID, "persons[1].birth_date", nil},
		{"bad sex", func(g *GroupInput) { g.Persons[1].Sex = "female" }, EINVALID, "persons[1].sex", nil},
		{"bad document number", func(g *GroupInput) { g.Persons[1].Documents[0].Number = "AB#123" }, EINVALID, "persons[1].documents[0].number", nil},
		{"empty document number", func(g *GroupInput) { g.Persons[1].Documents[0].Number = " - " }, EINVALID, "persons[1].documents[0].number", nil},
		{"document number too long", func(g *GroupInput) { g.Persons[1].Documents[0].Number = strings.Repeat("9", 21) }, EINVALID, "persons[1].documents[0].number", nil},
		{"bad document type", func(g *GroupInput) { g.Persons[1].Documents[0].Type = "library_card" }, EINVALID, "persons[1].documents[0].type", nil},
		{"bad issuing state", func(g *GroupInput) { g.Persons[1].Documents[0].IssuingState = "Afghanistan" }, EINVALID, "persons[1].documents[0].issuing_state", nil},
		{"bad expiry", func(g *GroupInput) { g.Persons[1].Documents[0].Expiry = "2026-13-01" }, EINVALID, "persons[1].documents[0].expiry", nil},
		{"same document twice for one person", func(g *GroupInput) {
			g.Persons[1].Documents = append(g.Persons[1].Documents, Document{Type: "id_card", Number: strings.ToLower(g.Persons[1].Documents[0].Number)})
		}, EINVALID, "persons[1].documents[1].number", nil},
		{"nine documents", func(g *GroupInput) {
			for i := range 8 {
				g.Persons[1].Documents = append(g.Persons[1].Documents, Document{Type: "other", Number: fmt.Sprintf("X%d", i)})
			}
		}, EINVALID, "persons[1].documents", nil},
		{"no name", func(g *GroupInput) { g.Persons[1].Surname, g.Persons[1].GivenNames = " ", "" }, EINVALID, "persons[1].surname", nil},
		{"name too long", func(g *GroupInput) { g.Persons[1].GivenNames = strings.Repeat("a", 121) }, EINVALID, "persons[1].given_names", nil},
		{"control character in name", func(g *GroupInput) { g.Persons[1].Surname = "Ra\nhimi" }, EINVALID, "persons[1].surname", nil},
		{"invalid UTF-8 in name", func(g *GroupInput) { g.Persons[1].Surname = "Ra\xffhimi" }, EINVALID, "persons[1].surname", nil},
		{"bad person id", func(g *GroupInput) { g.Persons[1].ID = "a 2" }, EINVALID, "persons[1].id", nil},
		{"empty person id", func(g *GroupInput) { g.Persons[1].ID = "" }, EINVALID, "persons[1].id", nil},
		{"unknown nation", func(g *GroupInput) { g.Nation = "FRA" }, EINVALID, "nation", nil},
		{"bad group id", func(g *GroupInput) { g.ID = "-a" }, EINVALID, "id", nil},
		{"empty group id", func(g *GroupInput) { g.ID = "" }, EINVALID, "id", nil},
		{"control character in group name", func(g *GroupInput) { g.Name = "a\x1bb" }, EINVALID, "name", nil},
		{"no persons", func(g *GroupInput) { g.Persons = nil }, EINVALID, "persons", nil},
		{"group too large", func(g *GroupInput) {
			for i := 3; i <= MaxGroupSize+1; i++ {
				p := member(fmt.Sprintf("a-%d", i))
				g.Persons = append(g.Persons, p)
			}
		}, EINVALID, "persons", nil},
		{"duplicate document in the batch", func(g *GroupInput) { g.Persons[1].Documents[0].Number = docOf("a-1") }, ECONFLICT, "persons[1].documents", map[string]any{"person_id": "a-1"}},
		{"duplicate document in the batch, once normalized", func(g *GroupInput) { g.Persons[1].Documents[0].Number = "p a-1" }, ECONFLICT, "persons[1].documents", map[string]any{"person_id": "a-1"}},
		{"document registered before", func(g *GroupInput) { g.Persons[1].Documents[0].Number = docOf("old-1") }, ECONFLICT, "persons[1].documents", map[string]any{"person_id": "old-1"}},
		{"duplicate person id in the batch", func(g *GroupInput) { g.Persons[1].ID = "a-1" }, ECONFLICT, "", map[string]any{"id": "a-1"}},
		{"person id registered before", func(g *GroupInput) { g.Persons[1].ID = "old-1" }, ECONFLICT, "", map[string]any{"id": "old-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.register("old", 1)
			g := groupInput("a", 2)
			tt.edit(&g)
			e := f.refuse(RegisterGroup{g}, tt.code)
			if got, _ := e.Details["field"].(string); got != tt.field {
				t.Errorf("field = %q, want %q (error: %v)", got, tt.field, e)
			}
			for k, want := range tt.detail {
				if got := e.Details[k]; got != want {
					t.Errorf("details[%q] = %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestRegistrationAccepts(t *testing.T) {
	f := newFixture(t)
	g := groupInput("a", 3)
	g.Name = "  Family Rahimi  "
	g.Persons[0].Surname = "  Rahimi "
	g.Persons[0].Documents = append(g.Persons[0].Documents, Document{Type: "visa", Number: " sv-123 456 "})
	g.Persons[1].BirthDate = "2021-08-20" // born today
	g.Persons[1].Sex = ""
	g.Persons[2].Documents = nil
	g.Persons[2].GivenNames = "" // a surname is enough
	f.exec(RegisterGroup{g})
	s := f.s
	if got := s.Groups["a"].Name; got != "Family Rahimi" {
		t.Errorf("group name %q", got)
	}
	if got := s.Persons["a-1"].Surname; got != "Rahimi" {
		t.Errorf("surname %q", got)
	}
	if got := s.Persons["a-1"].Documents[1].Number; got != "SV123456" {
		t.Errorf("normalized document %q", got)
	}
	if got := s.Documents["SV123456"]; got != "a-1" {
		t.Errorf("Documents[SV123456] = %q", got)
	}
	if p, err := s.PersonByDocument("sv 123-456"); err != nil || p.ID != "a-1" {
		t.Errorf("PersonByDocument: %v, %v", p, err)
	}
	if len(s.Persons["a-3"].Documents) != 0 {
		t.Errorf("a-3 documents %v", s.Persons["a-3"].Documents)
	}

	// Persons join an existing group while none of it is staged.
	f.exec(RegisterGroup{GroupInput{ID: "a", Nation: "USA", Persons: []PersonInput{member("a-4")}}})
	if got, want := s.Groups["a"].Members, []string{"a-1", "a-2", "a-3", "a-4"}; !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	f.checkRefold()
}

func TestRegisterGroups(t *testing.T) {
	f := newFixture(t)
	out := f.exec(RegisterGroups{Groups: []GroupInput{groupInput("a", 2), groupInput("b", 1)}}).(Registration)
	want := Registration{Persons: 3, Groups: map[string][]string{"a": {"a-1", "a-2"}, "b": {"b-1"}}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}

	// All or none.
	bad := groupInput("d", 1)
	bad.Persons[0].Sex = "?"
	e := f.refuse(RegisterGroups{Groups: []GroupInput{groupInput("c", 1), bad}}, EINVALID)
	if got := e.Details["field"]; got != "groups[1].persons[0].sex" {
		t.Errorf("field %v", got)
	}
	e = f.refuse(RegisterGroups{Groups: []GroupInput{groupInput("c", 1), groupInput("c", 1)}}, EINVALID)
	if got := e.Details["field"]; got != "groups[1].id" {
		t.Errorf("field %v", got)
	}
	e = f.refuse(RegisterGroups{}, EINVALID)
	if got := e.Details["field"]; got != "groups" {
		t.Errorf("field %v", got)
	}
	f.checkRefold()
}

func TestRegisterPersonsBatch(t *testing.T) {
	f := newFixture(t)
	rp := func(gid, id string) RegisterPerson {
		return RegisterPerson{Nation: "USA", GroupID: gid, GroupName: "Group " + gid, PersonInput: member(id)}
	}
	cmd := &RegisterPersons{Persons: []RegisterPerson{
		rp("fam", "p1"), rp("solo", "p2"), rp("fam", "p3"), rp("", "p4"), rp("fam", "p5"),
	}}
	AssignIDs(cmd, func(prefix string) string { return prefix + "new" })
	out := f.exec(cmd).(Registration)
	want := Registration{Persons: 5, Groups: map[string][]string{
		"fam": {"p1", "p3", "p5"}, "solo": {"p2"}, "Gnew": {"p4"},
	}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
	if got := f.s.Groups["fam"]; got.Name != "Group fam" || !slices.Equal(got.Members, []string{"p1", "p3", "p5"}) {
		t.Errorf("group fam = %+v", got)
	}
	for _, id := range []string{"p1", "p3", "p5"} {
		if g := f.s.Persons[id].GroupID; g != "fam" {
			t.Errorf("%s in group %s", id, g)
		}
	}
	if len(f.s.Groups) != 3 {
		t.Errorf("%d groups, want 3", len(f.s.Groups))
	}
	f.checkRefold()

	t.Run("nation differs within a group", func(t *testing.T) {
		f := newFixture(t)
		other := rp("fam", "p3")
		other.Nation = "DEU"
		e := f.refuse(RegisterPersons{Persons: []RegisterPerson{rp("fam", "p1"), rp("x", "p2"), other}}, EINVALID)
		if got := e.Details["field"]; got != "persons[2].nation" {
			t.Errorf("field %v", got)
		}
	})
	t.Run("no group id", func(t *testing.T) {
		f := newFixture(t)
		e := f.refuse(RegisterPersons{Persons: []RegisterPerson{rp("", "p1")}}, EINVALID)
		if got := e.Details["field"]; got != "persons[0].group_id" {
			t.Errorf("field %v", got)
		}
	})
	t.Run("duplicate document across groups", func(t *testing.T) {
		f := newFixture(t)
		dup := rp("y", "p2")
		dup.Documents[0].Number = docOf("p1")
		e := f.refuse(RegisterPersons{Persons: []RegisterPerson{rp("x", "p1"), dup}}, ECONFLICT)
		if got := e.Details["person_id"]; got != "p1" {
			t.Errorf("person_id %v", got)
		}
	})
	t.Run("more than MaxBatch", func(t *testing.T) {
		f := newFixture(t)
		persons := make([]RegisterPerson, MaxBatch+1)
		for i := range persons {
			persons[i] = RegisterPerson{Nation: "USA", GroupID: fmt.Sprintf("g%d", i/50),
				PersonInput: PersonInput{ID: fmt.Sprintf("p%d", i), Surname: "X", Nationality: "AFG", Category: "at_risk"}}
		}
		f.refuse(RegisterPersons{Persons: persons}, ETOOLARGE)
		groups := make([]GroupInput, 0, (MaxBatch+1)/50+1)
		for i, p := range persons {
			if i%50 == 0 {
				groups = append(groups, GroupInput{ID: p.GroupID, Nation: "USA"})
			}
			groups[len(groups)-1].Persons = append(groups[len(groups)-1].Persons, p.PersonInput)
		}
		f.refuse(RegisterGroups{Groups: groups}, ETOOLARGE)

		// Exactly MaxBatch is accepted.
		events, err := f.s.Decide(RegisterPersons{Persons: persons[:MaxBatch]}, f.env())
		if err != nil {
			t.Fatalf("MaxBatch persons: %v", err)
		}
		if want := MaxBatch + MaxBatch/50; len(events) != want {
			t.Errorf("%d events, want %d", len(events), want)
		}
	})
}

func TestAssignIDs(t *testing.T) {
	n := 0
	newID := func(prefix string) string {
		n++
		return fmt.Sprintf("%s%03d", prefix, n)
	}
	rg := &RegisterGroup{GroupInput{Persons: []PersonInput{{}, {ID: "keep"}, {}}}}
	rgs := &RegisterGroups{Groups: []GroupInput{{ID: "G-keep", Persons: []PersonInput{{}}}, {Persons: []PersonInput{{}}}}}
	rp := &RegisterPerson{}
	rps := &RegisterPersons{Persons: []RegisterPerson{{GroupID: "shared"}, {}, {PersonInput: PersonInput{ID: "keep2"}}}}
	sf := &ScheduleFlight{}
	sfKeep := &ScheduleFlight{FlightInput{ID: "RCH1"}}
	for _, cmd := range []Command{rg, rgs, rp, rps, sf, sfKeep, &Scan{}} {
		AssignIDs(cmd, newID)
	}
	got := []string{
		rg.ID, rg.Persons[0].ID, rg.Persons[1].ID, rg.Persons[2].ID,
		rgs.Groups[0].ID, rgs.Groups[0].Persons[0].ID, rgs.Groups[1].ID, rgs.Groups[1].Persons[0].ID,
		rp.GroupID, rp.ID,
		rps.Persons[0].GroupID, rps.Persons[0].ID, rps.Persons[1].GroupID, rps.Persons[1].ID, rps.Persons[2].GroupID, rps.Persons[2].ID,
		sf.ID, sfKeep.ID,
	}
	want := []string{
		"G001", "P002", "keep", "P003",
		"G-keep", "P004", "G005", "P006",
		"G007", "P008",
		"shared", "P009", "G010", "P011", "G012", "keep2",
		"F013", "RCH1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestScheduleFlightValidation(t *testing.T) {
	intp := func(n int) *int { return &n }
	tests := []struct {
		name  string
		edit  func(in *FlightInput)
		field string // "" if accepted
		seats int
	}{
		{"C-17 standard seats", func(in *FlightInput) {}, "", 102},
		{"C-17 at the operation's maximum", func(in *FlightInput) { in.Seats = 823 }, "", 823},
		{"C-17 above the operation's maximum", func(in *FlightInput) { in.Seats = 824 }, "seats", 0},
		{"C-130H above its standard seats", func(in *FlightInput) { in.Aircraft, in.Seats = "C-130H", 93 }, "seats", 0},
		{"C-130H standard", func(in *FlightInput) { in.Aircraft = "C-130H" }, "", 92},
		{"A400M fewer seats", func(in *FlightInput) { in.Aircraft, in.Seats = "A400M", 7 }, "", 7},
		{"negative seats", func(in *FlightInput) { in.Seats = -1 }, "seats", 0},
		{"charter without seats", func(in *FlightInput) { in.Aircraft = "charter" }, "seats", 0},
		{"charter with seats", func(in *FlightInput) { in.Aircraft, in.Seats = "charter", 400 }, "", 400},
		{"charter above the largest airliner", func(in *FlightInput) { in.Aircraft, in.Seats = "charter", charterMaxSeats+1 }, "seats", 0},
		{"unknown aircraft", func(in *FlightInput) { in.Aircraft = "B-52" }, "aircraft", 0},
		{"unknown operator", func(in *FlightInput) { in.Operator = "FRA" }, "operator", 0},
		{"litters above the positions", func(in *FlightInput) { in.Litters = intp(37) }, "litters", 0},
		{"litters on a KC-10", func(in *FlightInput) { in.Aircraft, in.Litters = "KC-10", intp(1) }, "litters", 0},
		{"negative litters", func(in *FlightInput) { in.Litters = intp(-1) }, "litters", 0},
		{"no slot", func(in *FlightInput) { in.Slot = time.Time{} }, "slot", 0},
		{"no destination", func(in *FlightInput) { in.Destination = " " }, "destination", 0},
		{"destination too long", func(in *FlightInput) { in.Destination = strings.Repeat("x", 65) }, "destination", 0},
		{"no callsign", func(in *FlightInput) { in.Callsign = "" }, "callsign", 0},
		{"callsign too long", func(in *FlightInput) { in.Callsign = "REACH-871-HEAVY-X" }, "callsign", 0},
		{"bad id", func(in *FlightInput) { in.ID = "F 1" }, "id", 0},
		{"no id", func(in *FlightInput) { in.ID = "" }, "id", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			in := flightInput("F1", 0)
			tt.edit(&in)
			if tt.field != "" {
				e := f.refuse(ScheduleFlight{in}, EINVALID)
				if got := e.Details["field"]; got != tt.field {
					t.Errorf("field = %v, want %q (error: %v)", got, tt.field, e)
				}
				return
			}
			fl := f.exec(ScheduleFlight{in}).(*Flight)
			if fl.Seats != tt.seats {
				t.Errorf("seats = %d, want %d", fl.Seats, tt.seats)
			}
		})
	}

	t.Run("slot is stored in UTC", func(t *testing.T) {
		f := newFixture(t)
		in := flightInput("F1", 0)
		in.Slot = time.Date(2021, 8, 20, 14, 30, 0, 0, time.FixedZone("AFT", 4*3600+1800))
		fl := f.exec(ScheduleFlight{in}).(*Flight)
		if fl.Slot.Location() != time.UTC || !fl.Slot.Equal(t0) {
			t.Errorf("slot %v", fl.Slot)
		}
	})
}

func TestPolicyValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *Policy)
		field string
	}{
		{"no name", func(p *Policy) { p.Name = " " }, "name"},
		{"no nations", func(p *Policy) { p.Nations = nil }, "nations"},
		{"lower-case nation", func(p *Policy) { p.Nations[1] = "deu" }, "nations"},
		{"nation twice", func(p *Policy) { p.Nations = append(p.Nations, "USA") }, "nations"},
		{"no categories", func(p *Policy) { p.Categories = nil }, "categories"},
		{"bad category code", func(p *Policy) { p.Categories[0].Code = "Own Citizen" }, "categories"},
		{"rank zero", func(p *Policy) { p.Categories[0].Rank = 0 }, "categories"},
		{"rank 100", func(p *Policy) { p.Categories[0].Rank = 100 }, "categories"},
		{"category twice", func(p *Policy) { p.Categories = append(p.Categories, p.Categories[0]) }, "categories"},
		{"max seats of an unknown type", func(p *Policy) { p.MaxSeats["B-747"] = 500 }, "max_seats"},
		{"max seats below standard", func(p *Policy) { p.MaxSeats["C-17"] = 101 }, "max_seats"},
		{"max seats above 1000", func(p *Policy) { p.MaxSeats["C-17"] = 1001 }, "max_seats"},
		{"load guard above 1", func(p *Policy) { p.LoadGuard = new(1.5) }, "load_guard"},
		{"negative load guard", func(p *Policy) { p.LoadGuard = new(-0.1) }, "load_guard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			tt.edit(&p)
			s := NewState()
			events, err := s.Decide(ConfigureOperation{Policy: p}, Envelope{Time: t0})
			if ErrorCode(err) != EINVALID || events != nil {
				t.Fatalf("got %d events, error %v; want EINVALID", len(events), err)
			}
			var e *Error
			errors.As(err, &e)
			if got := e.Details["field"]; got != tt.field {
				t.Errorf("field = %v, want %q", got, tt.field)
			}
			if s.Policy != nil {
				t.Errorf("policy set")
			}
		})
	}
	if err := testPolicy().Validate(); err != nil {
		t.Errorf("test policy: %v", err)
	}

	t.Run("charter maximum of zero seats", func(t *testing.T) {
		p := testPolicy()
		p.MaxSeats["charter"] = 0
		err := p.Validate()
		if ErrorCode(err) != EINVALID {
			t.Errorf("Validate: %v, want EINVALID", err)
		}
	})
}

func TestPolicySeatLimit(t *testing.T) {
	p := testPolicy()
	for _, tt := range []struct {
		t    AircraftType
		want int
	}{
		{"C-17", 823}, {"C-130H", 92}, {"C-130J-30", 128}, {"A400M", 114}, {"KC-10", 75}, {"charter", charterMaxSeats},
	} {
		if got := p.SeatLimit(tt.t); got != tt.want {
			t.Errorf("SeatLimit(%s) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

// script is a day at the gate: every kind of command, with fixed ids.
func script() []Command {
	medical := true
	return []Command{
		ConfigureOperation{Policy: testPolicy()},
		AddSite{Site{ID: gate, Kind: Gate}},
		AddSite{Site{ID: hold, Kind: Holding}},
		AddSite{Site{ID: ramp, Kind: Ramp}},
		RegisterGroup{groupInput("fam", 3)},
		RegisterPersons{Persons: []RegisterPerson{
			{Nation: "USA", GroupID: "b", PersonInput: member("b-1")},
			{Nation: "USA", GroupID: "c", PersonInput: member("c-1")},
			{Nation: "USA", GroupID: "b", PersonInput: member("b-2")},
		}},
		CallGroup{GroupID: "fam", Gate: gate, WindowStart: t0, WindowEnd: t0.Add(2 * time.Hour)},
		Scan{PersonID: "fam-1", Site: gate}, Scan{PersonID: "fam-2", Site: gate}, Scan{Document: "pfam3", Site: gate},
		Scan{PersonID: "b-1", Site: gate}, Scan{PersonID: "b-2", Site: gate}, Scan{PersonID: "c-1", Site: gate},
		Screen{PersonID: "fam-1", Decision: Cleared}, Screen{PersonID: "fam-2", Decision: Cleared},
		Screen{PersonID: "fam-3", Decision: Cleared, Medical: &medical},
		Screen{PersonID: "b-1", Decision: Cleared}, Screen{PersonID: "b-2", Decision: Cleared},
		Screen{PersonID: "c-1", Decision: Denied, Reason: "not eligible"},
		Scan{PersonID: "fam-1", Site: hold}, Scan{PersonID: "fam-2", Site: hold}, Scan{PersonID: "fam-3", Site: hold},
		Scan{PersonID: "b-1", Site: hold}, Scan{PersonID: "b-2", Site: hold},
		ScheduleFlight{flightInput("F1", 0)},
		ScheduleFlight{flightInput("F2", 0)},
		ManifestGroup{FlightID: "F1", GroupID: "fam"},
		ManifestGroup{FlightID: "F1", GroupID: "b"},
		OffloadGroup{FlightID: "F1", GroupID: "b", Reason: "next flight"},
		ManifestGroup{FlightID: "F2", GroupID: "b"},
		FlightAction{FlightID: "F1", Action: ActionBoarding},
		FlightAction{FlightID: "F2", Action: ActionBoarding},
		Scan{PersonID: "fam-2", Site: ramp},
		FlightAction{FlightID: "F1", Action: ActionClose},
		FlightAction{FlightID: "F1", Action: ActionDepart},
		FlightAction{FlightID: "F2", Action: ActionDepart}, // b no-shows
		FlightAction{FlightID: "F1", Action: ActionArrive},
		ScheduleFlight{flightInput("F3", 0)},
		ManifestGroup{FlightID: "F3", GroupID: "b"},
		FlightAction{FlightID: "F3", Action: ActionCancel, Reason: "hub full"},
	}
}

// runScript executes the script on a fresh state with envelopes derived from
// the command's position.
func runScript(t *testing.T) (*State, []Event) {
	t.Helper()
	s := NewState()
	var all []Event
	for i, cmd := range script() {
		env := Envelope{Actor: "officer", Site: gate, Key: fmt.Sprintf("k%02d", i), Time: t0.Add(time.Duration(i) * time.Minute)}
		events, _, err := s.Execute(cmd, env)
		if err != nil {
			t.Fatalf("command %d %T: %v", i, cmd, err)
		}
		for _, e := range events {
			if e.Key != env.Key || e.Actor != env.Actor || e.Site != env.Site || !e.Time.Equal(env.Time) || e.Seq != 0 {
				t.Fatalf("command %d: event %s does not carry the envelope: %+v", i, e.Type, e)
			}
		}
		all = append(all, events...)
	}
	return s, all
}

func TestDeterminism(t *testing.T) {
	s1, events1 := runScript(t)
	s2, events2 := runScript(t)
	if diff := cmp.Diff(events1, events2); diff != "" {
		t.Errorf("events differ between runs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(s1, s2, ignoreIndexes); diff != "" {
		t.Errorf("states differ between runs (-first +second):\n%s", diff)
	}

	// Deciding one command twice against one state gives the same events.
	f := newFixture(t)
	f.staged("a", 3)
	f.staged("b", 2)
	f.schedule("F1", 0)
	f.manifest("F1", "a")
	f.manifest("F1", "b")
	f.act("F1", ActionBoarding)
	f.exec(BoardGroup{FlightID: "F1", GroupID: "b"})
	env := f.env()
	for _, cmd := range []Command{
		FlightAction{FlightID: "F1", Action: ActionDepart},
		FlightAction{FlightID: "F1", Action: ActionCancel, Reason: "x"},
		RegisterGroup{groupInput("c", 5)},
	} {
		e1, err1 := f.s.Decide(cmd, env)
		e2, err2 := f.s.Decide(cmd, env)
		if err1 != nil || err2 != nil {
			t.Fatalf("%T: %v, %v", cmd, err1, err2)
		}
		if diff := cmp.Diff(e1, e2); diff != "" {
			t.Errorf("%T: events differ (-first +second):\n%s", cmd, diff)
		}
	}
}

func TestErrorCode(t *testing.T) {
	e := Errorf(ECONFLICT, "flight %s is full", "F1").With("flight_id", "F1")
	tests := []struct {
		err      error
		code     string
		message  string
		wantText string
	}{
		{nil, "", "internal error", ""},
		{errors.New("disk on fire"), EINTERNAL, "internal error", "disk on fire"},
		{e, ECONFLICT, "flight F1 is full", "flight F1 is full"},
		{fmt.Errorf("manifest: %w", e), ECONFLICT, "flight F1 is full", "manifest: flight F1 is full"},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := ErrorMessage(tt.err); got != tt.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.message)
		}
		if tt.err != nil && tt.err.Error() != tt.wantText {
			t.Errorf("Error() = %q, want %q", tt.err.Error(), tt.wantText)
		}
	}
	if got := e.Details["flight_id"]; got != "F1" {
		t.Errorf("details %v", e.Details)
	}
}

func TestImplausibleTimes(t *testing.T) {
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -(23*3600+59*60))) // year 10000 in UTC
	tests := []struct {
		name  string
		cmd   func(f *fixture) Command
		field string
	}{
		{"slot in year 10000", func(f *fixture) Command {
			return ScheduleFlight{FlightInput{ID: "F9", Callsign: "RCH9", Operator: "USA", Aircraft: "C-17", Slot: far, Destination: "Qatar"}}
		}, "slot"},
		{"slot in year 1", func(f *fixture) Command {
			return ScheduleFlight{FlightInput{ID: "F9", Callsign: "RCH9", Operator: "USA", Aircraft: "C-17", Slot: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), Destination: "Qatar"}}
		}, "slot"},
		{"window end in year 10000", func(f *fixture) Command {
			f.register("a", 1)
			return CallGroup{GroupID: "a", Gate: gate, WindowStart: t0, WindowEnd: far}
		}, "window_end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			e := f.refuse(tt.cmd(f), EINVALID)
			if got := e.Details["field"]; got != tt.field {
				t.Errorf("field = %v, want %q", got, tt.field)
			}
		})
	}
}

// TestSplitGroup: a family member denied at screening is split off, so the
// others can fly; once a group is on a manifest it can no longer be split.
func TestSplitGroup(t *testing.T) {
	f := newFixture(t)
	ids := f.register("fam", 3)
	for _, id := range ids {
		f.exec(Scan{PersonID: id, Site: gate})
	}
	f.exec(Screen{PersonID: ids[0], Decision: Cleared})
	f.exec(Screen{PersonID: ids[1], Decision: Cleared})
	f.exec(Screen{PersonID: ids[2], Decision: Denied, Reason: "not eligible"})
	f.exec(Scan{PersonID: ids[0], Site: hold})
	f.exec(Scan{PersonID: ids[1], Site: hold})
	f.schedule("F1", 0)
	f.refuse(ManifestGroup{FlightID: "F1", GroupID: "fam"}, ECONFLICT) // one member is not staged

	got := f.exec(SplitGroup{GroupID: "fam", Persons: []string{ids[2]}, NewGroupID: "fam-denied"}).(SplitResult)
	if !slices.Equal(got.Group.Group.Members, ids[:2]) || !slices.Equal(got.NewGroup.Group.Members, ids[2:]) {
		t.Fatalf("after the split: %v and %v", got.Group.Group.Members, got.NewGroup.Group.Members)
	}
	if p := f.s.Persons[ids[2]]; p.GroupID != "fam-denied" || p.Stage != Screened || p.Screening != Denied {
		t.Errorf("the denied member after the split: %+v", p)
	}
	if got.NewGroup.Group.Nation != got.Group.Group.Nation {
		t.Errorf("the new group's nation %s differs from %s", got.NewGroup.Group.Nation, got.Group.Group.Nation)
	}
	f.manifest("F1", "fam")
	f.checkFlight("F1", flightWant{Status: StatusScheduled, Manifested: 2})

	e := f.refuse(SplitGroup{GroupID: "fam", Persons: []string{ids[1]}, NewGroupID: "late"}, ECONFLICT)
	if e.Details["stage"] != Manifested {
		t.Errorf("split of a manifested group: details %v", e.Details)
	}
	f.refuse(SplitGroup{GroupID: "fam-denied", Persons: []string{ids[2]}, NewGroupID: "x"}, EINVALID) // nobody would stay
	f.refuse(SplitGroup{GroupID: "fam", Persons: []string{ids[2]}, NewGroupID: "x"}, ECONFLICT)       // fam is manifested
	f.checkRefold()
}

// ignoreIndexes leaves out the state's derived indexes, which are built on
// first use.
var ignoreIndexes = cmpopts.IgnoreUnexported(State{})
