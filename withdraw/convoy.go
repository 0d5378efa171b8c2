package withdraw

// moveRec is what one nation moves over one link on one day.
type moveRec struct {
	day, nation, link int
	l                 load
}

// cohort is what of one nation reaches the airport it flies from, ready to
// fly from day release on.
type cohort struct {
	release int
	l       load
}

// convoyPlan is the ground (and intra-theatre air) part of a plan: every
// move, what reaches each airport when, and what is left behind.
type convoyPlan struct {
	moves []moveRec
	// arrivals[n][a] lists, by release day, what of nation n can fly from
	// airport a; what is there at day 0 has release 0.
	arrivals [][][]cohort
	// held[n][a] is the security that nation n, which does not fly from
	// airport a, keeps there for the floor: the nations that fly from a hold
	// it first, and what they cannot hold stays for good (see stuck).
	held [][]int
	// lastOut[a] is the last day anything other than security leaves site a
	// by a move, -1 if never.
	lastOut []int
	// stuck[n][s] is what never reaches an airport nation n flies from.
	stuck [][]load
}

// unlimited is a security budget that does not bind.
const unlimited = int(^uint(0) >> 1)

// convoys moves everything toward the airports, day by day, as early as the
// links allow. Nations take the shared capacity in the order o.other, each
// with its non-security personnel, vehicles (first) and pallets, then its
// security — or, if o.security is set, all nations' security after all the
// rest, in that order.
//
// A base is guarded while anything other than security is there or will
// still pass through it: its security may leave only down to the floor,
// counted on what was there at the start of the day (so the floor holds at
// the end of it, whatever arrives). Once it is clear at the end of a day —
// nothing else there, nothing else to come — the rest of its security may
// leave, that same day. At an airport, the security of nations that do not
// fly from it keeps what the floor needs beyond the security of those that
// do (model.holders), for good.
func (m *model) convoys(o linkOrder) *convoyPlan {
	nn, ns := len(m.nations), len(m.s.Sites)
	cp := &convoyPlan{
		arrivals: make([][][]cohort, nn),
		held:     make([][]int, nn),
		lastOut:  make([]int, ns),
		stuck:    make([][]load, nn),
	}
	avail := make([][]load, nn)
	incoming := make([][]load, nn)
	for n := range nn {
		avail[n] = append([]load(nil), m.init[n]...)
		incoming[n] = make([]load, ns)
		cp.arrivals[n] = make([][]cohort, ns)
		cp.held[n] = make([]int, ns)
		cp.stuck[n] = make([]load, ns)
	}
	guarded := make([]bool, ns)
	for st, site := range m.s.Sites {
		cp.lastOut[st] = -1
		switch {
		case site.SecurityFloor == 0:
		case site.Airport:
			h := m.holders(st)
			for n := range nn {
				if !m.terminal[n][st] {
					cp.held[n][st] = h[n]
					avail[n][st].sec -= h[n]
				}
			}
		default:
			guarded[st] = true
		}
	}
	// What is at an airport a nation flies from is ready at day 0.
	for n := range nn {
		for st := range ns {
			if m.terminal[n][st] {
				if !avail[n][st].zero() {
					cp.arrivals[n][st] = append(cp.arrivals[n][st], cohort{0, avail[n][st]})
				}
				avail[n][st] = load{}
			}
		}
	}

	secOrder := o.security
	if secOrder == nil {
		secOrder = o.other
	}
	capP := make([]int, len(m.s.Moves))
	capQ := make([]int, len(m.s.Moves))
	budget := make([]int, ns) // security that may still leave the site today
	pending := make([]int, ns)
	released := make([]bool, ns)
	// push moves nation n's things from st toward its airport on day d: all
	// but security, or security.
	push := func(n, st, d int, security bool) (moved bool) {
		t := m.next[n][st]
		if t < 0 {
			return false
		}
		a := &avail[n][st]
		for _, li := range m.out[st] {
			if m.siteIndex[m.s.Moves[li].To] != t {
				continue
			}
			var mv load
			if security {
				mv.sec = min(a.sec, capP[li], budget[st])
			} else {
				mv.per = min(a.per, capP[li])
				mv.veh = min(a.veh, capQ[li]/m.k)
				mv.pal = min(a.pal, capQ[li]-m.k*mv.veh)
			}
			if mv.zero() {
				continue
			}
			capP[li] -= mv.persons()
			capQ[li] -= mv.positions(m.k)
			budget[st] -= mv.sec
			a.per -= mv.per
			a.sec -= mv.sec
			a.pal -= mv.pal
			a.veh -= mv.veh
			incoming[n][t] = incoming[n][t].add(mv)
			cp.moves = append(cp.moves, moveRec{d, n, li, mv})
			if mv.nonSecurity() > 0 {
				cp.lastOut[st] = d
			}
			moved = true
		}
		return moved
	}

	for d := range m.days {
		for i, l := range m.s.Moves {
			capP[i], capQ[i] = l.PersonnelPerDay, l.PalletsPerDay
		}
		for st := range ns {
			budget[st] = unlimited
			if guarded[st] {
				sec := 0
				for n := range nn {
					sec += avail[n][st].sec
				}
				budget[st] = max(sec-m.s.Sites[st].SecurityFloor, 0)
			}
		}
		moving := false
		for _, n := range o.other {
			for st := range ns {
				if avail[n][st].nonSecurity() > 0 && push(n, st, d, false) {
					moving = true
				}
				if o.security == nil && avail[n][st].sec > 0 && push(n, st, d, true) {
					moving = true
				}
			}
		}
		for _, n := range o.security {
			for st := range ns {
				if avail[n][st].sec > 0 && push(n, st, d, true) {
					moving = true
				}
			}
		}
		// Unguard every base that is clear at the end of the day, and let
		// its security leave the same day.
		clear(pending)
		for n := range nn {
			for st := range ns {
				if m.terminal[n][st] || avail[n][st].nonSecurity()+incoming[n][st].nonSecurity() == 0 {
					continue
				}
				for t := m.next[n][st]; t >= 0 && !m.terminal[n][t]; t = m.next[n][t] {
					pending[t]++
				}
			}
		}
		clear(released)
		for st := range ns {
			if !guarded[st] || pending[st] > 0 {
				continue
			}
			other := 0
			for n := range nn {
				other += avail[n][st].nonSecurity() + incoming[n][st].nonSecurity()
			}
			if other == 0 {
				guarded[st], released[st], budget[st] = false, true, unlimited
			}
		}
		for _, n := range secOrder {
			for st := range ns {
				if released[st] && avail[n][st].sec > 0 && push(n, st, d, true) {
					moving = true
				}
			}
		}
		for n := range nn {
			for st := range ns {
				in := incoming[n][st]
				if in.zero() {
					continue
				}
				incoming[n][st] = load{}
				if m.terminal[n][st] {
					cp.arrivals[n][st] = append(cp.arrivals[n][st], cohort{d + 1, in})
				} else {
					avail[n][st] = avail[n][st].add(in)
				}
			}
		}
		if !moving {
			break // nothing moved with fresh capacity: nothing ever will
		}
	}
	for n := range nn {
		for st := range ns {
			if !m.terminal[n][st] {
				a := avail[n][st]
				a.sec += cp.held[n][st]
				cp.stuck[n][st] = a
			}
		}
	}
	return cp
}
