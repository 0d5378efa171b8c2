package manifest

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Solve assigns the instance's groups to its flights. in must be valid
// (Validate). The answer is deterministic: the same instance gives the same
// assignment.
//
// The bound is the optimum of the problem in which groups may be split: it
// is a flow problem (persons from groups through the flights they may take,
// flights' litter positions and seats, hubs' days), and since every person
// of a priority weighs the same, taking the heaviest persons first, each
// class as far as the network allows, is optimal for it (the persons a
// network can carry form a polymatroid). The assignment keeps groups whole:
// it follows the split solution where it can, fits the rest first by time,
// then gives the seats of lighter groups to heavier ones that were left
// out. Among persons of equal weight, those who have waited longest (the
// earliest ready) are seated first.
func Solve(in *Instance) *Solution {
	p := newProblem(in)
	bound := p.fixedObjective + p.splitBound()
	// Each rule of placement, followed by the improvement; the best wins,
	// the first of equals.
	start := p.save()
	var best []int
	bestValue := -1.0
	rules := []placement{followSplit, firstFit, tightest, constrainedFirst}
	if len(p.groups) > portfolioGroups {
		rules = rules[:1] // on a national instance one rule already lands within a tenth of a percent
	}
	for _, rule := range rules {
		p.restore(start)
		p.assign(rule)
		if p.fixedObjective+p.placed() < bound*(1-1e-12) { // at the bound, nothing can improve
			p.improve()
		}
		if v := p.placed(); v > bestValue {
			best, bestValue = slices.Clone(p.flightOf), v
		}
	}
	p.restore(start)
	for i, f := range best {
		if f >= 0 {
			p.take(f, p.groups[i])
		}
		p.flightOf[i] = f
	}
	proven := false
	if len(p.groups) <= exactGroups && p.placed() < bound-p.fixedObjective {
		proven = p.search()
	}
	sol := &Solution{Objective: p.fixedObjective, Bound: bound, Assignment: map[string]string{}}
	for g, f := range in.Fixed {
		sol.Assignment[g] = f
	}
	for i, f := range p.flightOf {
		if f >= 0 {
			sol.Assignment[p.groups[i].ID] = in.Flights[f].ID
			sol.Objective += p.value[i]
		}
	}
	// Rounding can put the sums a hair apart; the bound holds exactly.
	sol.Bound = max(sol.Bound, sol.Objective)
	if proven {
		sol.Bound = sol.Objective
	}
	return sol
}

// problem is an instance prepared for solving: the groups still to place,
// the flights' free capacities after the fixed groups, and the classes of
// groups that the same flights accept.
type problem struct {
	in     *Instance
	groups []Group // not fixed, in the order they are placed
	weight []float64
	value  []float64 // weight × size
	class  []int     // index into classes
	entry  []int     // first flight in the class's list the group is ready for

	classes []class
	byKey   map[string]int

	seats, litters []int // free, by flight
	hub            []int // by flight: index into hubFree, -1 if unlimited
	hubFree        []int

	flightOf       []int // by group: assigned flight, -1
	fixedObjective float64
	quota          [][2][]int64 // by class: persons (normal, litter) the split solution sends to each flight of its list
}

// class is the groups that the same flights accept, whatever their ready
// times: same nationality, category and destinations.
type class struct {
	flights []int // accepting flights by departure
}

func newProblem(in *Instance) *problem {
	p := &problem{in: in, byKey: map[string]int{}}
	byDeparture := make([]int, len(in.Flights))
	for i := range byDeparture {
		byDeparture[i] = i
	}
	sort.SliceStable(byDeparture, func(a, b int) bool {
		fa, fb := in.Flights[byDeparture[a]], in.Flights[byDeparture[b]]
		return cmp.Or(fa.Departure.Compare(fb.Departure), strings.Compare(fa.ID, fb.ID)) < 0
	})
	flightIndex := map[string]int{}
	p.seats = make([]int, len(in.Flights))
	p.litters = make([]int, len(in.Flights))
	p.hub = make([]int, len(in.Flights))
	hubCap := map[string]int{}
	for _, h := range in.Hubs {
		hubCap[h.ID] = h.Capacity
	}
	hubDay := map[string]int{}
	for i, f := range in.Flights {
		flightIndex[f.ID] = i
		p.seats[i], p.litters[i], p.hub[i] = f.Seats, f.Litters, -1
		if c, ok := hubCap[f.Destination]; ok {
			key := HubDay(f)
			h, seen := hubDay[key]
			if !seen {
				h = len(p.hubFree)
				hubDay[key] = h
				p.hubFree = append(p.hubFree, c)
			}
			p.hub[i] = h
		}
	}
	for _, g := range in.Groups {
		w := in.Weights[strconv.Itoa(g.Priority)]
		if fid, ok := in.Fixed[g.ID]; ok {
			f := flightIndex[fid]
			p.take(f, g)
			p.fixedObjective += w * float64(g.Size)
			continue
		}
		c := p.classOf(g, byDeparture)
		list := p.classes[c].flights
		entry := sort.Search(len(list), func(i int) bool { return !in.Flights[list[i]].Departure.Before(g.Ready) })
		if entry == len(list) || w <= 0 {
			continue // no flight it may take departs after it is ready, or it weighs nothing
		}
		p.groups = append(p.groups, g)
		p.weight = append(p.weight, w)
		p.value = append(p.value, w*float64(g.Size))
		p.class = append(p.class, c)
		p.entry = append(p.entry, entry)
	}
	// Heaviest persons first; among equals, who waited longest; then larger
	// groups, which are harder to fit later.
	order := make([]int, len(p.groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		gi, gj := p.groups[i], p.groups[j]
		return cmp.Or(cmp.Compare(p.weight[j], p.weight[i]), gi.Ready.Compare(gj.Ready),
			cmp.Compare(gj.Size, gi.Size), strings.Compare(gi.ID, gj.ID)) < 0
	})
	p.groups = permute(p.groups, order)
	p.weight = permute(p.weight, order)
	p.value = permute(p.value, order)
	p.class = permute(p.class, order)
	p.entry = permute(p.entry, order)
	p.flightOf = make([]int, len(p.groups))
	for i := range p.flightOf {
		p.flightOf[i] = -1
	}
	return p
}

func permute[T any](s []T, order []int) []T {
	out := make([]T, len(order))
	for i, j := range order {
		out[i] = s[j]
	}
	return out
}

func (p *problem) classOf(g Group, byDeparture []int) int {
	dests := slices.Clone(g.Destinations)
	slices.Sort(dests)
	key := g.Nationality + "\x00" + g.Category + "\x00" + strings.Join(slices.Compact(dests), "\x00")
	if c, ok := p.byKey[key]; ok {
		return c
	}
	probe := g // readiness is the entry into the list, not the class
	var list []int
	for _, f := range byDeparture {
		fl := p.in.Flights[f]
		probe.Ready = fl.Departure
		if Compatible(probe, fl) {
			list = append(list, f)
		}
	}
	p.classes = append(p.classes, class{flights: list})
	p.byKey[key] = len(p.classes) - 1
	return len(p.classes) - 1
}

func (p *problem) fits(f int, g Group) bool {
	return p.seats[f] >= g.Size && p.litters[f] >= g.Litters && (p.hub[f] < 0 || p.hubFree[p.hub[f]] >= g.Size)
}

func (p *problem) take(f int, g Group) {
	p.seats[f] -= g.Size
	p.litters[f] -= g.Litters
	if h := p.hub[f]; h >= 0 {
		p.hubFree[h] -= g.Size
	}
}

func (p *problem) give(f int, g Group) {
	p.seats[f] += g.Size
	p.litters[f] += g.Litters
	if h := p.hub[f]; h >= 0 {
		p.hubFree[h] += g.Size
	}
}

// portfolioGroups is the size of instance up to which every placement rule
// is tried; on larger ones each costs seconds.
const portfolioGroups = 20_000

// state is what placing groups changes.
type state struct {
	seats, litters, hubFree, flightOf []int
	quota                             [][2][]int64
}

func (p *problem) save() state {
	st := state{seats: slices.Clone(p.seats), litters: slices.Clone(p.litters), hubFree: slices.Clone(p.hubFree),
		flightOf: slices.Clone(p.flightOf), quota: make([][2][]int64, len(p.quota))}
	for c, q := range p.quota {
		st.quota[c] = [2][]int64{slices.Clone(q[0]), slices.Clone(q[1])}
	}
	return st
}

func (p *problem) restore(st state) {
	copy(p.seats, st.seats)
	copy(p.litters, st.litters)
	copy(p.hubFree, st.hubFree)
	copy(p.flightOf, st.flightOf)
	for c, q := range st.quota {
		copy(p.quota[c][0], q[0])
		copy(p.quota[c][1], q[1])
	}
}

// splitBound builds the flow network of the split problem and fills it
// heaviest class first. It also keeps, for each class and flight, how many
// persons the split solution sends there: the assignment follows it.
func (p *problem) splitBound() float64 {
	nf := len(p.in.Flights)
	// Nodes: source, sink, a seat and a litter node per flight, a node per
	// hub-day, then the classes' chains.
	const s, t = 0, 1
	net := newNetwork(2 + 2*nf + len(p.hubFree))
	seat := func(f int) int { return 2 + f }
	litter := func(f int) int { return 2 + nf + f }
	hubNode := func(h int) int { return 2 + 2*nf + h }
	for f := range nf {
		net.addArc(litter(f), seat(f), int64(max(p.litters[f], 0)))
		if h := p.hub[f]; h >= 0 {
			net.addArc(seat(f), hubNode(h), int64(max(p.seats[f], 0)))
		} else {
			net.addArc(seat(f), t, int64(max(p.seats[f], 0)))
		}
	}
	for h, free := range p.hubFree {
		net.addArc(hubNode(h), t, int64(max(free, 0)))
	}
	// Each class has two trees over its flights by departure (one for the
	// persons who sit, one for those on litters): a person ready for a
	// flight is ready for every later one, and a tree reaches any suffix of
	// the list through a few nodes, so paths stay short and the flow takes
	// few phases.
	type tree struct {
		root   int
		node   map[[2]int]int // [l, r) → node
		leafTo []int          // by list index: the arc into the flight
	}
	trees := make([][2]*tree, len(p.classes))
	build := func(c, kind int) *tree {
		list := p.classes[c].flights
		tr := &tree{node: map[[2]int]int{}, leafTo: make([]int, len(list))}
		var mk func(l, r int) int
		mk = func(l, r int) int {
			u := net.addNode()
			tr.node[[2]int{l, r}] = u
			if r-l == 1 {
				to := seat(list[l])
				if kind == 1 {
					to = litter(list[l])
				}
				tr.leafTo[l] = net.addArc(u, to, infinite)
				return u
			}
			m := (l + r) / 2
			net.addArc(u, mk(l, m), infinite)
			net.addArc(u, mk(m, r), infinite)
			return u
		}
		tr.root = mk(0, len(list))
		return tr
	}
	// entryNode returns a node that reaches the flights at and after index
	// at of the class's list, through the tree nodes that cover them.
	entryNode := func(tr *tree, m, at int) int {
		e := net.addNode()
		var cover func(l, r int)
		cover = func(l, r int) {
			switch {
			case r <= at:
			case at <= l:
				net.addArc(e, tr.node[[2]int{l, r}], infinite)
			default:
				mid := (l + r) / 2
				cover(l, mid)
				cover(mid, r)
			}
		}
		cover(0, m)
		return e
	}
	// Source arcs by weight, then class, kind and entry, summed.
	type source struct {
		weight          float64
		class, kind, at int
	}
	persons := map[source]int64{}
	for i, g := range p.groups {
		if n := g.Size - g.Litters; n > 0 {
			persons[source{p.weight[i], p.class[i], 0, p.entry[i]}] += int64(n)
		}
		if g.Litters > 0 {
			persons[source{p.weight[i], p.class[i], 1, p.entry[i]}] += int64(g.Litters)
		}
	}
	keys := make([]source, 0, len(persons))
	for k := range persons {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b source) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.class, b.class), cmp.Compare(a.kind, b.kind), cmp.Compare(a.at, b.at))
	})
	var bound float64
	for i := 0; i < len(keys); {
		w := keys[i].weight
		var arcs []int
		for ; i < len(keys) && keys[i].weight == w; i++ {
			k := keys[i]
			tr := trees[k.class][k.kind]
			if tr == nil {
				tr = build(k.class, k.kind)
				trees[k.class][k.kind] = tr
			}
			arcs = append(arcs, net.addArc(s, entryNode(tr, len(p.classes[k.class].flights), k.at), persons[k]))
		}
		net.maxflow(s, t)
		for _, a := range arcs {
			bound += w * float64(net.flow(a))
		}
	}
	p.quota = make([][2][]int64, len(p.classes))
	for c := range p.classes {
		for kind := range 2 {
			if tr := trees[c][kind]; tr != nil {
				q := make([]int64, len(tr.leafTo))
				for i, a := range tr.leafTo {
					q[i] = net.flow(a)
				}
				p.quota[c][kind] = q
			}
		}
	}
	return bound
}

// placement is a rule by which assign picks a group's flight.
type placement int

const (
	followSplit      placement = iota // where the split solution sent the group's class, else firstFit
	firstFit                          // the first flight by departure with room
	tightest                          // the flight with the fewest free seats that still fit the group
	constrainedFirst                  // firstFit, but within a weight the groups with the fewest flights first, then the largest
)

// placementOrder is the order in which rule places the groups: heaviest
// first always; within a weight, who waited longest, except for
// constrainedFirst.
func (p *problem) placementOrder(rule placement) []int {
	order := make([]int, len(p.groups))
	for i := range order {
		order[i] = i
	}
	if rule == constrainedFirst {
		choices := func(i int) int { return len(p.classes[p.class[i]].flights) - p.entry[i] }
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Or(cmp.Compare(p.weight[b], p.weight[a]), cmp.Compare(choices(a), choices(b)),
				cmp.Compare(p.groups[b].Size, p.groups[a].Size))
		})
	}
	return order
}

// assign places the groups in order, each on the flight rule picks.
func (p *problem) assign(rule placement) {
	order := p.placementOrder(rule)
	for _, i := range order {
		g := p.groups[i]
		c, list := p.class[i], p.classes[p.class[i]].flights
		normal, litter := int64(g.Size-g.Litters), int64(g.Litters)
		q := p.quota[c]
		chosen := -1
		for j := p.entry[i]; j < len(list) && rule == followSplit; j++ {
			f := list[j]
			if !p.fits(f, g) {
				continue
			}
			if (normal == 0 || q[0] != nil && q[0][j] >= normal) && (litter == 0 || q[1] != nil && q[1][j] >= litter) {
				chosen = j
				break
			}
		}
		for j := p.entry[i]; j < len(list) && chosen < 0; j++ {
			if p.fits(list[j], g) {
				chosen = j
			}
		}
		if rule == tightest && chosen >= 0 {
			// The flight whose free seats the group fills best.
			for j := chosen + 1; j < len(list); j++ {
				if f := list[j]; p.fits(f, g) && p.seats[f] < p.seats[list[chosen]] {
					chosen = j
				}
			}
		}
		if chosen < 0 {
			continue
		}
		f := list[chosen]
		p.take(f, g)
		p.flightOf[i] = f
		if q[0] != nil {
			q[0][chosen] = max(q[0][chosen]-normal, 0)
		}
		if q[1] != nil {
			q[1][chosen] = max(q[1][chosen]-litter, 0)
		}
	}
}

// improve gives each group left out, heaviest first, a flight where it fits
// once lighter groups make room, if the lighter groups weigh less in all
// and find other flights or are worth less than it. Each left-out group is
// tried once on each of its flights.
func (p *problem) improve() {
	onFlight := make([][]int, len(p.in.Flights))
	for i, f := range p.flightOf {
		if f >= 0 {
			onFlight[f] = append(onFlight[f], i)
		}
	}
	// lighter caches, by flight, the seats held by groups lighter than a
	// weight: groups come heaviest first, so it is reused until the weight
	// or the flight's groups change. Without it a national instance spends
	// seconds recounting.
	type count struct {
		w     float64
		seats int
		ok    bool
	}
	lighter := make([]count, len(p.in.Flights))
	for i, g := range p.groups {
		if p.flightOf[i] >= 0 {
			continue
		}
		list := p.classes[p.class[i]].flights
		for j := p.entry[i]; j < len(list) && p.flightOf[i] < 0; j++ {
			f := list[j]
			if p.fits(f, g) {
				p.take(f, g)
				p.flightOf[i] = f
				onFlight[f] = append(onFlight[f], i)
				lighter[f].ok = false
				break
			}
			if c := lighter[f]; !c.ok || c.w != p.weight[i] {
				lighter[f] = count{w: p.weight[i], seats: seatsOf(p, onFlight[f], p.weight[i]), ok: true}
			}
			if p.seats[f]+lighter[f].seats < g.Size {
				continue // even all the lighter groups do not make room
			}
			for _, h := range p.makeRoom(i, f, onFlight) {
				lighter[h].ok = false
			}
		}
	}
}

// makeRoom tries to seat group i on flight f by taking off groups of lower
// weight per person, lightest first, then giving
// each of them the first other flight with room. It keeps the change only
// if it gains: i is worth more than the groups that found no other flight.
// It returns the flights whose groups it changed.
func (p *problem) makeRoom(i, f int, onFlight [][]int) []int {
	g := p.groups[i]
	members := slices.Clone(onFlight[f])
	// Groups were placed heaviest first: the last placed are the lightest.
	var removed []int
	from := map[int]int{} // removed group → its flight
	for k := len(members) - 1; k >= 0 && !p.fits(f, g); k-- {
		o := members[k]
		if p.weight[o] >= p.weight[i] {
			continue
		}
		h := p.flightOf[o]
		p.give(h, p.groups[o])
		p.flightOf[o] = -1
		removed = append(removed, o)
		from[o] = h
	}
	if !p.fits(f, g) {
		for _, o := range removed {
			p.take(from[o], p.groups[o])
			p.flightOf[o] = from[o]
		}
		return nil
	}
	p.take(f, g)
	p.flightOf[i] = f
	lost := 0.0
	for _, o := range removed {
		og, list := p.groups[o], p.classes[p.class[o]].flights
		for j := p.entry[o]; j < len(list) && p.flightOf[o] < 0; j++ {
			if h := list[j]; h != from[o] && p.fits(h, og) {
				p.take(h, og)
				p.flightOf[o] = h
			}
		}
		if p.flightOf[o] < 0 {
			lost += p.value[o]
		}
	}
	if lost >= p.value[i] {
		// No gain: everything back as it was.
		for _, o := range removed {
			if h := p.flightOf[o]; h >= 0 {
				p.give(h, p.groups[o])
			}
		}
		p.give(f, g)
		p.flightOf[i] = -1
		for _, o := range removed {
			p.take(from[o], p.groups[o])
			p.flightOf[o] = from[o]
		}
		return nil
	}
	onFlight[f] = slices.DeleteFunc(onFlight[f], func(o int) bool { _, gone := from[o]; return gone })
	onFlight[f] = append(onFlight[f], i)
	changed := []int{f}
	for _, o := range removed {
		if h := p.flightOf[o]; h >= 0 {
			onFlight[h] = append(onFlight[h], o)
			changed = append(changed, h)
		}
	}
	return changed
}

// seatsOf counts the seats held on a flight by groups lighter than w.
func seatsOf(p *problem, members []int, w float64) int {
	n := 0
	for _, o := range members {
		if p.weight[o] < w {
			n += p.groups[o].Size
		}
	}
	return n
}

// exactGroups is the size of instance whose assignment is improved by branch
// and bound when it falls short of the bound.
const exactGroups = 40

// placed is the objective of the groups placed, without the fixed ones.
func (p *problem) placed() float64 {
	var v float64
	for i, f := range p.flightOf {
		if f >= 0 {
			v += p.value[i]
		}
	}
	return v
}

// exactLimit bounds the branch and bound of small instances, in nodes.
const exactLimit = 2_000_000

// search improves the assignment of a small instance by branch and bound:
// each group in order goes on one of its flights with room, or stays off;
// a branch ends when even every remaining person seated on the free seats
// (heaviest first) could not beat the best assignment. It stops after
// exactLimit nodes, keeping the best found, and reports whether it finished:
// then the assignment is optimal.
func (p *problem) search() bool {
	n := len(p.groups)
	best, current := 0.0, 0.0
	for i, f := range p.flightOf {
		if f >= 0 {
			best += p.value[i]
		}
	}
	bestOf := slices.Clone(p.flightOf)
	// Undo the assignment: the search starts from nothing.
	for i, f := range p.flightOf {
		if f >= 0 {
			p.give(f, p.groups[i])
			p.flightOf[i] = -1
		}
	}
	nodes := 0
	var rec func(i int)
	rec = func(i int) {
		nodes++
		if nodes > exactLimit {
			return
		}
		if current > best {
			best = current
			copy(bestOf, p.flightOf)
		}
		if i == n || current+p.optimistic(i) <= best {
			return
		}
		g := p.groups[i]
		list := p.classes[p.class[i]].flights
		for j := p.entry[i]; j < len(list); j++ {
			f := list[j]
			if !p.fits(f, g) {
				continue
			}
			p.take(f, g)
			p.flightOf[i] = f
			current += p.value[i]
			rec(i + 1)
			current -= p.value[i]
			p.flightOf[i] = -1
			p.give(f, g)
		}
		rec(i + 1)
	}
	rec(0)
	for i, f := range bestOf {
		if f >= 0 {
			p.take(f, p.groups[i])
		}
		p.flightOf[i] = f
	}
	return nodes <= exactLimit
}

// optimistic bounds what groups i… can add: their persons, heaviest first
// (the order of p.groups), on the free seats of all flights.
func (p *problem) optimistic(i int) float64 {
	free := 0
	for _, s := range p.seats {
		free += max(s, 0)
	}
	var v float64
	for k := i; k < len(p.groups) && free > 0; k++ {
		take := min(free, p.groups[k].Size)
		v += p.weight[k] * float64(take)
		free -= take
	}
	return v
}
