package manifest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"airbridge"
)

// day is when the states of these tests begin: 20 August 2021, 06:00Z.
var day = time.Date(2021, 8, 20, 6, 0, 0, 0, time.UTC)

// world is a State built by executing domain commands, one a minute from day.
type world struct {
	t    *testing.T
	s    *airbridge.State
	n    int
	last time.Time // when the last command was executed
}

// newWorld configures an operation with p, a gate, a holding area and the
// given sites.
func newWorld(t *testing.T, p airbridge.Policy, sites ...airbridge.Site) *world {
	t.Helper()
	w := &world{t: t, s: airbridge.NewState()}
	w.exec(airbridge.ConfigureOperation{Policy: p})
	sites = append([]airbridge.Site{{ID: "gate", Kind: airbridge.Gate}, {ID: "hold", Kind: airbridge.Holding}}, sites...)
	for _, site := range sites {
		w.exec(airbridge.AddSite{Site: site})
	}
	return w
}

func testPolicy() airbridge.Policy {
	return airbridge.Policy{
		Name:       "Kabul 2021",
		Nations:    []string{"USA", "DEU", "GBR"},
		Categories: airbridge.DefaultCategories(),
	}
}

// try executes cmd a minute after the previous command.
func (w *world) try(cmd airbridge.Command) error {
	w.n++
	w.last = day.Add(time.Duration(w.n) * time.Minute)
	_, _, err := w.s.Execute(cmd, airbridge.Envelope{Actor: "test", Key: fmt.Sprint("key-", w.n), Time: w.last})
	return err
}

// exec executes cmd and fails the test if it is refused.
func (w *world) exec(cmd airbridge.Command) {
	w.t.Helper()
	if err := w.try(cmd); err != nil {
		w.t.Fatalf("execute %T: %v", cmd, err)
	}
}

// pax describes a person to register.
type pax struct {
	nationality, category string
	litter                bool
}

var (
	afgStaff = pax{"AFG", "local_staff", false}
	usaOwn   = pax{"USA", "own_citizen", false}
)

// register registers group gid of nation with persons gid-1, gid-2, ….
func (w *world) register(gid, nation string, persons ...pax) {
	w.t.Helper()
	in := airbridge.GroupInput{ID: gid, Nation: nation}
	for i, p := range persons {
		in.Persons = append(in.Persons, airbridge.PersonInput{
			ID: fmt.Sprintf("%s-%d", gid, i+1), Surname: "Test", Nationality: p.nationality, Category: p.category,
			Needs: airbridge.Needs{Litter: p.litter},
		})
	}
	w.exec(airbridge.RegisterGroup{GroupInput: in})
}

// stage takes every member of group gid from registered to staged.
func (w *world) stage(gid string) {
	w.t.Helper()
	for _, id := range w.s.Groups[gid].Members {
		w.exec(airbridge.Scan{PersonID: id, Site: "gate"})
		w.exec(airbridge.Screen{PersonID: id, Decision: airbridge.Cleared})
		w.exec(airbridge.Scan{PersonID: id, Site: "hold"})
	}
}

// staged registers and stages a group and returns when it was staged.
func (w *world) staged(gid, nation string, persons ...pax) time.Time {
	w.t.Helper()
	w.register(gid, nation, persons...)
	w.stage(gid)
	return w.last
}

// flight schedules a C-17 with the given seats and litter positions.
func (w *world) flight(id, operator string, seats, litters int, slot time.Time, dest string) {
	w.t.Helper()
	w.exec(airbridge.ScheduleFlight{FlightInput: airbridge.FlightInput{
		ID: id, Callsign: id, Operator: operator, Aircraft: "C-17", Seats: seats, Litters: &litters,
		Slot: slot, Destination: dest,
	}})
}

func (w *world) manifest(fid, gid string) {
	w.t.Helper()
	w.exec(airbridge.ManifestGroup{FlightID: fid, GroupID: gid})
}

func (w *world) board(fid, gid string) {
	w.t.Helper()
	w.exec(airbridge.BoardGroup{FlightID: fid, GroupID: gid})
}

func (w *world) act(fid, action string) {
	w.t.Helper()
	w.exec(airbridge.FlightAction{FlightID: fid, Action: action, Reason: "test"})
}

// plan builds the plan for req and fails the test on an error.
func (w *world) plan(req PlanRequest) *Plan {
	w.t.Helper()
	p, err := FromState(w.s, req)
	if err != nil {
		w.t.Fatalf("FromState(%+v): %v", req, err)
	}
	return p
}

// publishes fails the test unless the domain would publish the manifests
// and standby lists of pr as they are. It leaves the state unchanged.
func (w *world) publishes(pr *Proposal) {
	w.t.Helper()
	if len(pr.Flights) == 0 {
		return
	}
	var cmd airbridge.PublishManifest
	for _, f := range pr.Flights {
		cmd.Flights = append(cmd.Flights, airbridge.FlightManifest{FlightID: f.FlightID, Groups: f.Groups, Standby: f.Standby})
	}
	if _, err := w.s.Decide(cmd, airbridge.Envelope{Time: w.last}); err != nil {
		w.t.Errorf("the domain refuses to publish the proposal: %v", err)
	}
}

var equateEmpty = cmpopts.EquateEmpty()

func TestFromStateFixedAndReplan(t *testing.T) {
	w := newWorld(t, testPolicy())
	slot := day.Add(6 * time.Hour)
	w.flight("F1", "USA", 10, 36, slot, "Ramstein")
	w.flight("F0", "USA", 20, 0, slot.Add(-time.Hour), "Rota")
	w.flight("F9", "USA", 20, 0, slot, "Rota") // closed: not planned
	readyA := w.staged("A", "USA", usaOwn, usaOwn)
	w.staged("B", "USA", afgStaff, afgStaff, afgStaff)
	w.manifest("F1", "B")
	readyB := w.last
	w.register("C", "USA", afgStaff) // not staged
	w.staged("D", "USA", afgStaff)
	w.manifest("F9", "D")
	w.act("F9", airbridge.ActionBoarding)
	w.board("F9", "D")
	w.act("F9", airbridge.ActionClose)

	wantGroups := []Group{
		{ID: "A", Size: 2, Priority: 1, Nationality: "USA", Category: "own_citizen", Ready: readyA},
		{ID: "B", Size: 3, Priority: 2, Nationality: "AFG", Category: "local_staff", Ready: readyB},
	}
	wantFlights := []Flight{
		{ID: "F0", Operator: "USA", Seats: 20, Departure: slot.Add(-time.Hour), Destination: "Rota"},
		// A C-17 cut to 10 seats keeps 36 litter positions; each litter takes a seat.
		{ID: "F1", Operator: "USA", Seats: 10, Litters: 10, Departure: slot, Destination: "Ramstein"},
	}
	for _, tc := range []struct {
		replan bool
		fixed  map[string]string
	}{
		{false, map[string]string{"B": "F1"}},
		{true, nil},
	} {
		t.Run(fmt.Sprint("replan=", tc.replan), func(t *testing.T) {
			p := w.plan(PlanRequest{Replan: tc.replan, Now: w.last})
			want := &Instance{Weights: map[string]float64{"1": 8, "2": 4}, Groups: wantGroups, Flights: wantFlights, Fixed: tc.fixed}
			if diff := cmp.Diff(want, p.Instance, equateEmpty); diff != "" {
				t.Errorf("instance (-want +got):\n%s", diff)
			}
			wantPlanned := []PlannedFlight{{ID: "F0", Seats: 20}, {ID: "F1", Seats: 10, Litters: 36, Current: []string{"B"}}}
			if diff := cmp.Diff(wantPlanned, p.Flights, equateEmpty); diff != "" {
				t.Errorf("planned flights (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromStateReadyBound(t *testing.T) {
	w := newWorld(t, testPolicy())
	staged := w.staged("A", "USA", usaOwn)
	early := staged.Add(-time.Minute) // a late departure
	w.flight("F1", "USA", 10, 0, early, "Rota")
	w.flight("F2", "USA", 10, 0, day.Add(5*time.Hour), "Rota")
	for _, tc := range []struct {
		name string
		req  PlanRequest
		want time.Time
	}{
		{"earliest departure", PlanRequest{}, early},
		{"only the later flight", PlanRequest{Flights: []string{"F2"}}, staged},
		{"now", PlanRequest{Flights: []string{"F2"}, Now: staged.Add(-time.Minute)}, staged.Add(-time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.plan(tc.req).Instance.Groups[0].Ready; !got.Equal(tc.want) {
				t.Errorf("ready %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFromStateMixedGroups(t *testing.T) {
	policy := testPolicy()
	policy.Carriers = map[string]airbridge.Acceptance{
		"DEU": {Nationalities: []string{"DEU", "AFG"}},
		"GBR": {Categories: []string{"own_citizen", "local_staff"}},
	}
	w := newWorld(t, policy)
	slot := day.Add(6 * time.Hour)
	w.flight("FU", "USA", 50, 0, slot, "Ramstein")
	w.flight("FD", "DEU", 50, 0, slot, "Ramstein")
	w.flight("FG", "GBR", 50, 0, slot, "Ramstein")
	w.staged("afg-usa", "USA", afgStaff, usaOwn)
	w.staged("afg-deu", "DEU", afgStaff, pax{"DEU", "own_citizen", false})
	w.staged("staff-risk", "USA", afgStaff, pax{"AFG", "at_risk", false})
	w.staged("usa", "USA", usaOwn)
	p := w.plan(PlanRequest{})

	for _, tc := range []struct {
		group, nationality, category string
		flights                      []string // those that take it
	}{
		{"afg-usa", "AFG+USA", "local_staff+own_citizen", []string{"FG", "FU"}},
		{"afg-deu", "AFG+DEU", "local_staff+own_citizen", []string{"FD", "FG", "FU"}},
		{"staff-risk", "AFG", "at_risk+local_staff", []string{"FD", "FU"}},
		{"usa", "USA", "own_citizen", []string{"FG", "FU"}},
	} {
		i := slices.IndexFunc(p.Instance.Groups, func(g Group) bool { return g.ID == tc.group })
		g := p.Instance.Groups[i]
		if g.Nationality != tc.nationality || g.Category != tc.category {
			t.Errorf("group %s: nationality %q, category %q; want %q, %q", tc.group, g.Nationality, g.Category, tc.nationality, tc.category)
		}
		var got []string
		for _, f := range p.Instance.Flights {
			if Compatible(g, f) {
				got = append(got, f.ID)
			}
		}
		if !slices.Equal(got, tc.flights) {
			t.Errorf("group %s may board %v, want %v", tc.group, got, tc.flights)
		}
	}
	if got, want := w.s.Policy.Carriers["DEU"].Nationalities, []string{"DEU", "AFG"}; !slices.Equal(got, want) {
		t.Errorf("the policy changed: DEU carries %v, want %v", got, want)
	}
}

func TestFromStateRoutes(t *testing.T) {
	policy := testPolicy()
	policy.Routes = map[string][]string{"GBR": {"Ramstein", "OTBH"}}
	w := newWorld(t, policy, airbridge.Site{ID: "OTBH", Kind: airbridge.Hub, Capacity: 100})
	w.flight("R1", "USA", 10, 0, day.Add(2*time.Hour), "Ramstein")
	w.flight("R2", "USA", 10, 0, day.Add(3*time.Hour), "Rota")
	w.flight("H1", "USA", 10, 0, day.Add(4*time.Hour), "OTBH")
	w.flight("H2", "USA", 10, 0, day.Add(26*time.Hour), "OTBH")
	w.staged("gb", "GBR", pax{"GBR", "own_citizen", false})
	w.staged("us", "USA", usaOwn)
	p := w.plan(PlanRequest{})

	for _, tc := range []struct {
		group        string
		destinations []string
		flights      []string
	}{
		{"gb", []string{"Ramstein", "OTBH@2021-08-20", "OTBH@2021-08-21"}, []string{"R1", "H1", "H2"}},
		{"us", nil, []string{"R1", "R2", "H1", "H2"}},
	} {
		i := slices.IndexFunc(p.Instance.Groups, func(g Group) bool { return g.ID == tc.group })
		g := p.Instance.Groups[i]
		if !slices.Equal(g.Destinations, tc.destinations) {
			t.Errorf("group %s: destinations %q, want %q", tc.group, g.Destinations, tc.destinations)
		}
		var got []string
		for _, f := range p.Instance.Flights {
			if Compatible(g, f) {
				got = append(got, f.ID)
			}
		}
		if !slices.Equal(got, tc.flights) {
			t.Errorf("group %s may board %v, want %v", tc.group, got, tc.flights)
		}
	}
}

func TestFromStateHubDays(t *testing.T) {
	for _, tc := range []struct {
		capacity int
		want     []Hub
	}{
		// The 20th: 3 departed, 1 manifested on an unplanned flight, 2
		// boarded on P1. The 21st: 3 fixed on P2, who count in the instance.
		{10, []Hub{{"OTBH@2021-08-20", 4}, {"OTBH@2021-08-21", 10}}},
		{6, []Hub{{"OTBH@2021-08-20", 0}, {"OTBH@2021-08-21", 6}}},
	} {
		t.Run(fmt.Sprint("capacity ", tc.capacity), func(t *testing.T) {
			w := newWorld(t, testPolicy(),
				airbridge.Site{ID: "OTBH", Kind: airbridge.Hub, Capacity: tc.capacity},
				airbridge.Site{ID: "ETAR", Kind: airbridge.Hub}) // no limit
			w.flight("D1", "USA", 10, 0, day.Add(time.Hour), "OTBH")
			w.flight("P1", "USA", 10, 0, day.Add(10*time.Hour), "OTBH")
			w.flight("P2", "USA", 10, 0, day.Add(26*time.Hour), "OTBH")
			w.flight("P3", "USA", 10, 0, day.Add(10*time.Hour), "ETAR")
			w.flight("X", "USA", 10, 0, day.Add(12*time.Hour), "OTBH") // cancelled
			w.flight("Y", "USA", 10, 0, day.Add(17*time.Hour), "OTBH") // not planned
			w.flight("Z", "USA", 10, 0, day.Add(20*time.Hour), "Rota") // not a hub
			w.staged("gone", "USA", afgStaff, afgStaff, afgStaff)
			w.manifest("D1", "gone")
			w.act("D1", airbridge.ActionBoarding)
			w.board("D1", "gone")
			w.act("D1", airbridge.ActionDepart)
			w.staged("on", "USA", afgStaff, afgStaff)
			w.manifest("P1", "on")
			w.act("P1", airbridge.ActionBoarding)
			w.board("P1", "on")
			w.staged("off", "USA", afgStaff)
			w.manifest("X", "off")
			w.act("X", airbridge.ActionCancel)
			w.staged("other", "USA", afgStaff)
			w.manifest("Y", "other")
			w.staged("rota", "USA", afgStaff, afgStaff)
			w.manifest("Z", "rota")
			w.staged("fx", "USA", afgStaff, afgStaff, afgStaff)
			w.manifest("P2", "fx")
			w.staged("wait", "USA", afgStaff)

			p := w.plan(PlanRequest{Flights: []string{"P2", "P1", "P3"}})
			if diff := cmp.Diff(tc.want, p.Instance.Hubs); diff != "" {
				t.Errorf("hubs (-want +got):\n%s", diff)
			}
			var dests []string
			for _, f := range p.Instance.Flights {
				dests = append(dests, f.ID+" "+f.Destination)
			}
			if want := []string{"P1 OTBH@2021-08-20", "P3 ETAR", "P2 OTBH@2021-08-21"}; !slices.Equal(dests, want) {
				t.Errorf("flights' destinations %q, want %q", dests, want)
			}
			if err := Check(p.Instance, Solve(p.Instance)); err != nil {
				t.Errorf("check: %v", err)
			}
		})
	}
}

func TestFromStateBoarded(t *testing.T) {
	w := newWorld(t, testPolicy())
	w.flight("F1", "USA", 10, 2, day.Add(6*time.Hour), "Rota")
	w.staged("b", "USA", afgStaff, afgStaff, pax{"AFG", "local_staff", true})
	w.staged("m", "USA", afgStaff, afgStaff)
	w.staged("s", "USA", afgStaff)
	w.manifest("F1", "b")
	w.manifest("F1", "m")
	w.act("F1", airbridge.ActionBoarding)
	w.board("F1", "b")

	for _, replan := range []bool{false, true} {
		p := w.plan(PlanRequest{Replan: replan})
		f := p.Instance.Flights[0]
		if f.Seats != 7 || f.Litters != 1 {
			t.Errorf("replan=%v: %d seats, %d litters; want 7, 1", replan, f.Seats, f.Litters)
		}
		want := PlannedFlight{ID: "F1", Seats: 10, Litters: 2, Aboard: 3, Current: []string{"m"}}
		if diff := cmp.Diff(want, p.Flights[0], equateEmpty); diff != "" {
			t.Errorf("replan=%v: planned flight (-want +got):\n%s", replan, diff)
		}
		var ids []string
		for _, g := range p.Instance.Groups {
			ids = append(ids, g.ID)
		}
		if want := []string{"m", "s"}; !slices.Equal(ids, want) {
			t.Errorf("replan=%v: groups %v, want %v", replan, ids, want)
		}
	}
}

// TestNewProposalReplanDrops: replanned, a manifested group gives its seats
// to a heavier one; it is not on standby, since it is not staged until the
// manifest is published.
func TestNewProposalReplanDrops(t *testing.T) {
	w := newWorld(t, testPolicy())
	w.flight("F1", "USA", 3, 0, day.Add(6*time.Hour), "Rota")
	w.staged("M", "USA", pax{"AFG", "third_country", false}, pax{"AFG", "third_country", false})
	w.manifest("F1", "M")
	w.staged("A", "USA", usaOwn, usaOwn, usaOwn)
	for _, tc := range []struct {
		replan bool
		want   FlightProposal
		left   int // persons left staged
	}{
		{false, FlightProposal{FlightID: "F1", Seats: 3, Load: 2, Groups: []string{"M"}, Added: []string{}, Standby: []string{"A"}}, 3},
		{true, FlightProposal{FlightID: "F1", Seats: 3, Load: 3, Groups: []string{"A"}, Added: []string{"A"}, Standby: []string{}}, 2},
	} {
		p := w.plan(PlanRequest{Replan: tc.replan})
		pr := NewProposal(p, Solve(p.Instance))
		if diff := cmp.Diff(tc.want, pr.Flights[0]); diff != "" {
			t.Errorf("replan=%v: proposal (-want +got):\n%s", tc.replan, diff)
		}
		if pr.UnassignedGroups != 1 || pr.UnassignedPersons != tc.left {
			t.Errorf("replan=%v: %d groups, %d persons unassigned; want 1, %d", tc.replan, pr.UnassignedGroups, pr.UnassignedPersons, tc.left)
		}
		w.publishes(pr)
	}
}

func TestNewProposal(t *testing.T) {
	policy := testPolicy()
	policy.Carriers = map[string]airbridge.Acceptance{"DEU": {Nationalities: []string{"USA"}}}
	w := newWorld(t, policy)
	w.flight("F2", "DEU", 3, 0, day.Add(8*time.Hour), "Rota")
	w.flight("F1", "USA", 8, 2, day.Add(6*time.Hour), "Rota")
	w.staged("B", "USA", afgStaff) // boards F1
	w.staged("K", "USA", afgStaff, afgStaff)
	w.manifest("F1", "B")
	w.manifest("F1", "K")
	w.act("F1", airbridge.ActionBoarding)
	w.board("F1", "B")
	w.staged("A", "USA", usaOwn, usaOwn, usaOwn)
	w.staged("C", "USA", afgStaff, afgStaff, afgStaff, afgStaff)
	w.staged("D", "USA", pax{"AFG", "at_risk", false}, pax{"AFG", "at_risk", false})
	w.staged("E", "USA", slices.Repeat([]pax{{"AFG", "third_country", false}}, 6)...)
	w.staged("L", "USA", slices.Repeat([]pax{{"AFG", "resident", true}}, 3)...) // more litters than F1 has

	p := w.plan(PlanRequest{})
	sol := Solve(p.Instance)
	if err := Check(p.Instance, sol); err != nil {
		t.Fatal(err)
	}
	// F1 has 8 - 1 - 2 = 5 free seats, F2 takes only Americans: A (3 × 8)
	// on F2, C (4 × 4) on F1, with K (2 × 4) fixed.
	want := &Proposal{
		Objective: 48, Bound: 48,
		Flights: []FlightProposal{
			{FlightID: "F1", Seats: 8, Load: 7, Groups: []string{"K", "C"}, Added: []string{"C"}, Standby: []string{"D", "E"}},
			{FlightID: "F2", Seats: 3, Load: 3, Groups: []string{"A"}, Added: []string{"A"}, Standby: []string{}},
		},
		UnassignedGroups: 3, UnassignedPersons: 11,
	}
	pr := NewProposal(p, sol)
	if diff := cmp.Diff(want, pr); diff != "" {
		t.Errorf("proposal (-want +got):\n%s", diff)
	}
	w.publishes(pr)

	// Replanned, K may move; it stays, and stays listed first.
	p = w.plan(PlanRequest{Replan: true})
	sol = Solve(p.Instance)
	if diff := cmp.Diff(want, NewProposal(p, sol)); diff != "" {
		t.Errorf("replanned proposal (-want +got):\n%s", diff)
	}

	for _, tc := range []struct{ objective, bound, gap float64 }{
		{48, 60, 0.2},
		{48, 48, 0},
		{0, 0, 0},
	} {
		if got := NewProposal(p, &Solution{Objective: tc.objective, Bound: tc.bound, Assignment: sol.Assignment}).Gap; got != tc.gap {
			t.Errorf("objective %v, bound %v: gap %v, want %v", tc.objective, tc.bound, got, tc.gap)
		}
	}
}

func TestNewProposalStandby(t *testing.T) {
	w := newWorld(t, testPolicy())
	w.flight("F1", "USA", 1, 0, day.Add(6*time.Hour), "Rota")
	categories := []string{"third_country", "own_citizen", "at_risk", "local_staff"} // ranks 4, 1, 3, 2
	for i := 1; i <= 12; i++ {
		w.staged(fmt.Sprintf("s%02d", i), "USA", pax{"AFG", categories[i%4], false})
	}
	w.staged("big", "USA", usaOwn, usaOwn) // does not fit the flight at all

	p := w.plan(PlanRequest{})
	got := NewProposal(p, Solve(p.Instance)).Flights[0]
	want := FlightProposal{FlightID: "F1", Seats: 1, Load: 1, Groups: []string{"s01"}, Added: []string{"s01"},
		Standby: []string{"s05", "s09", "s03", "s07", "s11", "s02", "s06", "s10", "s04", "s08"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proposal (-want +got):\n%s", diff)
	}
}

func TestFromStateErrors(t *testing.T) {
	w := newWorld(t, testPolicy())
	w.flight("F1", "USA", 10, 0, day.Add(6*time.Hour), "Rota")
	w.flight("F2", "USA", 10, 0, day.Add(6*time.Hour), "Rota")
	w.act("F2", airbridge.ActionBoarding)
	w.act("F2", airbridge.ActionClose)
	w.flight("F3", "USA", 10, 0, day.Add(6*time.Hour), "Rota")
	w.act("F3", airbridge.ActionCancel)
	for _, tc := range []struct {
		name    string
		s       *airbridge.State
		flights []string
		code    string
		naming  string
	}{
		{"no policy", airbridge.NewState(), nil, airbridge.ECONFLICT, "not configured"},
		{"unknown flight", w.s, []string{"F1", "F404"}, airbridge.ENOTFOUND, "F404"},
		{"closed flight", w.s, []string{"F2"}, airbridge.ECONFLICT, "F2"},
		{"cancelled flight", w.s, []string{"F1", "F3"}, airbridge.ECONFLICT, "F3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromState(tc.s, PlanRequest{Flights: tc.flights})
			if p != nil || airbridge.ErrorCode(err) != tc.code || !strings.Contains(fmt.Sprint(err), tc.naming) {
				t.Errorf("got %v, %v (%s); want an error %s naming %q", p, err, airbridge.ErrorCode(err), tc.code, tc.naming)
			}
		})
	}
}

// randomWorld is a small operation in a random state: groups of mixed
// nationalities and categories in every stage, flights in every status,
// carriers, routes and hubs.
func randomWorld(t *testing.T, seed uint64) *world {
	r := rand.New(rand.NewPCG(seed, 2021))
	policy := testPolicy()
	policy.Carriers = map[string]airbridge.Acceptance{
		"DEU": {Nationalities: []string{"DEU", "AFG"}},
		"GBR": {Categories: []string{"own_citizen", "allied_citizen", "local_staff"}},
	}
	if r.IntN(2) == 0 {
		policy.Routes = map[string][]string{"GBR": {"OTBH", "Ramstein"}, "DEU": {"ETAR"}}
	}
	w := newWorld(t, policy,
		airbridge.Site{ID: "ramp", Kind: airbridge.Ramp},
		airbridge.Site{ID: "OTBH", Kind: airbridge.Hub, Capacity: 1 + r.IntN(15)},
		airbridge.Site{ID: "ETAR", Kind: airbridge.Hub})
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	nations := policy.Nations
	var flights []string
	for i := range 3 + r.IntN(5) {
		id := fmt.Sprint("F", i)
		flights = append(flights, id)
		w.flight(id, pick(nations), 1+r.IntN(12), r.IntN(3), day.Add(time.Duration(r.IntN(48))*time.Hour),
			pick([]string{"OTBH", "ETAR", "Ramstein", "Rota"}))
	}
	var groups []string
	for i := range 6 + r.IntN(10) {
		id := fmt.Sprint("G", i)
		groups = append(groups, id)
		var persons []pax
		nationality, category := pick([]string{"AFG", "AFG", "USA", "DEU", "GBR"}), airbridge.DefaultCategories()[r.IntN(6)].Code
		for range 1 + r.IntN(4) {
			p := pax{nationality, category, r.IntN(8) == 0}
			if r.IntN(4) == 0 { // a mixed group
				p.nationality, p.category = pick([]string{"AFG", "USA", "DEU", "GBR"}), airbridge.DefaultCategories()[r.IntN(6)].Code
			}
			persons = append(persons, p)
		}
		w.register(id, pick(nations), persons...)
		if r.IntN(5) > 0 {
			w.stage(id)
		}
	}
	for range 40 {
		f, g := pick(flights), pick(groups)
		on := w.s.Persons[w.s.Groups[g].Members[0]].FlightID // the group's flight, if any
		var cmd airbridge.Command
		switch r.IntN(12) {
		case 0, 1, 2, 3, 4:
			cmd = airbridge.ManifestGroup{FlightID: f, GroupID: g}
		case 5, 6, 7:
			cmd = airbridge.BoardGroup{FlightID: on, GroupID: g}
		case 8:
			cmd = airbridge.FlightAction{FlightID: f, Action: airbridge.ActionBoarding}
		case 9:
			cmd = airbridge.FlightAction{FlightID: f, Action: pick([]string{airbridge.ActionClose, airbridge.ActionDepart, airbridge.ActionCancel}),
				Reason: "weather", Override: "test"}
		case 10, 11:
			cmd = airbridge.OffloadGroup{FlightID: on, GroupID: g}
		}
		w.try(cmd) // the rules refuse some: that is fine
	}
	return w
}

// takes reports whether the domain's rules let group g board flight f: its
// nation is routed to the flight's destination and the operator carries
// every member.
func takes(s *airbridge.State, g *airbridge.Group, f *airbridge.Flight) bool {
	if !s.Policy.Routed(g.Nation, f.Destination) {
		return false
	}
	for _, id := range g.Members {
		p := s.Persons[id]
		if !s.Policy.Carries(f.Operator, p.Nationality, p.Category) {
			return false
		}
	}
	return true
}

// TestFromStateGenerated: on random states, the plan is deterministic, its
// instance is valid, takes a group to a flight exactly when the domain does,
// and solves without breaking a rule; no proposed flight carries more than
// its seats, and the domain would publish the proposal.
func TestFromStateGenerated(t *testing.T) {
	for seed := range uint64(20) {
		w := randomWorld(t, seed)
		var open []string
		for _, id := range slices.Sorted(maps.Keys(w.s.Flights)) {
			if w.s.Flights[id].Status.Open() && len(open) < 2 {
				open = append(open, id)
			}
		}
		for _, req := range []PlanRequest{
			{Now: w.last},
			{Now: w.last, Replan: true},
			{Now: w.last, Flights: open},
		} {
			name := fmt.Sprintf("seed %d, replan %v, flights %v", seed, req.Replan, req.Flights)
			p, err := FromState(w.s, req)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			again, _ := FromState(w.s, req)
			if diff := cmp.Diff(p, again); diff != "" {
				t.Errorf("%s: not deterministic (-first +second):\n%s", name, diff)
			}
			in := p.Instance
			if err := in.Validate(); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			for _, g := range in.Groups {
				for _, f := range in.Flights {
					if got, want := Compatible(g, f), takes(w.s, w.s.Groups[g.ID], w.s.Flights[f.ID]); got != want {
						t.Errorf("%s: group %s on flight %s: compatible %v, the domain says %v", name, g.ID, f.ID, got, want)
					}
				}
			}
			sol := Solve(in)
			if err := Check(in, sol); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			pr := NewProposal(p, sol)
			for _, f := range pr.Flights {
				if f.Load > f.Seats {
					t.Errorf("%s: flight %s: load %d over %d seats", name, f.FlightID, f.Load, f.Seats)
				}
			}
			w.publishes(pr)
		}
	}
}
