package airbridge

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// smallWithdrawal: USA at a base and at the airport, DEU at the airport.
// The plan has DEU out on day 0 and USA on day 4, the airport's security
// flying after the evacuation's last day (3).
func smallWithdrawal() WithdrawalPlan {
	return WithdrawalPlan{ID: "W1", Name: "small", Start: "2021-05-01", Days: 6, EvacuationLastDay: 3,
		Sites: []WithdrawalSite{{ID: "HKIA", Airport: true, SecurityFloor: 10}, {ID: "BASE", SecurityFloor: 5}},
		Contingents: []Contingent{
			{Nation: "USA", Site: "BASE", Amount: Amount{Personnel: 20, Security: 5, Pallets: 2}},
			{Nation: "USA", Site: "HKIA", Amount: Amount{Personnel: 15, Security: 10}},
			{Nation: "DEU", Site: "HKIA", Amount: Amount{Personnel: 5}},
		},
		Deadlines: []WithdrawalDeadline{{Nation: "USA", Day: 5}, {Nation: "DEU", Day: 2}},
		Legs: []Leg{
			{Day: 0, Nation: "DEU", From: "HKIA", Mode: ModeSortie, Aircraft: "A400M", Sorties: 1, Amount: Amount{Personnel: 5}},
			{Day: 0, Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 15, Pallets: 2}},
			{Day: 1, Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 5, Security: 5}},
			{Day: 1, Nation: "USA", From: "HKIA", Mode: ModeSortie, Aircraft: "C-17", Sorties: 1, Amount: Amount{Personnel: 20, Pallets: 2}},
			{Day: 2, Nation: "USA", From: "HKIA", Mode: ModeSortie, Aircraft: "C-17", Sorties: 1, Amount: Amount{Personnel: 5, Security: 5}},
			{Day: 4, Nation: "USA", From: "HKIA", Mode: ModeSortie, Aircraft: "C-17", Sorties: 1, Amount: Amount{Personnel: 10, Security: 10}},
		},
	}
}

func adopted(t *testing.T) *State {
	t.Helper()
	s := NewState()
	if _, _, err := s.Execute(AdoptWithdrawalPlan{Plan: smallWithdrawal()}, Envelope{Actor: "planner", Time: t0}); err != nil {
		t.Fatal(err)
	}
	return s
}

func record(s *State, m RecordMovement) error {
	m.WithdrawalID = "W1"
	_, _, err := s.Execute(m, Envelope{Actor: "planner", Time: t0})
	return err
}

func TestAdoptWithdrawalPlan(t *testing.T) {
	s := adopted(t)
	if w := s.Withdrawals["W1"]; w == nil || len(w.Plan.Legs) != 6 || w.AdoptedBy != "planner" {
		t.Fatalf("adopted %+v", w)
	}
	if _, _, err := s.Execute(AdoptWithdrawalPlan{Plan: smallWithdrawal()}, Envelope{Time: t0}); ErrorCode(err) != ECONFLICT {
		t.Errorf("adopting W1 twice: %v", err)
	}
	for _, c := range []struct {
		name, want string
		change     func(*WithdrawalPlan)
	}{
		{"bad id", "plan.id", func(p *WithdrawalPlan) { p.ID = "a b" }},
		{"no name", "plan.name", func(p *WithdrawalPlan) { p.Name = " " }},
		{"bad start", "plan.start", func(p *WithdrawalPlan) { p.Start = "2021-13-01" }},
		{"evacuation after the end", "plan.evacuation_last_day", func(p *WithdrawalPlan) { p.EvacuationLastDay = 6 }},
		{"site twice", "plan.sites[1].id", func(p *WithdrawalPlan) { p.Sites[1].ID = "HKIA" }},
		{"unknown site", "plan.contingents[0].site", func(p *WithdrawalPlan) { p.Contingents[0].Site = "XYZ" }},
		{"bad nation", "plan.contingents[2].nation", func(p *WithdrawalPlan) { p.Contingents[2].Nation = "deu" }},
		{"site name with a tab", "plan.sites[0].name", func(p *WithdrawalPlan) { p.Sites[0].Name = "a\tb" }},
		{"security over personnel", "plan.contingents[1].security", func(p *WithdrawalPlan) { p.Contingents[1].Security = 16 }},
		{"negative", "plan.contingents[0].pallets", func(p *WithdrawalPlan) { p.Contingents[0].Pallets = -1 }},
		{"deadline of no one", "plan.deadlines[0].nation", func(p *WithdrawalPlan) { p.Deadlines[0].Nation = "FRA" }},
		{"legs out of order", "plan.legs[1].day", func(p *WithdrawalPlan) { p.Legs[0].Day = 1 }},
		{"leg takes too much", "plan.legs[3]", func(p *WithdrawalPlan) { p.Legs[3].Personnel = 21 }},
		{"arrivals fly the next day", "plan.legs[3]", func(p *WithdrawalPlan) { p.Legs[1].Day, p.Legs[2].Day = 1, 1 }},
		{"sortie from a base", "plan.legs[1].from", func(p *WithdrawalPlan) { p.Legs[1].Mode, p.Legs[1].To = ModeSortie, "" }},
		{"move to nowhere", "plan.legs[1].to", func(p *WithdrawalPlan) { p.Legs[1].To = "" }},
		{"bad mode", "plan.legs[1].mode", func(p *WithdrawalPlan) { p.Legs[1].Mode = "boat" }},
		{"moves nothing", "plan.legs[0].personnel", func(p *WithdrawalPlan) { p.Legs[0].Amount = Amount{} }},
	} {
		p := smallWithdrawal()
		p.ID = "W2"
		c.change(&p)
		_, err := NewState().Decide(AdoptWithdrawalPlan{Plan: p}, Envelope{Time: t0})
		var e *Error
		if ErrorCode(err) != EINVALID || !strings.HasPrefix(err.Error(), c.want) || !asError(err, &e) || e.Details["field"] == nil {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.want)
		}
	}
}

func asError(err error, e **Error) bool {
	v, ok := err.(*Error)
	*e = v
	return ok
}

func TestRecordMovement(t *testing.T) {
	s := adopted(t)
	if err := record(s, RecordMovement{Date: "2021-05-01", Nation: "DEU", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 5}}); err != nil {
		t.Fatal(err)
	}
	// DEU has nothing left; USA's arrivals of the day cannot fly the same day.
	if err := record(s, RecordMovement{Date: "2021-05-01", Nation: "DEU", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}}); ErrorCode(err) != ECONFLICT ||
		!strings.Contains(err.Error(), "DEU had 0 personnel") {
		t.Errorf("DEU twice: %v", err)
	}
	if err := record(s, RecordMovement{Date: "2021-05-01", Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 15, Pallets: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := record(s, RecordMovement{Date: "2021-05-01", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 20}}); ErrorCode(err) != ECONFLICT {
		t.Errorf("flying arrivals on the day they arrive: %v", err)
	}
	// The base's security may leave once nothing else is there (the
	// pallets and the others left today); not while others remain (below).
	if err := record(s, RecordMovement{Date: "2021-05-01", Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 1, Security: 1}}); err != nil {
		t.Errorf("the base's security after the rest: %v", err)
	}
	sec := RecordMovement{Date: "2021-05-02", Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 3, Security: 3}}
	// ...the airport's not before the evacuation is over.
	s = adopted(t)
	airportSec := RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1, Security: 1}}
	if err := record(s, airportSec); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "HKIA's security would be 9") {
		t.Errorf("airport security out before the evacuation's end: %v", err)
	}
	airportSec.Override = "ordered by the commander: relieved by a fresh company"
	if err := record(s, airportSec); err != nil {
		t.Errorf("with an override: %v", err)
	}
	if err := record(s, sec); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "BASE's security would be 2") {
		t.Errorf("base security out while others remain: %v", err)
	}
	for _, c := range []struct {
		m    RecordMovement
		code string
		want string
	}{
		{RecordMovement{Date: "2021-04-30", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}}, EINVALID, "date"},
		{RecordMovement{Date: "1 May", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}}, EINVALID, "date"},
		{RecordMovement{Date: "2021-05-02", Nation: "FRA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}}, EINVALID, "nation"},
		{RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: -1, Amount: Amount{Personnel: 1}}, EINVALID, "sorties"},
		{RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 1}}, EINVALID, "to"},
		{RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1, Security: 2}}, EINVALID, "security"},
		{RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}, Override: "bell\a"}, EINVALID, "override"},
		{RecordMovement{Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}, Aircraft: strings.Repeat("C", 121)}, EINVALID, "aircraft"},
	} {
		if err := record(s, c.m); ErrorCode(err) != c.code || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %s %s", c.m, err, c.code, c.want)
		}
	}
	c := RecordMovement{WithdrawalID: "W9", Date: "2021-05-02", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 1}}
	if _, _, err := s.Execute(c, Envelope{Time: t0}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown withdrawal: %v", err)
	}
	// A movement dated before others may not take what only they brought.
	s = adopted(t)
	if err := record(s, RecordMovement{Date: "2021-05-03", Nation: "USA", From: "BASE", To: "HKIA", Mode: ModeRoad, Amount: Amount{Personnel: 15, Pallets: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := record(s, RecordMovement{Date: "2021-05-04", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 20, Pallets: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := record(s, RecordMovement{Date: "2021-05-03", Nation: "USA", From: "HKIA", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 5}}); ErrorCode(err) != ECONFLICT ||
		!strings.Contains(err.Error(), "movement 2") {
		t.Errorf("an earlier movement taking what a later one needs: %v", err)
	}
}

// followPlan records the plan's legs up to the end of day last.
func followPlan(t *testing.T, s *State, last int) {
	t.Helper()
	w := s.Withdrawals["W1"]
	for _, l := range w.Plan.Legs {
		if l.Day > last {
			break
		}
		m := RecordMovement{Date: w.Plan.date(l.Day), Nation: l.Nation, From: l.From, To: l.To, Mode: l.Mode, Aircraft: l.Aircraft, Sorties: l.Sorties, Amount: l.Amount}
		if err := record(s, m); err != nil {
			t.Fatalf("leg %+v: %v", l, err)
		}
	}
}

func TestWithdrawalProgress(t *testing.T) {
	s := adopted(t)
	followPlan(t, s, 5)
	pr := s.Withdrawals["W1"].Progress(5)
	for _, n := range pr.Nations {
		if n.Status != StatusOut || n.SlipDays != 0 || n.ProjectedOutDay != n.PlannedOutDay {
			t.Errorf("following the plan: %+v", n)
		}
	}
	if pr.SortiesFlown != 4 || pr.SortiesPlanned != 4 || pr.AsOf != "2021-05-06" {
		t.Errorf("sorties %d of %d as of %s", pr.SortiesFlown, pr.SortiesPlanned, pr.AsOf)
	}
	if got, want := pr.ActualPersonnel, pr.PlannedPersonnel; len(got) != 6 || got[0] != want[0] || got[5] != 0 {
		t.Errorf("personnel %v, planned %v", got, want)
	}

	// On plan up to day 1, nothing since: as of day 2 USA is a day behind
	// (the plan had its 10 at day 1), DEU out.
	s = adopted(t)
	followPlan(t, s, 1)
	pr = s.Withdrawals["W1"].Progress(2)
	usa, deu := pr.Nations[1], pr.Nations[0]
	if deu.Nation != "DEU" || deu.Status != StatusOut || deu.SlipDays != 0 {
		t.Errorf("DEU %+v", deu)
	}
	if usa.Actual.Personnel != 15 || usa.Planned.Personnel != 10 || usa.SlipDays != 1 || usa.ProjectedOutDay != 5 || usa.Status != StatusBehind {
		t.Errorf("USA a day behind: %+v", usa)
	}
	// The sites as of day 2: the airport holds its floor with 15 security.
	for _, st := range pr.Sites {
		if st.Site == "HKIA" && (!st.FloorApplies || st.Margin != 5 || st.Actual.Security != 15) {
			t.Errorf("HKIA %+v", st)
		}
		if st.Site == "BASE" && (st.FloorApplies || !st.Actual.IsZero()) {
			t.Errorf("BASE %+v", st)
		}
	}
	// As of day 4, three days behind (the plan had 15 left at day 1), and
	// late for the deadline of day 5; the airport's floor no longer holds.
	pr = s.Withdrawals["W1"].Progress(4)
	if usa := pr.Nations[1]; usa.SlipDays != 3 || usa.Status != StatusLate || usa.ProjectedOutDay != 7 {
		t.Errorf("USA late: %+v", usa)
	}
	if hkia := pr.Sites[0]; hkia.FloorApplies {
		t.Errorf("HKIA after the evacuation with only security: %+v", hkia)
	}
	// Ahead and on plan, on a curve.
	curve := []int{30, 20, 10, 10, 0}
	at := func(d int) int {
		if d < 0 {
			return 30
		}
		return curve[min(d, len(curve)-1)]
	}
	for _, c := range []struct{ actual, asOf, want int }{
		{10, 1, -1}, // ahead by a day
		{30, 2, 2},  // two days behind
		{10, 3, 0},  // on plan
		{30, 0, 0},  // on plan: nothing flies on day 0
		{20, 3, 2},  // the plan had 20 left at day 1
		{0, 1, -3},  // out three days early
	} {
		if got := slip(at, c.actual, c.asOf, len(curve)); got != c.want {
			t.Errorf("slip of %d as of day %d: %d, want %d", c.actual, c.asOf, got, c.want)
		}
	}
}

// TestMovementTrack: random movements, some dated before others: checked
// from the kept track or by replaying them all, each is accepted or refused
// alike, with the same message.
func TestMovementTrack(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	backdated := 0
	defer func() {
		if backdated == 0 {
			t.Errorf("no movement dated before others was accepted")
		}
		t.Logf("%d accepted movements dated before others", backdated)
	}()
	for run := range 20 {
		s := adopted(t)
		sites, nations, modes := []string{"HKIA", "BASE"}, []string{"USA", "DEU"}, []string{ModeRoad, ModeAir, ModeSortie}
		accepted := 0
		for range 60 {
			c := RecordMovement{WithdrawalID: "W1", Date: s.Withdrawals["W1"].Plan.date(rng.IntN(6)), Nation: nations[rng.IntN(2)],
				From: sites[rng.IntN(2)], Mode: modes[rng.IntN(3)]}
			if c.Mode == ModeSortie {
				c.Sorties = 1
			} else {
				c.To = sites[rng.IntN(2)]
			}
			c.Security = rng.IntN(3)
			c.Personnel = c.Security + rng.IntN(6)
			c.Pallets = rng.IntN(2)
			if rng.IntN(8) == 0 {
				c.Override = "ordered"
			}
			env := Envelope{Actor: "t", Time: t0}
			lastBefore := s.Withdrawals["W1"].LastDay()
			replayAlways = true
			_, slow := s.Decide(c, env)
			replayAlways = false
			events, fast := s.Decide(c, env)
			if (slow == nil) != (fast == nil) || (slow != nil && slow.Error() != fast.Error()) {
				t.Fatalf("run %d, %+v: replayed %v, tracked %v", run, c, slow, fast)
			}
			for _, e := range events {
				if err := s.Apply(e); err != nil {
					t.Fatal(err)
				}
			}
			if fast == nil {
				accepted++
				if w := s.Withdrawals["W1"]; len(w.Movements) > 1 && w.Movements[len(w.Movements)-1].Day < lastBefore {
					backdated++
				}
			}
		}
		if accepted == 0 {
			t.Errorf("run %d accepted nothing", run)
		}
	}
}

// TestWithdrawalAhead: a nation that flew out more than planned is ahead;
// a quantity it has none of (here vehicles) does not hold it on plan.
func TestWithdrawalAhead(t *testing.T) {
	s := NewState()
	plan := WithdrawalPlan{ID: "W1", Name: "ahead", Start: "2021-05-01", Days: 5, Sites: []WithdrawalSite{{ID: "AP", Airport: true}},
		Contingents: []Contingent{{Nation: "USA", Site: "AP", Amount: Amount{Personnel: 30, Pallets: 3}}},
		Legs: []Leg{
			{Day: 1, Nation: "USA", From: "AP", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 10, Pallets: 1}},
			{Day: 2, Nation: "USA", From: "AP", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 10, Pallets: 1}},
			{Day: 3, Nation: "USA", From: "AP", Mode: ModeSortie, Sorties: 1, Amount: Amount{Personnel: 10, Pallets: 1}},
		}}
	env := Envelope{Actor: "t", Time: t0}
	if _, _, err := s.Execute(AdoptWithdrawalPlan{Plan: plan}, env); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Execute(RecordMovement{WithdrawalID: "W1", Date: "2021-05-02", Nation: "USA", From: "AP", Mode: ModeSortie, Sorties: 2,
		Amount: Amount{Personnel: 20, Pallets: 2}}, env); err != nil {
		t.Fatal(err)
	}
	usa := s.Withdrawals["W1"].Progress(1).Nations[0]
	if usa.Status != StatusAhead || usa.SlipDays != -1 || usa.ProjectedOutDay != 3 {
		t.Errorf("a day ahead: %+v", usa)
	}
	// Ahead in personnel, on plan in pallets: on plan.
	s.Execute(RecordMovement{WithdrawalID: "W1", Date: "2021-05-03", Nation: "USA", From: "AP", Mode: ModeSortie, Sorties: 1,
		Amount: Amount{Personnel: 5}}, env)
	if usa := s.Withdrawals["W1"].Progress(2).Nations[0]; usa.Status != StatusOnPlan || usa.SlipDays != 0 {
		t.Errorf("personnel ahead, pallets on plan: %+v", usa)
	}
}

// TestBackdatedFloor: a movement dated before others is held to the floor
// on their days too: security taken away earlier than recorded, or others
// brought to a site whose security leaves later, is refused without an
// override (found by review).
func TestBackdatedFloor(t *testing.T) {
	adopt := func() *State {
		s := NewState()
		plan := WithdrawalPlan{ID: "W1", Name: "floor", Start: "2021-05-01", Days: 10,
			Sites: []WithdrawalSite{{ID: "AP", Airport: true}, {ID: "X", SecurityFloor: 10}},
			Contingents: []Contingent{
				{Nation: "USA", Site: "X", Amount: Amount{Personnel: 30, Security: 20, Pallets: 5}},
				{Nation: "DEU", Site: "AP", Amount: Amount{Pallets: 5}},
			}}
		if _, _, err := s.Execute(AdoptWithdrawalPlan{Plan: plan}, Envelope{Time: t0}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	road := func(date, nation, from, to string, a Amount) RecordMovement {
		return RecordMovement{WithdrawalID: "W1", Date: date, Nation: nation, From: from, To: to, Mode: ModeRoad, Amount: a}
	}
	must := func(s *State, m RecordMovement) {
		t.Helper()
		if _, _, err := s.Execute(m, Envelope{Time: t0}); err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
	}
	refused := func(s *State, m RecordMovement, want string) {
		t.Helper()
		if _, _, err := s.Execute(m, Envelope{Time: t0}); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want a conflict saying %q", m, err, want)
		}
		m.Override = "ordered"
		if _, err := s.Decide(m, Envelope{Time: t0}); err != nil {
			t.Errorf("with an override: %v", err)
		}
	}
	// Security leaving before what was recorded counted on it.
	s := adopt()
	must(s, road("2021-05-06", "USA", "X", "AP", Amount{Personnel: 10, Security: 10}))
	refused(s, road("2021-05-05", "USA", "X", "AP", Amount{Personnel: 10, Security: 10}), "X's security would be 0 at the end of 2021-05-06")
	// Others brought to a site the day before its security left.
	s = adopt()
	must(s, road("2021-05-04", "USA", "X", "AP", Amount{Personnel: 10, Pallets: 5}))
	must(s, road("2021-05-06", "USA", "X", "AP", Amount{Personnel: 20, Security: 20}))
	refused(s, road("2021-05-05", "DEU", "AP", "X", Amount{Pallets: 5}), "X's security would be 0 at the end of 2021-05-06")
	// And on the movement's own day: others brought to an unguarded site.
	refused(s, road("2021-05-08", "DEU", "AP", "X", Amount{Pallets: 5}), "X's security would be 0 at the end of 2021-05-08")
}
