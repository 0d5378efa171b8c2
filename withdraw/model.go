package withdraw

import (
	"cmp"
	"slices"
	"sort"
)

// load is an amount of one nation's things: non-security personnel,
// security personnel, pallets and vehicles.
type load struct {
	per, sec, pal, veh int
}

func (a load) add(b load) load {
	return load{a.per + b.per, a.sec + b.sec, a.pal + b.pal, a.veh + b.veh}
}
func (a load) zero() bool          { return a == load{} }
func (a load) persons() int        { return a.per + a.sec }
func (a load) nonSecurity() int    { return a.per + a.pal + a.veh }
func (a load) positions(k int) int { return a.pal + k*a.veh }

// aircraftType is one nation's aircraft type at one airport, with the
// sorties available on each day (the sum of the entries whose windows hold
// the day).
type aircraftType struct {
	aircraft string
	airport  int
	pax, pos int // per sortie
	slots    int // vehicles per sortie: pos / pallets_per_vehicle
	avail    []int
}

// model is a scenario indexed for planning: nations sorted by id, sites and
// links in scenario order, routes to the airports.
type model struct {
	s           *Scenario
	days, k     int
	eld         int
	siteIndex   map[string]int
	nations     []string
	nationIndex map[string]int
	// deadline[n] is the nation's deadline, or days-1 when it has none;
	// hasDeadline tells which.
	deadline    []int
	hasDeadline []bool
	// finalDay[n] is the last day the nation may still fly: its deadline or
	// the end of its airlift windows, whichever is sooner. Security elements
	// are held by the nations that can stay longest.
	finalDay []int
	out, in  [][]int          // links leaving and reaching each site, in scenario order
	types    [][]aircraftType // per nation, sorted by aircraft then airport
	terminal [][]bool         // [nation][site]: the nation flies from the site
	next     [][]int          // [nation][site]: next site on the way out, or -1
	init     [][]load         // [nation][site] at day 0
	initSec  []int            // security per site at day 0
}

// newModel indexes s, which must have passed the checks of Validate up to
// the floors (Validate itself calls it to find the routes).
func newModel(s *Scenario) *model {
	m := &model{s: s, days: s.Days, k: s.PalletsPerVehicle, eld: s.EvacuationLastDay,
		siteIndex: map[string]int{}, nationIndex: map[string]int{}}
	for i, st := range s.Sites {
		m.siteIndex[st.ID] = i
	}
	for _, c := range s.Contingents {
		if _, ok := m.nationIndex[c.Nation]; !ok {
			m.nationIndex[c.Nation] = 0
			m.nations = append(m.nations, c.Nation)
		}
	}
	sort.Strings(m.nations)
	for i, n := range m.nations {
		m.nationIndex[n] = i
	}
	nn, ns := len(m.nations), len(s.Sites)
	m.out, m.in = make([][]int, ns), make([][]int, ns)
	for i, l := range s.Moves {
		f, t := m.siteIndex[l.From], m.siteIndex[l.To]
		m.out[f] = append(m.out[f], i)
		m.in[t] = append(m.in[t], i)
	}
	m.init = make([][]load, nn)
	m.terminal = make([][]bool, nn)
	m.next = make([][]int, nn)
	m.types = make([][]aircraftType, nn)
	m.deadline = make([]int, nn)
	m.hasDeadline = make([]bool, nn)
	m.finalDay = make([]int, nn)
	m.initSec = make([]int, ns)
	for n := range nn {
		m.init[n] = make([]load, ns)
		m.terminal[n] = make([]bool, ns)
		m.deadline[n] = m.days - 1
	}
	for _, c := range s.Contingents {
		n, st := m.nationIndex[c.Nation], m.siteIndex[c.Site]
		m.init[n][st] = load{per: c.Personnel - c.Security, sec: c.Security, pal: c.Pallets, veh: c.Vehicles}
		m.initSec[st] += c.Security
	}
	for _, d := range s.Deadlines {
		if n, ok := m.nationIndex[d.Nation]; ok {
			m.deadline[n], m.hasDeadline[n] = d.Day, true
		}
	}
	lastWindow := make([]int, nn)
	for i := range lastWindow {
		lastWindow[i] = -1
	}
	for _, a := range s.Airlift {
		n, ok := m.nationIndex[a.Nation]
		if !ok {
			continue
		}
		ap := m.siteIndex[a.Airport]
		m.terminal[n][ap] = true
		lastWindow[n] = max(lastWindow[n], a.ToDay)
		i := slices.IndexFunc(m.types[n], func(t aircraftType) bool { return t.aircraft == a.Aircraft && t.airport == ap })
		if i < 0 {
			m.types[n] = append(m.types[n], aircraftType{aircraft: a.Aircraft, airport: ap, pax: a.Passengers, pos: a.Pallets,
				slots: a.Pallets / m.k, avail: make([]int, m.days)})
			i = len(m.types[n]) - 1
		}
		for d := a.FromDay; d <= a.ToDay && d < m.days; d++ {
			m.types[n][i].avail[d] += a.SortiesPerDay
		}
	}
	for n := range nn {
		slices.SortFunc(m.types[n], func(a, b aircraftType) int {
			return cmp.Or(cmp.Compare(a.aircraft, b.aircraft), cmp.Compare(a.airport, b.airport))
		})
		m.finalDay[n] = min(m.deadline[n], lastWindow[n])
		m.next[n] = m.routes(n)
	}
	return m
}

// routes returns for each site the next site on a shortest way (by number of
// moves) to an airport where nation n flies, or -1. A way passes only through
// sites whose security at day 0 meets their floor, for what passes through a
// site brings its floor into force there.
func (m *model) routes(n int) []int {
	ns := len(m.s.Sites)
	next := make([]int, ns)
	seen := make([]bool, ns)
	var queue []int
	for i := range next {
		next[i] = -1
		if m.terminal[n][i] {
			seen[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, li := range m.in[v] {
			u := m.siteIndex[m.s.Moves[li].From]
			if seen[u] {
				continue
			}
			seen[u] = true
			next[u] = v
			if m.protectable(u) {
				queue = append(queue, u)
			}
		}
	}
	return next
}

// protectable tells whether things may pass through site i: its floor is
// met by the security there at day 0.
func (m *model) protectable(i int) bool {
	return m.initSec[i] >= m.s.Sites[i].SecurityFloor
}

// linkOrder is the order in which the nations take the shared capacity of
// the links: other for all, or, if security is set, other for all but
// security and then security for security (see convoys).
type linkOrder struct{ other, security []int }

// orders returns the link orders Plan plans with, to keep the best: with up
// to permuteNations nations every order (and with up to permuteBoth also
// every pair of orders, security after the rest), else three rules — the nation that must be
// out first (its final day) first; the one whose first aircraft type stops
// flying first, first; the smallest first. The first is always the first
// rule.
func (m *model) orders() []linkOrder {
	nn := len(m.nations)
	base := make([]int, nn)
	for i := range base {
		base[i] = i
	}
	byFinal := slices.Clone(base)
	slices.SortStableFunc(byFinal, func(a, b int) int {
		return cmp.Or(cmp.Compare(m.finalDay[a], m.finalDay[b]), cmp.Compare(m.deadline[a], m.deadline[b]))
	})
	var rules [][]int
	if nn <= permuteNations {
		permute(slices.Clone(byFinal), 0, func(p []int) { rules = append(rules, slices.Clone(p)) })
	} else {
		firstStop := slices.Clone(byFinal)
		stop := make([]int, nn)
		for n := range nn {
			stop[n] = m.days
			for _, ty := range m.types[n] {
				for d := m.days - 1; d >= 0; d-- {
					if ty.avail[d] > 0 {
						stop[n] = min(stop[n], d)
						break
					}
				}
			}
		}
		slices.SortStableFunc(firstStop, func(a, b int) int { return cmp.Compare(stop[a], stop[b]) })
		smallest := slices.Clone(byFinal)
		size := make([]int, nn)
		for n := range nn {
			for _, l := range m.init[n] {
				size[n] += l.persons() + l.positions(m.k)
			}
		}
		slices.SortStableFunc(smallest, func(a, b int) int { return cmp.Compare(size[a], size[b]) })
		rules = [][]int{byFinal}
		for _, o := range [][]int{firstStop, smallest} {
			if !slices.ContainsFunc(rules, func(p []int) bool { return slices.Equal(p, o) }) {
				rules = append(rules, o)
			}
		}
	}
	var out []linkOrder
	for _, r := range rules {
		out = append(out, linkOrder{other: r})
	}
	if nn <= permuteBoth {
		for _, a := range rules {
			for _, b := range rules {
				out = append(out, linkOrder{a, b})
			}
		}
	}
	return out
}

// Plan tries every order of up to permuteNations nations on the links, and
// every pair of orders (one for security, one for the rest) of up to
// permuteBoth.
const permuteNations, permuteBoth = 4, 3

// permute calls fn with every permutation of p[k:] (Heap's order is not
// needed: any fixed order will do).
func permute(p []int, k int, fn func([]int)) {
	if k == len(p) {
		fn(p)
		return
	}
	for i := k; i < len(p); i++ {
		p[k], p[i] = p[i], p[k]
		permute(p, k+1, fn)
		p[k], p[i] = p[i], p[k]
	}
}

// holders splits the floor of site st among the security there at day 0:
// held[n] persons of nation n stay until the site is clear. The nations that
// fly from the site hold first, then those that can stay longest (latest
// final day), then by id.
func (m *model) holders(st int) []int {
	held := make([]int, len(m.nations))
	need := m.s.Sites[st].SecurityFloor
	order := make([]int, len(m.nations))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ta, tb := m.terminal[a][st], m.terminal[b][st]
		switch {
		case ta && !tb:
			return -1
		case tb && !ta:
			return 1
		}
		if m.finalDay[a] != m.finalDay[b] {
			return m.finalDay[b] - m.finalDay[a]
		}
		return a - b
	})
	for _, n := range order {
		if need <= 0 {
			break
		}
		h := min(need, m.init[n][st].sec)
		held[n] = h
		need -= h
	}
	return held
}
