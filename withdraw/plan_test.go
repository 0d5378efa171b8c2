package withdraw

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestPlanSmall plans the hand-made scenario, whose optimum is known: the
// fewest sorties that carry each nation, ignoring time, are DEU 5 A400M
// (180 persons, 29 pallets and 6 vehicles take ⌈41/9⌉ = 5), GBR 1 C-17, USA 5
// (320 persons and 78 pallet positions: 4 C-17 and 1 C-130J; 4 C-17 carry 72
// positions, 3 C-17 and 2 C-130J 70), 11 in all, and time costs nothing more.
func TestPlanSmall(t *testing.T) {
	s := readSmall(t)
	r, err := Plan(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range Validate(s, r) {
		t.Error(e)
	}
	if r.TotalSorties != 11 {
		t.Errorf("total_sorties = %d, want 11", r.TotalSorties)
	}
	perNation := map[string]int{}
	for _, f := range r.Sorties {
		perNation[f.Nation] += f.Count
	}
	if want := map[string]int{"DEU": 5, "GBR": 1, "USA": 5}; fmt.Sprint(perNation) != fmt.Sprint(want) {
		t.Errorf("sorties per nation %v, want %v", perNation, want)
	}
	for _, d := range r.Deadlines {
		if !d.Met {
			t.Errorf("%s misses its deadline: %+v", d.Nation, d)
		}
	}
	// HKIA's final element (USA, 60 of its 70 security) flies the day after
	// the evacuation, with the last of the rest.
	if r.CompletionDay != s.EvacuationLastDay+1 {
		t.Errorf("completion_day = %d, want %d", r.CompletionDay, s.EvacuationLastDay+1)
	}
	for _, f := range r.Sorties {
		if f.Airport == "HKIA" && f.Nation == "USA" && f.Security > 10 && f.Day <= s.EvacuationLastDay {
			t.Errorf("USA flies %d security out of HKIA on day %d, before the evacuation ends", f.Security, f.Day)
		}
	}
	m := r.SecurityMargin[0]
	for d, v := range m.Margin {
		if (d <= s.EvacuationLastDay) != (v != nil) {
			t.Errorf("HKIA's floor applies on day %d: %v, want %v", d, v != nil, d <= s.EvacuationLastDay)
		}
	}
	if got := r.ClosedDay; got[1].Site != "BAF" || got[1].Day < 0 || got[2].Day < 0 || got[0].Day != r.CompletionDay {
		t.Errorf("closed_day = %+v", got)
	}
}

// TestPlanRandom is the property test: the plans of 200 random scenarios
// break no rule, and no nation flies fewer sorties than carry it ignoring
// time (which would mean something was left out).
func TestPlanRandom(t *testing.T) {
	seeds := uint64(200)
	if testing.Short() {
		seeds = 40
	}
	for seed := range seeds {
		s := randomScenario(seed, propertyGen)
		if err := s.Validate(); err != nil {
			t.Fatalf("seed %d: the generator made an invalid scenario: %v", seed, err)
		}
		r, err := Plan(s)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if errs := Validate(s, r); len(errs) > 0 {
			t.Errorf("seed %d: %d rules broken, first: %q", seed, len(errs), errs[0])
			continue
		}
		if len(r.Left) == 0 && r.TotalSorties < coveringBound(s) {
			t.Errorf("seed %d: %d sorties fly everything out, fewer than the bound %d", seed, r.TotalSorties, coveringBound(s))
		}
	}
}

// coveringBound is the fewest sorties that carry every nation out ignoring
// time and windows, by brute force over the first two aircraft types.
func coveringBound(s *Scenario) int {
	type cap struct{ pax, pos int }
	types := map[string][]cap{}
	seen := map[string]bool{}
	for _, a := range s.Airlift {
		if k := a.Nation + "/" + a.Aircraft; !seen[k] {
			seen[k] = true
			types[a.Nation] = append(types[a.Nation], cap{a.Passengers, a.Pallets})
		}
	}
	need := map[string][3]int{}
	for _, c := range s.Contingents {
		n := need[c.Nation]
		need[c.Nation] = [3]int{n[0] + c.Personnel, n[1] + c.Pallets + s.PalletsPerVehicle*c.Vehicles, n[2] + c.Vehicles}
	}
	total := 0
	for nation, n := range need {
		ts := types[nation]
		best := -1
		for x := 0; x <= 2000; x++ {
			for y := 0; y <= 2000 && (len(ts) > 1 || y == 0); y++ {
				var p, q, v int
				p, q, v = x*ts[0].pax, x*ts[0].pos, x*(ts[0].pos/s.PalletsPerVehicle)
				if len(ts) > 1 {
					p, q, v = p+y*ts[1].pax, q+y*ts[1].pos, v+y*(ts[1].pos/s.PalletsPerVehicle)
				}
				if p >= n[0] && q >= n[1] && v >= n[2] {
					if best < 0 || x+y < best {
						best = x + y
					}
					break
				}
			}
		}
		if len(ts) > 2 || best < 0 {
			return 0 // the brute force does not cover it; no bound
		}
		total += best
	}
	return total
}

// TestValidateCatches corrupts a valid plan in the ways the rules forbid and
// checks that Validate reports each.
func TestValidateCatches(t *testing.T) {
	s := readSmall(t)
	base, err := Plan(s)
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(s, base); len(errs) > 0 {
		t.Fatalf("the plan itself is not valid: %q", errs)
	}
	clone := func() *Result {
		var c Result
		b, _ := json.Marshal(base)
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	find := func(moves []Move, pred func(Move) bool) int {
		i := slices.IndexFunc(moves, pred)
		if i < 0 {
			t.Fatal("the plan has no such move")
		}
		return i
	}
	tests := []struct {
		name    string
		corrupt func(r *Result)
		want    string
	}{
		{"security leaves a base early", func(r *Result) {
			i := find(r.Moves, func(m Move) bool { return m.From == "BAF" && m.Security > 0 && m.Day > 0 })
			r.Moves[i].Day = 0
		}, "security leave BAF while"},
		{"security leaves a base below its floor", func(r *Result) {
			i := find(r.Moves, func(m Move) bool { return m.From == "BAF" && m.Security > 0 && m.Day > 0 })
			r.Moves[i].Day = 0
		}, "security at BAF, below its floor of 30"},
		{"overloaded sortie", func(r *Result) {
			i := slices.IndexFunc(r.Sorties, func(f Sortie) bool { return f.Aircraft == "C-17" && f.Nation == "USA" })
			r.Sorties[i].Passengers = r.Sorties[i].Count*102 + 1
		}, "passengers, more than 102 each"},
		{"overloaded with vehicles", func(r *Result) {
			i := slices.IndexFunc(r.Sorties, func(f Sortie) bool { return f.Aircraft == "A400M" })
			r.Sorties[i].Vehicles = r.Sorties[i].Count*4 + 1
		}, "vehicles, more than 4 each"},
		{"dropped move", func(r *Result) {
			i := find(r.Moves, func(m Move) bool { return m.From == "MES" && m.Personnel > 0 })
			r.Moves = slices.Delete(r.Moves, i, i+1)
		}, "but 0 were there at the start of the day"},
		{"move over capacity", func(r *Result) {
			i := find(r.Moves, func(m Move) bool { return m.From == "MES" })
			r.Moves = append(r.Moves, r.Moves[i])
		}, "on the air move MES→HKIA, more than its"},
		{"move on no link", func(r *Result) { r.Moves[0].Mode = "rail" }, "no rail move from"},
		{"sortie beyond the sorties of the day", func(r *Result) {
			i := slices.IndexFunc(r.Sorties, func(f Sortie) bool { return f.Nation == "DEU" })
			r.Sorties[i].Count += 5
		}, "available that day"},
		{"another nation's aircraft", func(r *Result) {
			i := slices.IndexFunc(r.Sorties, func(f Sortie) bool { return f.Nation == "GBR" })
			r.Sorties[i].Aircraft = "A400M"
		}, "GBR has no A400M airlift at HKIA"},
		{"airport security out before the evacuation ends", func(r *Result) {
			for i := range r.Sorties {
				if r.Sorties[i].Day > s.EvacuationLastDay && r.Sorties[i].Security > 0 {
					r.Sorties[i].Day = s.EvacuationLastDay - 1
				}
			}
		}, "fly out of HKIA before the evacuation ends"},
		{"wrong total", func(r *Result) { r.TotalSorties++ }, "total_sorties is 12, but the sorties add up to 11"},
		{"wrong drawdown", func(r *Result) { r.Drawdown.Nations[0].Personnel[3]++ }, "drawdown of DEU"},
		{"wrong margin", func(r *Result) { r.SecurityMargin[1].Margin[0] = nil }, "security margin of BAF on day 0"},
		{"wrong completion", func(r *Result) { r.CompletionDay-- }, "completion_day"},
		{"nothing left claimed", func(r *Result) { r.Left = []Remaining{{Nation: "USA", Site: "BAF", Personnel: 1}} }, "left in theatre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := clone()
			tt.corrupt(r)
			errs := Validate(s, r)
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
				t.Errorf("Validate did not report %q; it reports %q", tt.want, errs)
			}
		})
	}

	t.Run("missed deadline claimed met", func(t *testing.T) {
		s := readSmall(t)
		s.Deadlines[0].Day = 3 // DEU's last security reaches HKIA at the end of day 3
		r, err := Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		if errs := Validate(s, r); len(errs) > 0 {
			t.Fatalf("the plan itself is not valid: %q", errs)
		}
		if r.Deadlines[0].Met {
			t.Fatal("DEU meets a deadline it cannot")
		}
		r.Deadlines[0].Met = true
		errs := Validate(s, r)
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, "DEU is claimed out by day 3") }) {
			t.Errorf("Validate did not report the false claim; it reports %q", errs)
		}
	})
}

// TestExtraAirlift checks on hand-made and random scenarios that the extra
// airlift reported for a missed deadline makes Plan meet it.
func TestExtraAirlift(t *testing.T) {
	t.Run("hand-made", func(t *testing.T) {
		// DEU, all at HKIA, needs 5 A400M (see TestPlanSmall), which fly
		// only from day 1, by day 2: 3 a day, 2 more than it has.
		s := readSmall(t)
		s.Contingents[2].Site = "HKIA"
		s.Contingents[3].Personnel += s.Contingents[2].Personnel
		s.Contingents[3].Security += s.Contingents[2].Security
		s.Contingents[3].Pallets += s.Contingents[2].Pallets
		s.Contingents[3].Vehicles += s.Contingents[2].Vehicles
		s.Contingents = slices.Delete(s.Contingents, 2, 3)
		s.Airlift[2].FromDay = 1
		s.Deadlines[0].Day = 2
		r, err := Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Deadlines[0]
		want := []ExtraAirlift{{Aircraft: "A400M", SortiesPerDay: 2}}
		if d.Met || !slices.Equal(d.ExtraAirlift, want) {
			t.Fatalf("DEU: %+v, want missed with extra airlift %v", d, want)
		}
		r2, err := Plan(s.WithExtraAirlift("DEU", d.ExtraAirlift))
		if err != nil {
			t.Fatal(err)
		}
		if !r2.Deadlines[0].Met {
			t.Errorf("with the extra airlift DEU still misses: %+v", r2.Deadlines[0])
		}
		less := []ExtraAirlift{{Aircraft: "A400M", SortiesPerDay: 1}}
		if r3, _ := Plan(s.WithExtraAirlift("DEU", less)); r3.Deadlines[0].Met {
			t.Errorf("one A400M a day less also meets it: %v is not the smallest", d.ExtraAirlift)
		}
	})
	t.Run("hand-made, no airlift helps", func(t *testing.T) {
		s := readSmall(t)
		s.Deadlines[0].Day = 3
		r, err := Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Deadlines[0]; d.Met || len(d.ExtraAirlift) > 0 || !strings.Contains(d.Reason, "reaches HKIA only on day 3") {
			t.Errorf("DEU: %+v, want missed, no extra airlift, a reason", d)
		}
	})
	t.Run("random", func(t *testing.T) {
		checked := 0
		for seed := range uint64(300) {
			s := randomScenario(seed, propertyGen)
			r, err := Plan(s)
			if err != nil {
				t.Fatal(err)
			}
			for n, d := range r.Deadlines {
				if d.Met {
					continue
				}
				if (len(d.ExtraAirlift) == 0) == (d.Reason == "") {
					t.Errorf("seed %d %s: %+v: want either extra airlift or a reason", seed, d.Nation, d)
				}
				if len(d.ExtraAirlift) == 0 {
					continue
				}
				checked++
				r2, err := Plan(s.WithExtraAirlift(d.Nation, d.ExtraAirlift))
				if err != nil {
					t.Fatal(err)
				}
				if !r2.Deadlines[n].Met {
					t.Errorf("seed %d %s: with %v still missed: %+v", seed, d.Nation, d.ExtraAirlift, r2.Deadlines[n])
				}
			}
		}
		if checked < 5 {
			t.Errorf("only %d missed deadlines with extra airlift: the test checks too little", checked)
		}
		t.Logf("%d missed deadlines, each met with the extra airlift", checked)
	})
}

// TestDeterministic plans the same scenarios twice and compares the JSON.
func TestDeterministic(t *testing.T) {
	scenarios := []*Scenario{readSmall(t), Synthetic(36, 10, 10_000, 7), randomScenario(3, propertyGen)}
	if a, b := Synthetic(12, 20, 5000, 3), Synthetic(12, 20, 5000, 3); !slices.EqualFunc(a.Contingents, b.Contingents, func(x, y Contingent) bool { return x == y }) {
		t.Error("Synthetic gives different contingents for the same arguments")
	}
	for _, s := range scenarios {
		var out [2][]byte
		for i := range out {
			r, err := Plan(s)
			if err != nil {
				t.Fatal(err)
			}
			if out[i], err = json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(out[0], out[1]) {
			t.Errorf("%s: two plans differ", s.Name)
		}
	}
}

// TestSynthetic checks that the generated theatres are valid and planned
// validly, every deadline met.
func TestSynthetic(t *testing.T) {
	for _, c := range []struct{ nations, bases, personnel int }{{36, 10, 10_000}, {5, 3, 800}, {40, 60, 30_000}} {
		s := Synthetic(c.nations, c.bases, c.personnel, 1)
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		total := 0
		for _, k := range s.Contingents {
			total += k.Personnel
		}
		if total < c.personnel*9/10 || total > c.personnel*11/10 {
			t.Errorf("%s: %d personnel, want about %d", s.Name, total, c.personnel)
		}
		r, err := Plan(s)
		if err != nil {
			t.Fatal(err)
		}
		if errs := Validate(s, r); len(errs) > 0 {
			t.Errorf("%s: %d rules broken, first %q", s.Name, len(errs), errs[0])
		}
		for _, d := range r.Deadlines {
			if !d.Met {
				t.Errorf("%s: %s misses its deadline: %+v", s.Name, d.Nation, d)
			}
		}
	}
}
