package withdraw

import "slices"

// sortieProblem is one nation's airlift out of one airport: the items that
// reach the airport, by the day from which they may fly, and the aircraft
// types with their sorties available per day. A sortie carries up to pax
// persons and pos pallet positions, of which at most slots vehicles.
type sortieProblem struct {
	k     int
	days  int
	types []aircraftType
	// Items by release day r (0..days): they may fly on days ≥ r.
	per, sec, pal, veh []int
	maxRelease         int // -1 without items
	budget             int // compositions left to try exactly
	totP, totQ, totV   int // persons, pallet positions, vehicles

	// scratch, per day
	pax, pos, slots []int
}

// enumerationBudget bounds the compositions of sortie counts tried per
// nation, airport and deadline; within it the count is exact (see solve).
// It is far more than one or two aircraft types ever need, and bounds the
// time three or more types with hundreds of sorties could take.
const enumerationBudget = 500_000

func newSortieProblem(m *model, types []aircraftType, cohorts []cohort) *sortieProblem {
	p := &sortieProblem{k: m.k, days: m.days, types: types, maxRelease: -1, budget: enumerationBudget}
	n := m.days + 1
	p.per, p.sec, p.pal, p.veh = make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	p.pax, p.pos, p.slots = make([]int, m.days), make([]int, m.days), make([]int, m.days)
	for _, c := range cohorts {
		r := min(c.release, m.days)
		p.per[r] += c.l.per
		p.sec[r] += c.l.sec
		p.pal[r] += c.l.pal
		p.veh[r] += c.l.veh
		if !c.l.zero() {
			p.maxRelease = max(p.maxRelease, r)
		}
	}
	for r := range p.per {
		p.totP += p.per[r] + p.sec[r]
		p.totQ += p.pal[r] + p.k*p.veh[r]
		p.totV += p.veh[r]
	}
	return p
}

// availTo returns the sorties of each type worth having on days 0..L: those
// available, but no more than the type needs to carry everything alone.
// More are never of use: placed on the latest days, the extra ones would fly
// before all the others, where the first ones already carry everything.
func (p *sortieProblem) availTo(L int) []int {
	a := make([]int, len(p.types))
	for t, ty := range p.types {
		for d := 0; d <= L && d < p.days; d++ {
			a[t] += ty.avail[d]
		}
		alone := max(ceilDiv(p.totP, ty.pax), ceilDiv(p.totQ, ty.pos), ceilDiv(p.totV, ty.slots))
		if (p.totP > 0 && ty.pax == 0) || (p.totQ > 0 && ty.pos == 0) || (p.totV > 0 && ty.slots == 0) {
			alone = a[t] // cannot carry everything alone
		}
		a[t] = min(a[t], alone)
	}
	return a
}

// place puts x[t] sorties of each type on the latest days ≤ L they are
// available, into y[t][d] (if y is not nil), and sums the capacity per day
// into p.pax, p.pos, p.slots. Flying late never hurts: every suffix of days
// gets the most capacity it can, and an item may fly any day from its
// release on.
func (p *sortieProblem) place(x []int, L int, y [][]int) {
	clear(p.pax)
	clear(p.pos)
	clear(p.slots)
	for t, ty := range p.types {
		left := x[t]
		for d := min(L, p.days-1); d >= 0 && left > 0; d-- {
			c := min(left, ty.avail[d])
			if c == 0 {
				continue
			}
			left -= c
			p.pax[d] += c * ty.pax
			p.pos[d] += c * ty.pos
			p.slots[d] += c * ty.slots
			if y != nil {
				y[t][d] = c
			}
		}
	}
}

// assign loads the capacity in p.pax/pos/slots on days 0..L and tells
// whether everything fits; if flown is not nil it records what flies each
// day. With bestEffort it leaves what does not fit instead of failing, and
// returns it.
//
// Persons go on days L down to 0, those released latest first, for they have
// the fewest days to fly (within a release day security first, so that it
// flies last): this fails only if some suffix of days has fewer seats than
// persons released in it, when nothing fits. Vehicles go first, on days 0 up
// to L, as early as they are released: that leaves every suffix of days the
// most pallet positions, and the pallets then go like persons into what is
// left. Both are exact given the capacity per day, which is exact per day
// (p.slots vehicles and p.pos positions in all: vehicles fill the sorties
// evenly, single pallets fill the rest).
func (p *sortieProblem) assign(L int, flown []load, bestEffort bool) (ok bool, left load) {
	if p.maxRelease > L && !bestEffort {
		return false, left
	}
	last := min(L, p.days-1)
	// Vehicles, forward.
	free := slices.Clone(p.pos) // positions left for pallets
	var vehLeft int
	rv := 0 // lowest release with vehicles left
	veh := slices.Clone(p.veh)
	for d := 0; d <= last; d++ {
		c := p.slots[d]
		for ; rv <= d && c > 0; rv++ {
			x := min(veh[rv], c)
			veh[rv] -= x
			c -= x
			free[d] -= x * p.k
			if flown != nil {
				flown[d].veh += x
			}
			if veh[rv] > 0 {
				break
			}
		}
	}
	for _, v := range veh {
		vehLeft += v
	}
	if vehLeft > 0 && !bestEffort {
		return false, left
	}
	left.veh = vehLeft
	ok = vehLeft == 0

	// Persons and pallets, backward.
	per, sec, pal := slices.Clone(p.per), slices.Clone(p.sec), slices.Clone(p.pal)
	for r := last + 1; r <= p.maxRelease; r++ {
		left.per += per[r]
		left.sec += sec[r]
		left.pal += pal[r]
		per[r], sec[r], pal[r] = 0, 0, 0
	}
	rp, rq := last, last // highest release with persons, pallets left
	for d := last; d >= 0; d-- {
		c := p.pax[d]
		for rp = min(rp, d); rp >= 0 && c > 0; {
			for _, q := range []*int{&sec[rp], &per[rp]} {
				x := min(*q, c)
				*q -= x
				c -= x
				if flown != nil && x > 0 {
					if q == &per[rp] {
						flown[d].per += x
					} else {
						flown[d].sec += x
					}
				}
			}
			if sec[rp]+per[rp] > 0 {
				break
			}
			rp--
		}
		c = free[d]
		for rq = min(rq, d); rq >= 0 && c > 0; {
			x := min(pal[rq], c)
			pal[rq] -= x
			c -= x
			if flown != nil && x > 0 {
				flown[d].pal += x
			}
			if pal[rq] > 0 {
				break
			}
			rq--
		}
		// What was released on day d and is still here cannot fly earlier.
		if sec[d]+per[d]+pal[d] > 0 {
			if !bestEffort {
				return false, left
			}
			ok = false
			left.per += per[d]
			left.sec += sec[d]
			left.pal += pal[d]
			per[d], sec[d], pal[d] = 0, 0, 0
		}
	}
	return ok, left
}

func (p *sortieProblem) feasible(x []int, L int) bool {
	if p.maxRelease > L {
		return false
	}
	p.place(x, L, nil)
	ok, _ := p.assign(L, nil, false)
	return ok
}

// covers is the bound that ignores time: x carries all the persons, pallet
// positions and vehicles.
func (p *sortieProblem) covers(x []int) bool {
	var cp, cq, cv int
	for t, ty := range p.types {
		cp += x[t] * ty.pax
		cq += x[t] * ty.pos
		cv += x[t] * ty.slots
	}
	return cp >= p.totP && cq >= p.totQ && cv >= p.totV
}

// compositions calls fn with every x of sum T and x[t] ≤ a[t], the first
// types taking as many as they can first, until fn returns true or the
// budget runs out. It reports whether fn returned true, and whether the
// enumeration was complete.
func (p *sortieProblem) compositions(T int, a []int, fn func(x []int) bool) (found, complete bool) {
	x := make([]int, len(a))
	suffix := make([]int, len(a)+1) // suffix[t]: most that types t.. can take
	for t := len(a) - 1; t >= 0; t-- {
		suffix[t] = suffix[t+1] + a[t]
	}
	var rec func(t, rest int) bool
	rec = func(t, rest int) bool {
		if p.budget <= 0 {
			return false
		}
		if t == len(a)-1 {
			if rest > a[t] {
				return false
			}
			x[t] = rest
			p.budget--
			return fn(x)
		}
		for v := min(rest, a[t]); v >= 0 && rest-v <= suffix[t+1]; v-- {
			x[t] = v
			if rec(t+1, rest-v) {
				return true
			}
			if p.budget <= 0 {
				return false
			}
		}
		return false
	}
	if len(a) == 0 {
		return false, true
	}
	found = rec(0, T)
	return found, found || p.budget > 0
}

// exists returns a composition of T sorties that carries everything by day L.
func (p *sortieProblem) exists(T, L int) ([]int, bool) {
	var got []int
	found, _ := p.compositions(T, p.availTo(L), func(x []int) bool {
		if p.covers(x) && p.feasible(x, L) {
			got = append([]int(nil), x...)
			return true
		}
		return false
	})
	return got, found
}

// solve returns the fewest sorties per type that fly everything out by day
// cutoff, flown as early as that fewest number allows: L is the last day of
// sorties. The count is exact: for a count per type, flying each type on the
// latest days it may is best, so a count either works placed that way or not
// at all, and the counts are enumerated by total from a lower bound up.
// Beyond the enumeration budget (many types and many sorties) it falls back to
// trimming the full availability, which is valid but may not be fewest.
func (p *sortieProblem) solve(cutoff int) (x []int, L int, ok bool) {
	if p.maxRelease < 0 {
		return make([]int, len(p.types)), -1, true
	}
	if p.maxRelease > cutoff {
		return nil, 0, false
	}
	all := p.availTo(cutoff)
	if !p.feasible(all, cutoff) {
		return nil, 0, false
	}
	tmax := 0
	for _, v := range all {
		tmax += v
	}
	lb := p.lowerBound(all)
	if lb < 0 {
		return p.trim(all, cutoff), cutoff, true
	}
	// Gallop up from the bound, then bisect: some composition of T works
	// iff T ≥ the minimum.
	lo, hi := lb-1, -1 // lo fails (or is below the bound), hi works
	for step := 1; ; step *= 2 {
		T := min(lb+step-1, tmax)
		if _, found := p.exists(T, cutoff); found {
			hi = T
			break
		}
		if p.budget <= 0 {
			return p.trim(all, cutoff), cutoff, true
		}
		lo = T
		if T == tmax {
			return p.trim(all, cutoff), cutoff, true // cannot happen: all was feasible
		}
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, found := p.exists(mid, cutoff); found {
			hi = mid
		} else {
			lo = mid
		}
	}
	// The earliest last day with that many sorties.
	lo2, hi2 := p.maxRelease-1, cutoff
	for hi2-lo2 > 1 {
		mid := (lo2 + hi2) / 2
		if _, found := p.exists(hi, mid); found {
			hi2 = mid
		} else {
			lo2 = mid
		}
	}
	x, found := p.exists(hi, hi2)
	if !found {
		return p.trim(all, cutoff), cutoff, true
	}
	return x, hi2, true
}

// lowerBound returns the fewest sorties that carry everything ignoring time,
// or -1 if the budget ran out.
func (p *sortieProblem) lowerBound(a []int) int {
	tmax := 0
	for _, v := range a {
		tmax += v
	}
	lo, hi := -1, tmax // covers(a) holds, since a is feasible
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		found, complete := p.compositions(mid, a, p.covers)
		if !complete {
			return -1
		}
		if found {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// trim removes sorties from x, smallest aircraft first, while everything
// still flies by day L.
func (p *sortieProblem) trim(x []int, L int) []int {
	x = append([]int(nil), x...)
	for t := len(x) - 1; t >= 0; t-- {
		lo, hi := -1, x[t] // x[t] = hi works
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			x[t] = mid
			if p.feasible(x, L) {
				hi = mid
			} else {
				lo = mid
			}
		}
		x[t] = hi
	}
	return x
}
