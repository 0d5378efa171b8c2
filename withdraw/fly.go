package withdraw

import (
	"cmp"
	"slices"
	"strconv"
)

// flight is what one nation flies out on one day with one aircraft type:
// count sorties carrying l together (typ indexes model.types[nation]).
type flight struct {
	day, nation, typ, count int
	l                       load
}

// nationFlights is one nation's airlift out of one airport.
type nationFlights struct {
	flights    []flight
	lastNonSec int  // last day anything other than security flies, -1 if none
	left       load // what stays at the airport
	onTime     bool // everything flown by the nation's deadline
}

// airportFlights is the airlift out of one airport.
type airportFlights struct {
	nations []*nationFlights // by nation, nil if the nation does not fly from here
	// holdTo is the day from which the airport's final security element may
	// leave: after the evacuation and when nothing else is left (on that
	// same day).
	holdTo int
}

// flyMemo remembers nation plans by their inputs, for planning an airport
// again with a changed final day of the floor or a nation's added airlift.
type flyMemo map[string]*nationFlights

// flyNation plans nation n's sorties out of airport a for what reaches it
// (cohorts, whose security is released as the floor allows): the fewest
// sorties by the nation's deadline, else the fewest by the end of the
// horizon, else as much as the airlift carries.
func (m *model) flyNation(n, a int, cohorts []cohort) *nationFlights {
	var idx []int
	var types []aircraftType
	for t, ty := range m.types[n] {
		if ty.airport == a {
			idx = append(idx, t)
			types = append(types, ty)
		}
	}
	p := newSortieProblem(m, types, cohorts)
	nf := &nationFlights{lastNonSec: -1}
	x, L, ok := p.solve(m.deadline[n])
	nf.onTime = ok
	if !ok && m.deadline[n] < m.days-1 {
		p.budget = enumerationBudget
		x, L, ok = p.solve(m.days - 1)
	}
	if !ok {
		L = m.days - 1
		x = p.availTo(L)
	}
	y := make([][]int, len(types))
	for t := range y {
		y[t] = make([]int, m.days)
	}
	if L >= 0 {
		p.place(x, L, y)
	}
	flown := make([]load, m.days)
	_, nf.left = p.assign(L, flown, !ok)
	for d := 0; d <= L; d++ {
		if flown[d].zero() {
			continue
		}
		if flown[d].nonSecurity() > 0 {
			nf.lastNonSec = d
		}
		rest := flown[d]
		for t, ty := range types {
			c := y[t][d]
			if c == 0 {
				continue
			}
			var l load
			l.veh = min(rest.veh, c*ty.slots)
			l.pal = min(rest.pal, c*ty.pos-m.k*l.veh)
			l.sec = min(rest.sec, c*ty.pax)
			l.per = min(rest.per, c*ty.pax-l.sec)
			rest.veh -= l.veh
			rest.pal -= l.pal
			rest.sec -= l.sec
			rest.per -= l.per
			// As few of the day's sorties as carry the load: only a
			// best-effort plan has more.
			need := max(ceilDiv(l.persons(), ty.pax), ceilDiv(l.veh, ty.slots), ceilDiv(l.positions(m.k), ty.pos))
			if need > 0 {
				nf.flights = append(nf.flights, flight{d, n, idx[t], min(need, c), l})
			}
		}
	}
	return nf
}

// ceilDiv is ⌈a/b⌉ for a ≥ 0; a load on a capacity of 0 needs no sortie
// (it cannot be there).
func ceilDiv(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// flyFrom plans the airlift out of airport a.
//
// The airport's floor binds to the end of the evacuation and then while
// anything other than security is there. It is held by the security of the
// nations that fly from the airport, in an order of holders, as it is there:
// at the end of each day d before the final day H, nation i must still have
// hold_i(d) of its security there, its share of the floor given what the
// nations before it have by then (what arrives counts from its arrival). So
// nation i may have flown at most Arr_i(d') − hold_i(d') of its security by
// any day d' ≥ d, which releases its security to fly day by day. H is the
// day after the evacuation or the last day anything else leaves the airport,
// whichever is later (security may leave with it); as the nations' plans move
// that day, they are planned again until it settles. If something other than
// security never leaves, H is beyond the horizon and the floor's security
// stays.
//
// The holders' order is every order of up to permuteNations nations, else
// those that can stay longest first, then those with the most security
// there at day 0; the best plan is kept (fewest nations late, then fewest
// sorties, then the earliest last sortie and sum of nations' last sorties).
func (m *model) flyFrom(a int, cp *convoyPlan, memo flyMemo) *airportFlights {
	nn, D := len(m.nations), m.days
	need := m.s.Sites[a].SecurityFloor
	stuck := false
	var flying []int
	for n := range nn {
		need -= cp.held[n][a] // kept by nations that do not fly from here
		if cp.stuck[n][a].nonSecurity() > 0 {
			stuck = true
		}
		if m.terminal[n][a] && len(cp.arrivals[n][a]) > 0 {
			flying = append(flying, n)
		}
	}
	slices.SortStableFunc(flying, func(x, y int) int {
		return cmp.Or(cmp.Compare(m.finalDay[y], m.finalDay[x]), cmp.Compare(m.init[y][a].sec, m.init[x][a].sec))
	})
	// present[n][d]: security of nation n there at the end of day d if none
	// flew (present[n][D]: at day 0); other[n]: its cohorts without security.
	present := make([][]int, nn)
	other := make([][]cohort, nn)
	for _, n := range flying {
		present[n] = make([]int, D+1)
		for _, c := range cp.arrivals[n][a] {
			if c.release == 0 {
				present[n][D] += c.l.sec
			}
			for d := max(c.release-1, 0); d < D; d++ {
				present[n][d] += c.l.sec
			}
			o := c
			o.l.sec = 0
			if !o.l.zero() {
				other[n] = append(other[n], o)
			}
		}
	}
	H0 := max(m.eld+1, cp.lastOut[a])
	if stuck {
		H0 = D
	}
	orders := [][]int{flying}
	if len(flying) <= permuteNations {
		orders = nil
		permute(slices.Clone(flying), 0, func(p []int) { orders = append(orders, slices.Clone(p)) })
	}
	var best *airportFlights
	var bestKey [4]int
	hold := make([][]int, nn)
	for _, n := range flying {
		hold[n] = make([]int, D)
	}
	for _, order := range orders {
		af := &airportFlights{nations: make([]*nationFlights, nn)}
		H := H0
		for range D + 2 {
			for d := range D {
				rest := 0
				if d < H {
					rest = max(need, 0)
				}
				for _, n := range order {
					hold[n][d] = min(present[n][d], rest)
					rest -= hold[n][d]
				}
			}
			last, leftNon := cp.lastOut[a], false
			for _, n := range order {
				cohorts := append(slices.Clone(other[n]), releaseSecurity(present[n], hold[n])...)
				nf := memo.fly(m, n, a, cohorts)
				af.nations[n] = nf
				last = max(last, nf.lastNonSec)
				leftNon = leftNon || nf.left.nonSecurity() > 0
			}
			next := max(H, last)
			if leftNon {
				next = D
			}
			if next == H {
				break
			}
			H = next
		}
		af.holdTo = H
		var key [4]int
		for _, n := range order {
			nf := af.nations[n]
			if !nf.onTime || !nf.left.zero() {
				key[0]++
			}
			lastDay := -1
			for _, f := range nf.flights {
				key[1] += f.count
				lastDay = max(lastDay, f.day)
			}
			key[2] = max(key[2], lastDay)
			key[3] += lastDay
		}
		if best == nil || slices.Compare(key[:], bestKey[:]) < 0 {
			best, bestKey = af, key
		}
	}
	if best == nil {
		best = &airportFlights{nations: make([]*nationFlights, nn), holdTo: H0}
	}
	return best
}

// releaseSecurity returns security cohorts by the day from which each may
// fly: present[d] is there at the end of day d if none flew (present[D] at
// day 0), hold[d] must still be there then. By day d at most
// min(present[d-1], min_{d' ≥ d} present[d'] − hold[d']) may have flown.
func releaseSecurity(present, hold []int) []cohort {
	D := len(hold)
	limit := make([]int, D)
	low := present[D-1] - hold[D-1]
	for d := D - 1; d >= 0; d-- {
		low = min(low, present[d]-hold[d])
		limit[d] = low
	}
	var out []cohort
	prev := 0
	for d := range D {
		before := present[D] // at the end of day d-1
		if d > 0 {
			before = present[d-1]
		}
		r := max(min(before, limit[d]), prev)
		if r > prev {
			out = append(out, cohort{d, load{sec: r - prev}})
			prev = r
		}
	}
	if total := present[D-1]; total > prev {
		out = append(out, cohort{D, load{sec: total - prev}})
	}
	return out
}

// memoPrefix starts the keys of nation n's plans.
func memoPrefix(n int) string { return strconv.Itoa(n) + "@" }

// fly is flyNation, remembered by its inputs.
func (memo flyMemo) fly(m *model, n, a int, cohorts []cohort) *nationFlights {
	key := make([]byte, 0, 16*len(cohorts)+8)
	key = append(key, memoPrefix(n)...)
	key = strconv.AppendInt(key, int64(a), 10)
	for _, c := range cohorts {
		key = append(key, ';')
		for _, v := range [5]int{c.release, c.l.per, c.l.sec, c.l.pal, c.l.veh} {
			key = strconv.AppendInt(key, int64(v), 10)
			key = append(key, ',')
		}
	}
	if nf, ok := memo[string(key)]; ok {
		return nf
	}
	nf := m.flyNation(n, a, cohorts)
	memo[string(key)] = nf
	return nf
}
