package callforward

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// solve solves in and fails the test if Solve or Check fails.
func solve(t testing.TB, in *Instance) *Plan {
	t.Helper()
	p, err := Solve(in)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if err := Check(in, p); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return p
}

// slotOf returns the slot index of a call's start.
func slotOf(in *Instance, c Call) int { return int(c.Start.Sub(in.Start) / in.Slot) }

func TestSolveDayWithClosure(t *testing.T) {
	in := day()
	p := solve(t, in)

	closure := in.Gates[1].Closures[0]
	atB := map[bool]int{} // calls at B before the closure (false) and after it (true)
	for _, c := range p.Calls {
		if c.End.Sub(c.Start) != in.Slot || c.Start.Before(in.Start) || c.End.After(in.Start.Add(in.Horizon)) {
			t.Errorf("call %+v: not a slot of the horizon", c)
		}
		if c.Gate != "B" {
			continue
		}
		if c.Start.Before(closure.End) && closure.Start.Before(c.End) {
			t.Errorf("call %+v: at B during its closure", c)
		}
		atB[!c.Start.Before(closure.End)]++
	}
	if atB[false] == 0 || atB[true] == 0 {
		t.Errorf("calls at B before and after the closure: %d and %d, want some of each", atB[false], atB[true])
	}
	for gate, peaks := range p.Queue {
		if len(peaks) != 48 {
			t.Errorf("queue[%q]: %d slots, want 48", gate, len(peaks))
		}
		for s, peak := range peaks {
			if peak > in.QueueTarget {
				t.Errorf("queue[%q][%d] = %d, above the target %d", gate, s, peak, in.QueueTarget)
			}
		}
	}
	for s := 10; s < 16; s++ { // 11:00–14:00
		if p.Queue["B"][s] != 0 {
			t.Errorf("queue[B][%d] = %d during the closure, want 0", s, p.Queue["B"][s])
		}
	}
	if p.SeatsShort != 0 {
		t.Errorf("seats short: %d, want 0: the gates can serve every departure", p.SeatsShort)
	}
	// The closure is worked ahead of: by 11:00 more persons are through than
	// the departures up to 13:00 (deadline 11:00) need, since A alone
	// cannot keep up with a departure every 45 minutes.
	through, needed := 0, 0
	for s := range 10 {
		through += p.Processed[s]
	}
	for _, d := range in.Departures {
		if !d.Time.After(at(13, 0)) {
			needed += d.Seats
		}
	}
	if through <= needed {
		t.Errorf("processed by 11:00: %d, want more than the %d that the departures by 13:00 need", through, needed)
	}
	// People are not called far ahead: every departure's persons could have
	// come one slot later without it being short, so holding stays near the
	// seats leaving within Lead and a slot or so.
	if most := slices.Max(p.Holding); most > 600 {
		t.Errorf("holding peaks at %d, want at most 600 (about 4 hours of departures)", most)
	}
	if len(p.Uncalled) == 0 {
		t.Error("every group called, but there are more persons than seats")
	}
}

func TestSolveKeepsCalled(t *testing.T) {
	in := day()
	in.Called = []Call{
		{Group: "G000", Size: 4, Gate: "A", Start: at(6, 0), End: at(6, 30)},   // slot 0
		{Group: "G001", Size: 5, Gate: "B", Start: at(5, 45), End: at(6, 15)},  // started before: slot 0
		{Group: "X1", Size: 9, Gate: "A", Start: at(5, 0), End: at(5, 30)},     // history
		{Group: "G002", Size: 7, Gate: "A", Start: at(30, 0), End: at(30, 30)}, // beyond the horizon
		{Group: "X2", Size: 200, Gate: "A", Start: at(7, 10), End: at(7, 40)},  // slot 2, over the target
	}
	p := solve(t, in)

	kept := map[string]bool{"G000": true, "G001": true, "G002": true, "X1": true, "X2": true}
	fresh := map[string][]int{"A": make([]int, 48), "B": make([]int, 48)}
	for _, c := range p.Calls {
		if kept[c.Group] {
			t.Errorf("%s called again: %+v", c.Group, c)
		}
		fresh[c.Gate][slotOf(in, c)] += c.Size
	}
	for _, id := range p.Uncalled {
		if kept[id] {
			t.Errorf("%s listed as uncalled", id)
		}
	}
	for _, tc := range []struct {
		gate string
		slot int
		old  int // persons of the calls kept arriving in the slot
	}{{"A", 0, 4}, {"B", 0, 5}, {"A", 2, 200}} {
		carry := 0
		if tc.slot > 0 {
			carry = max(0, p.Queue[tc.gate][tc.slot-1]-60)
		}
		if got := p.Queue[tc.gate][tc.slot] - carry - fresh[tc.gate][tc.slot]; got != tc.old {
			t.Errorf("queue[%s][%d]: %d persons of the calls kept, want %d", tc.gate, tc.slot, got, tc.old)
		}
	}
	if fresh["A"][2] != 0 {
		t.Errorf("%d persons newly called to A in slot 2, where the kept call already overloads it", fresh["A"][2])
	}
	if got := p.Queue["A"][2]; got <= in.QueueTarget {
		t.Errorf("queue[A][2] = %d, want the kept call's 200 and more", got)
	}
}

func TestSolveGroupTooBig(t *testing.T) {
	in := day()
	in.Groups[5].Size = in.QueueTarget + 1
	in.Groups[5].Weight = 10
	in.Groups[6].Size = in.QueueTarget
	in.Groups[6].Weight = 10
	p := solve(t, in)
	if !slices.Contains(p.Uncalled, in.Groups[5].ID) {
		t.Errorf("uncalled %v, want %s (bigger than the queue target) among them", p.Uncalled, in.Groups[5].ID)
	}
	if slices.Contains(p.Uncalled, in.Groups[6].ID) {
		t.Errorf("%s (as big as the queue target, first in line) uncalled", in.Groups[6].ID)
	}
}

func TestSolveHoldingLimit(t *testing.T) {
	in := day()
	free := solve(t, in)
	in.Holding = 300
	p := solve(t, in)
	if most := slices.Max(free.Holding); most <= in.Holding {
		t.Fatalf("without a limit holding peaks at %d: the limit %d does not bind", most, in.Holding)
	}
	for s, h := range p.Holding {
		if h > in.Holding {
			t.Errorf("holding[%d] = %d, above the limit %d", s, h, in.Holding)
		}
	}
	if len(p.Calls) == 0 {
		t.Error("no calls")
	}
}

func TestSolveGateChoice(t *testing.T) {
	in := &Instance{
		Start: at(6, 0), Slot: time.Hour, Horizon: 4 * time.Hour, QueueTarget: 20, Lead: time.Hour,
		Gates: []Gate{
			{ID: "C", Lanes: 1, PerLaneHour: 10},
			{ID: "B", Lanes: 1, PerLaneHour: 10},
			{ID: "A", Lanes: 1, PerLaneHour: 10, Closures: []Window{{at(6, 0), at(7, 0)}}},
		},
		Departures: []Departure{{Time: at(9, 0), Seats: 18}},
		Groups: []Group{
			{ID: "g1", Size: 5, Weight: 1},
			{ID: "g2", Size: 6, Weight: 2},
			{ID: "g3", Size: 4, Weight: 1, Registered: at(1, 0), Gates: []string{"C"}},
			{ID: "g4", Size: 3, Weight: 1, Registered: at(2, 0)},
		},
	}
	// Slot 0 (06:00), A closed: g2 (heaviest) to B, the first by id of the
	// empty open gates; g1 to C, the emptier; g3 may use C only; g4 to B
	// (9) rather than C (9): a tie, B first by id. 18 persons: the seats.
	p := solve(t, in)
	want := []Call{
		{Group: "g2", Size: 6, Gate: "B", Start: at(6, 0), End: at(7, 0)},
		{Group: "g4", Size: 3, Gate: "B", Start: at(6, 0), End: at(7, 0)},
		{Group: "g1", Size: 5, Gate: "C", Start: at(6, 0), End: at(7, 0)},
		{Group: "g3", Size: 4, Gate: "C", Start: at(6, 0), End: at(7, 0)},
	}
	if !reflect.DeepEqual(p.Calls, want) {
		t.Errorf("calls\n%+v\nwant\n%+v", p.Calls, want)
	}
}

func TestSolveNoSeatsNoCalls(t *testing.T) {
	in := day()
	in.Departures = nil
	p := solve(t, in)
	if len(p.Calls) != 0 || len(p.Uncalled) != len(in.Groups) {
		t.Errorf("%d calls and %d uncalled, want none called: there is no seat", len(p.Calls), len(p.Uncalled))
	}
	// Departures too soon to be reached (deadline before 06:30) call nobody.
	in.Departures = []Departure{{Time: at(8, 20), Seats: 100}}
	if p := solve(t, in); len(p.Calls) != 0 || p.SeatsShort != 0 {
		t.Errorf("%d calls, %d seats short, want none: the departure is out of reach", len(p.Calls), p.SeatsShort)
	}
}

func TestSolveDeterministic(t *testing.T) {
	in := day()
	in.Holding = 350
	first := solve(t, in)
	if again := solve(t, in); !reflect.DeepEqual(again, first) {
		t.Error("two plans of the same instance differ")
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(in.Groups), func(i, j int) { in.Groups[i], in.Groups[j] = in.Groups[j], in.Groups[i] })
	slices.Reverse(in.Gates)
	slices.Reverse(in.Departures)
	if shuffled := solve(t, in); !reflect.DeepEqual(shuffled, first) {
		t.Error("the plan depends on the order of groups, gates or departures")
	}
}

// TestSolveRandom: Check accepts every plan of random instances, which
// stray outside the horizon, close gates, overload them with earlier calls,
// and hold groups too big to call.
func TestSolveRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(2021, 8))
	calls := 0
	for i := range 400 {
		in := random(r)
		p, err := Solve(in)
		if err != nil {
			t.Fatalf("instance %d: Solve: %v", i, err)
		}
		if err := Check(in, p); err != nil {
			t.Fatalf("instance %d: Check: %v", i, err)
		}
		calls += len(p.Calls)
	}
	if calls < 1000 {
		t.Errorf("%d calls in 400 instances: the instances are too hard to test anything", calls)
	}
}

func random(r *rand.Rand) *Instance {
	slots := []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 4 * time.Hour}
	slot := slots[r.IntN(len(slots))]
	n := 1 + r.IntN(min(60, int(MaxHorizon/slot)))
	in := &Instance{
		Start:       at(6, 0),
		Slot:        slot,
		Horizon:     time.Duration(n) * slot,
		QueueTarget: 1 + r.IntN(80),
		Lead:        time.Duration(r.IntN(5*60)) * time.Minute,
	}
	if r.IntN(2) == 0 {
		in.Holding = 1 + r.IntN(300)
	}
	// when is a time from an hour before the horizon to a tenth after it.
	when := func() time.Time {
		return in.Start.Add(time.Duration(r.Int64N(int64(in.Horizon)*11/10+int64(time.Hour))) - time.Hour).Truncate(time.Minute)
	}
	for g := range 1 + r.IntN(4) {
		gate := Gate{ID: fmt.Sprintf("gate%d", g), Lanes: r.IntN(4), PerLaneHour: r.Float64() * 100}
		for range r.IntN(3) {
			from := when()
			gate.Closures = append(gate.Closures, Window{from, from.Add(time.Minute + time.Duration(r.Int64N(int64(in.Horizon)/3+1)))})
		}
		in.Gates = append(in.Gates, gate)
	}
	for range r.IntN(3*n + 1) {
		in.Departures = append(in.Departures, Departure{Time: when(), Seats: r.IntN(150)})
	}
	for i := range r.IntN(300) {
		gr := Group{
			ID:         fmt.Sprintf("g%d", i),
			Size:       1 + r.IntN(in.QueueTarget+5),
			Weight:     float64(r.IntN(3)),
			Registered: at(0, 0).Add(time.Duration(r.IntN(600)) * time.Minute),
		}
		if r.IntN(3) == 0 {
			for _, gate := range in.Gates {
				if r.IntN(2) == 0 {
					gr.Gates = append(gr.Gates, gate.ID)
				}
			}
		}
		in.Groups = append(in.Groups, gr)
	}
	for i := range r.IntN(12) {
		id := fmt.Sprintf("x%d", i)
		if len(in.Groups) > 0 && r.IntN(2) == 0 {
			id = in.Groups[r.IntN(len(in.Groups))].ID
		}
		if slices.ContainsFunc(in.Called, func(c Call) bool { return c.Group == id }) {
			continue
		}
		from := when()
		in.Called = append(in.Called, Call{
			Group: id, Size: 1 + r.IntN(2*in.QueueTarget), Gate: in.Gates[r.IntN(len(in.Gates))].ID,
			Start: from, End: from.Add(time.Minute + time.Duration(r.Int64N(int64(2*slot)))),
		})
	}
	return in
}

// busy is an instance with 10 gates of 120 persons an hour (a third of them
// closed for 2 hours), a departure of about 120 seats every 20 minutes, a
// holding area of 3,000 and the given number of families of 1 to 8.
func busy(groups int, slot time.Duration, slots int) *Instance {
	in := &Instance{Start: at(6, 0), Slot: slot, Horizon: time.Duration(slots) * slot, QueueTarget: 200, Holding: 3000, Lead: 2 * time.Hour}
	for g := range 10 {
		gate := Gate{ID: fmt.Sprintf("gate%02d", g), Lanes: 3, PerLaneHour: 40}
		if g%3 == 0 {
			gate.Closures = []Window{{at(10+g, 0), at(12+g, 0)}}
		}
		in.Gates = append(in.Gates, gate)
	}
	for d := at(8, 0); d.Before(in.Start.Add(in.Horizon)); d = d.Add(20 * time.Minute) {
		in.Departures = append(in.Departures, Departure{Time: d, Seats: 102 + d.Minute()})
	}
	r := rand.New(rand.NewPCG(1, 1))
	for i := range groups {
		gr := Group{ID: fmt.Sprintf("G%05d", i), Size: 1 + r.IntN(8), Weight: float64(r.IntN(4)), Registered: at(0, 0).Add(time.Duration(i) * time.Second)}
		if i%4 == 0 {
			gr.Gates = []string{in.Gates[i%10].ID, in.Gates[(i+3)%10].ID}
		}
		in.Groups = append(in.Groups, gr)
	}
	return in
}

// BenchmarkSolve: a day of 48 half-hour slots, 10 gates, 10,000 groups; and
// a week of 2,000 5-minute slots, 10 gates, 50,000 groups.
func BenchmarkSolve(b *testing.B) {
	for _, bc := range []struct {
		name   string
		groups int
		slot   time.Duration
		slots  int
	}{{"day", 10_000, 30 * time.Minute, 48}, {"week", 50_000, 5 * time.Minute, 2000}} {
		b.Run(bc.name, func(b *testing.B) {
			in := busy(bc.groups, bc.slot, bc.slots)
			p := solve(b, in)
			for b.Loop() {
				if _, err := Solve(in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.Calls)), "calls")
			b.ReportMetric(float64(p.SeatsShort), "short")
		})
	}
}
