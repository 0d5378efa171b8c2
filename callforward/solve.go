package callforward

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Solve validates in and plans calls for the groups not yet called. The plan
// is feasible (Check accepts it) and depends only on in, not even on the
// order of its lists.
//
// Solve is greedy: it fills the slots in order. In each slot it goes through
// the groups still uncalled, heaviest Weight first, then earliest
// Registered, then ID, and calls each one that fits by the model's rules to
// the gate, among those it may use, where it leaves the smallest queue peak
// (then the smallest gate ID). A group that does not fit waits for the next
// slot, and groups behind it may be called first, with one exception that
// keeps big groups from being starved by small ones: when a group fits a
// gate but not the call-ahead bound, the bound will grow enough by the end
// of the horizon, and the persons called so far meet need(t), nobody behind
// it is called in that slot. Groups are thus called as early as the
// call-ahead bound allows: one slot ahead of the latest schedule that meets
// the deadlines with the gates' throughput. The plan is not always optimal.
func Solve(in *Instance) (*Plan, error) {
	if err := Validate(in); err != nil {
		return nil, err
	}
	s := newSolver(in)
	var calls []Call
	for t := 0; t < s.n && len(s.todo) > 0; t++ {
		calls = s.fill(t, calls)
	}
	slices.SortFunc(calls, func(a, b Call) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.Gate, b.Gate), strings.Compare(a.Group, b.Group))
	})

	p := &Plan{
		Calls:     calls,
		Queue:     make(map[string][]int, len(in.Gates)),
		Processed: s.total,
		Holding:   s.hold,
		Uncalled:  s.uncalled,
	}
	for g, gate := range in.Gates {
		p.Queue[gate.ID] = s.peak[g]
	}
	for _, gi := range s.todo {
		p.Uncalled = append(p.Uncalled, in.Groups[gi].ID)
	}
	slices.Sort(p.Uncalled)

	// Persons go to the earliest deadlines first; what is left of due(k)
	// when the persons processed by slot k run out is short.
	pool := 0
	for k := range s.n {
		pool += s.total[k]
		take := min(pool, s.due[k])
		pool -= take
		p.SeatsShort += s.due[k] - take
	}
	return p, nil
}

// unbounded stands for "no limit" in sums and comparisons without overflow.
const unbounded = math.MaxInt / 4

// solver holds the model of the plan so far. Slots before the current one
// are final; later slots hold the projection of the calls made so far.
type solver struct {
	in   *Instance
	n    int
	byID []int // gate indices by gate ID

	capacity [][]int // [gate][slot]
	closed   [][]bool
	old      [][]int // arrivals from in.Called
	arrivals [][]int // old and new
	peak     [][]int
	carry    [][]int
	done     [][]int // processed at one gate
	total    []int   // processed over all gates
	seats    []int
	hold     []int
	holdMax  []int // the holding limit, unbounded if none

	// room[g][t] is the most persons that may enter slot t of gate g on top
	// of its old arrivals, as carry or as new arrivals, so that no peak from
	// t on goes over its limit while later slots have only old arrivals.
	room [][]int
	// allow[t] is the most new persons that may arrive in slots 0..t and
	// keep the call-ahead bound in slot t and every later slot.
	allow []int
	// needed[t] is the fewest new persons that must arrive in slots 0..t
	// to meet need(t): max(0, need(t) − old A(t)).
	needed []int
	due    []int
	fresh  int // new persons called so far

	todo     []int   // indices of groups to call, in calling order
	sizes    []int   // the sizes of the groups in todo, ascending, once each
	count    []int   // by index in sizes: the groups in todo of that size
	low      int     // index in sizes of the smallest size in todo
	gatesOf  [][]int // by group index: the gates it may use, by gate ID
	uncalled []string
}

func newSolver(in *Instance) *solver {
	n := int(in.Horizon / in.Slot)
	G := len(in.Gates)
	s := &solver{in: in, n: n, byID: make([]int, G)}
	grid := func() [][]int {
		m := make([][]int, G)
		for g := range m {
			m[g] = make([]int, n)
		}
		return m
	}
	s.capacity, s.old, s.arrivals, s.peak, s.carry, s.done, s.room = grid(), grid(), grid(), grid(), grid(), grid(), grid()
	s.closed = make([][]bool, G)
	s.total, s.seats, s.hold, s.holdMax = make([]int, n), make([]int, n), make([]int, n), make([]int, n)

	gateIndex := make(map[string]int, G)
	for g, gate := range in.Gates {
		gateIndex[gate.ID] = g
		s.byID[g] = g
		s.closed[g] = make([]bool, n)
		perSlot := int(math.Floor(float64(gate.Lanes) * gate.PerLaneHour * float64(in.Slot) / float64(time.Hour)))
		for t := range n {
			from := in.Start.Add(in.Slot * time.Duration(t))
			to := from.Add(in.Slot)
			for _, c := range gate.Closures {
				if c.Start.Before(to) && from.Before(c.End) {
					s.closed[g][t] = true
				}
			}
			if !s.closed[g][t] {
				s.capacity[g][t] = perSlot
			}
		}
	}
	slices.SortFunc(s.byID, func(a, b int) int { return strings.Compare(in.Gates[a].ID, in.Gates[b].ID) })

	end := in.Start.Add(in.Horizon)
	called := make(map[string]bool, len(in.Called))
	for _, c := range in.Called {
		called[c.Group] = true
		if !c.End.After(in.Start) || !c.Start.Before(end) {
			continue
		}
		t := 0
		if c.Start.After(in.Start) {
			t = int(c.Start.Sub(in.Start) / in.Slot)
		}
		s.old[gateIndex[c.Gate]][t] += c.Size
	}
	for g := range G {
		copy(s.arrivals[g], s.old[g])
	}

	s.due = make([]int, n)
	for _, d := range in.Departures {
		if d.Time.Before(in.Start) || !d.Time.Before(end) {
			continue
		}
		s.seats[d.Time.Sub(in.Start)/in.Slot] += d.Seats
		if off := d.Time.Sub(in.Start) - in.Lead; off >= in.Slot {
			s.due[off/in.Slot-1] += d.Seats
		}
	}

	// The base model, with the old calls only, sets the limits.
	for g := range G {
		s.project(g, 0, true)
	}
	s.rehold(0, s.n)
	for t := range n {
		s.holdMax[t] = unbounded
		if in.Holding > 0 {
			s.holdMax[t] = max(in.Holding, s.hold[t])
		}
	}
	for g := range G {
		next := unbounded
		for t := n - 1; t >= 0; t-- {
			limit := max(in.QueueTarget, s.peak[g][t])
			a := s.old[g][t]
			s.room[g][t] = min(limit-a, next+s.capacity[g][t]-a)
			next = s.room[g][t]
		}
	}
	s.allow, s.needed = s.callAhead()

	type place struct { // in the calling order
		weight float64
		sec    int64
		nsec   int
		id     string
		group  int
	}
	line := make([]place, 0, len(in.Groups))
	for gi, gr := range in.Groups {
		if called[gr.ID] {
			continue
		}
		if gr.Size > in.QueueTarget {
			s.uncalled = append(s.uncalled, gr.ID)
			continue
		}
		line = append(line, place{-gr.Weight, gr.Registered.Unix(), gr.Registered.Nanosecond(), gr.ID, gi})
	}
	slices.SortFunc(line, func(a, b place) int {
		return cmp.Or(cmp.Compare(a.weight, b.weight), cmp.Compare(a.sec, b.sec), cmp.Compare(a.nsec, b.nsec), strings.Compare(a.id, b.id))
	})
	s.todo = make([]int, len(line))
	for i, p := range line {
		s.todo[i] = p.group
	}
	for _, gi := range s.todo {
		s.sizes = append(s.sizes, in.Groups[gi].Size)
	}
	slices.Sort(s.sizes)
	s.sizes = slices.Compact(s.sizes)
	s.count = make([]int, len(s.sizes))
	for _, gi := range s.todo {
		k, _ := slices.BinarySearch(s.sizes, in.Groups[gi].Size)
		s.count[k]++
	}
	s.gatesOf = make([][]int, len(in.Groups))
	for _, gi := range s.todo {
		s.gatesOf[gi] = s.byID
		if names := in.Groups[gi].Gates; len(names) > 0 {
			gs := make([]int, 0, len(names))
			for _, name := range names {
				gs = append(gs, gateIndex[name])
			}
			slices.SortFunc(gs, func(a, b int) int { return strings.Compare(in.Gates[a].ID, in.Gates[b].ID) })
			s.gatesOf[gi] = slices.Compact(gs)
		}
	}
	return s
}

// callAhead returns, for each slot t, the most new persons that may arrive
// in slots 0..t, the minimum over t' ≥ t of max(0, bound(t') − old A(t')),
// and the fewest that must, max(0, need(t) − old A(t)).
func (s *solver) callAhead() (allow, needed []int) {
	n := s.n
	thr := make([]int, n)
	for t := range n {
		for g := range s.capacity {
			thr[t] += min(s.capacity[g][t], s.in.QueueTarget)
		}
	}
	D := make([]int, n)
	sum := 0
	for k := range n {
		sum += s.due[k]
		D[k] = sum
	}
	need := make([]int, n)
	need[n-1] = D[n-1]
	for k := n - 2; k >= 0; k-- {
		need[k] = max(D[k], need[k+1]-thr[k+1])
	}
	oldA := make([]int, n)
	sum = 0
	for t := range n {
		for g := range s.old {
			sum += s.old[g][t]
		}
		oldA[t] = sum
	}
	allow, needed = make([]int, n), make([]int, n)
	next := unbounded
	for t := n - 1; t >= 0; t-- {
		bound := need[min(t+1, n-1)]
		allow[t] = min(next, max(0, bound-oldA[t]))
		next = allow[t]
		needed[t] = max(0, need[t]-oldA[t])
	}
	return allow, needed
}

// fill calls the groups that fit in slot t, appending their calls to calls,
// and keeps in s.todo those that do not.
func (s *solver) fill(t int, calls []Call) []Call {
	in := s.in
	smallest := unbounded // the smallest group to call
	if s.low < len(s.sizes) {
		smallest = s.sizes[s.low]
	}
	// failed[g] is the smallest call that failed the holding limit at gate g
	// in this slot: the model is monotone, so any call as big fails too.
	failed := make([]int, len(in.Gates))
	for g := range failed {
		failed[g] = unbounded
	}
	space := func(g int) int {
		if s.closed[g][t] {
			return 0
		}
		return min(s.room[g][t]-s.carryIn(g, t)-(s.arrivals[g][t]-s.old[g][t]), failed[g]-1)
	}
	full := func() bool {
		most := 0
		for g := range in.Gates {
			most = max(most, space(g))
		}
		return min(most, s.allow[t]-s.fresh) < smallest
	}

	keep, i := s.todo[:0], 0
	for ; i < len(s.todo); i++ {
		gi := s.todo[i]
		if full() {
			break
		}
		gr := &in.Groups[gi]
		if gr.Size > s.allow[t]-s.fresh {
			keep = append(keep, gi)
			if s.fresh >= s.needed[t] && gr.Size <= s.allow[s.n-1]-s.fresh &&
				slices.ContainsFunc(s.gatesOf[gi], func(g int) bool { return space(g) >= gr.Size }) {
				// It waits for the bound to grow, and as this slot's
				// deadlines are met, nobody behind it takes what it has
				// of the bound so far.
				i++
				break
			}
			continue
		}
		g := s.pick(gr.Size, s.gatesOf[gi], t, space, failed)
		if g < 0 {
			keep = append(keep, gi)
			continue
		}
		s.call(g, t, gr.Size)
		k, _ := slices.BinarySearch(s.sizes, gr.Size)
		for s.count[k]--; s.low < len(s.sizes) && s.count[s.low] == 0; s.low++ {
		}
		from := in.Start.Add(in.Slot * time.Duration(t))
		calls = append(calls, Call{Group: gr.ID, Size: gr.Size, Gate: in.Gates[g].ID, Start: from, End: from.Add(in.Slot)})
	}
	if len(keep) < i { // else keep is s.todo[:i] already
		keep = append(keep, s.todo[i:]...)
		s.todo = keep
	}
	return calls
}

// pick returns the gate among gates where size persons fit in slot t and
// leave the smallest peak, the first by ID among equals, or -1.
func (s *solver) pick(size int, gates []int, t int, space func(int) int, failed []int) int {
	for {
		best, bestPeak := -1, 0
		for _, g := range gates {
			if space(g) < size {
				continue
			}
			if p := s.carryIn(g, t) + s.arrivals[g][t] + size; best < 0 || p < bestPeak {
				best, bestPeak = g, p
			}
		}
		if best < 0 || s.holdingFits(best, t, size) {
			return best
		}
		failed[best] = min(failed[best], size)
	}
}

func (s *solver) carryIn(g, t int) int {
	if t == 0 {
		return 0
	}
	return s.carry[g][t-1]
}

// holdingFits reports whether x more persons at gate g in slot t keep
// holding within its limit in every slot.
func (s *solver) holdingFits(g, t, x int) bool {
	if s.in.Holding == 0 {
		return true
	}
	carry, h := s.carryIn(g, t), 0
	if t > 0 {
		h = s.hold[t-1]
	}
	for u := t; u < s.n; u++ {
		peak := carry + s.arrivals[g][u]
		if u == t {
			peak += x
		}
		done := min(peak, s.capacity[g][u])
		carry = peak - done
		h = max(0, h+s.total[u]-s.done[g][u]+done-s.seats[u])
		if h > s.holdMax[u] {
			return false
		}
		if carry == s.carry[g][u] && h == s.hold[u] {
			return true // from here on, nothing changes
		}
	}
	return true
}

// call adds x persons at gate g in slot t and updates the projection.
func (s *solver) call(g, t, x int) {
	s.arrivals[g][t] += x
	s.fresh += x
	s.rehold(t, s.project(g, t, false))
}

// project recomputes the queue of gate g from slot t on, and returns the
// slot after the last one it changed. Unless whole, it assumes the slots
// after t were up to date before the arrivals in t changed.
func (s *solver) project(g, t int, whole bool) int {
	carry := s.carryIn(g, t)
	for u := t; u < s.n; u++ {
		peak := carry + s.arrivals[g][u]
		done := min(peak, s.capacity[g][u])
		carry = peak - done
		same := s.carry[g][u] == carry
		s.total[u] += done - s.done[g][u]
		s.peak[g][u], s.done[g][u], s.carry[g][u] = peak, done, carry
		if same && !whole {
			return u + 1 // the slots after u get what they got before
		}
	}
	return s.n
}

// rehold recomputes holding from slot t on, where the persons processed
// changed in slots before last only.
func (s *solver) rehold(t, last int) {
	h := 0
	if t > 0 {
		h = s.hold[t-1]
	}
	for u := t; u < s.n; u++ {
		h = max(0, h+s.total[u]-s.seats[u])
		if u+1 >= last && h == s.hold[u] {
			return // the slots after u get what they got before
		}
		s.hold[u] = h
	}
}
