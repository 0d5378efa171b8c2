package withdraw

import (
	"fmt"
	"slices"
	"sort"
)

// Validate checks the plan r against s on its own, by replaying r's moves
// and sorties day by day from the contingents, and returns every rule r
// breaks and every claim of r that the replay contradicts, in a fixed order;
// an empty list means r is a valid plan. It shares no code with Plan beyond
// the scenario's own Validate.
//
// It checks: each move is on a link of the scenario and each link's daily
// capacity (personnel; pallets plus vehicles in pallet positions) holds;
// each nation flies only its own aircraft, within their windows and sorties
// per day, and no sortie carries more than its passengers, pallet positions
// or vehicles; nothing leaves a site that was not there at the start of the
// day (conservation: nothing appears or vanishes); the floor holds at every
// site at the end of every day it applies; no security leaves a site leaving
// it below its floor while anything else is there, nor an airport before the
// evacuation ends; and the drawdown, margins, deadlines, completion and
// closing days, total sorties and what is left are what the replay gives.
func Validate(s *Scenario, r *Result) []string {
	if err := s.Validate(); err != nil {
		return []string{err.Error()}
	}
	if r == nil {
		return []string{"no plan"}
	}
	v := &validator{s: s, r: r, k: s.PalletsPerVehicle}
	v.index()
	v.checkMoves()
	v.checkSorties()
	v.replay()
	v.checkClaims()
	return v.errs
}

// vstock is one nation's things at one site: security, other personnel,
// pallets, vehicles.
type vstock [4]int

type validator struct {
	s    *Scenario
	r    *Result
	k    int
	errs []string

	site    map[string]int
	nations []string
	nation  map[string]int
	link    map[[3]string]Link
	// lift[nation/aircraft/airport] = capacities and sorties available per day
	lift map[[3]string]*vlift

	// results of the replay
	stock   [][]vstock // [nation][site], at the end of the horizon
	natLeft [][4]int   // [nation][day]: personnel, pallets, vehicles, any
	siteAt  [][5]int   // [site*days+day]: personnel, security, pallets, vehicles, any
}

type vlift struct {
	pax, pos int
	perDay   []int
}

func (v *validator) errorf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

func (v *validator) index() {
	s := v.s
	v.site = map[string]int{}
	for i, st := range s.Sites {
		v.site[st.ID] = i
	}
	v.nation = map[string]int{}
	for _, c := range s.Contingents {
		if _, ok := v.nation[c.Nation]; !ok {
			v.nation[c.Nation] = -1
			v.nations = append(v.nations, c.Nation)
		}
	}
	sort.Strings(v.nations)
	for i, n := range v.nations {
		v.nation[n] = i
	}
	v.link = map[[3]string]Link{}
	for _, l := range s.Moves {
		v.link[[3]string{l.From, l.To, l.Mode}] = l
	}
	v.lift = map[[3]string]*vlift{}
	for _, a := range s.Airlift {
		key := [3]string{a.Nation, a.Aircraft, a.Airport}
		l := v.lift[key]
		if l == nil {
			l = &vlift{pax: a.Passengers, pos: a.Pallets, perDay: make([]int, s.Days)}
			v.lift[key] = l
		}
		for d := a.FromDay; d <= a.ToDay; d++ {
			l.perDay[d] += a.SortiesPerDay
		}
	}
}

func (v *validator) checkMoves() {
	type key struct {
		day  int
		link [3]string
	}
	used := map[key][2]int{}
	var keys []key
	for i, m := range v.r.Moves {
		lk := [3]string{m.From, m.To, m.Mode}
		if _, ok := v.link[lk]; !ok {
			v.errorf("moves[%d]: no %s move from %q to %q in the scenario", i, m.Mode, m.From, m.To)
			continue
		}
		if m.Day < 0 || m.Day >= v.s.Days {
			v.errorf("moves[%d]: day %d is outside the horizon", i, m.Day)
			continue
		}
		if _, ok := v.nation[m.Nation]; !ok {
			v.errorf("moves[%d]: %q has no contingent", i, m.Nation)
		}
		if m.Personnel < 0 || m.Security < 0 || m.Pallets < 0 || m.Vehicles < 0 || m.Security > m.Personnel {
			v.errorf("moves[%d]: day %d %s %s→%s moves %d personnel of whom %d security, %d pallets, %d vehicles",
				i, m.Day, m.Nation, m.From, m.To, m.Personnel, m.Security, m.Pallets, m.Vehicles)
		}
		k := key{m.Day, lk}
		if _, ok := used[k]; !ok {
			keys = append(keys, k)
		}
		u := used[k]
		used[k] = [2]int{u[0] + m.Personnel, u[1] + m.Pallets + v.k*m.Vehicles}
	}
	for _, k := range keys {
		l, u := v.link[k.link], used[k]
		if u[0] > l.PersonnelPerDay {
			v.errorf("day %d: %d personnel on the %s move %s→%s, more than its %d a day", k.day, u[0], l.Mode, l.From, l.To, l.PersonnelPerDay)
		}
		if u[1] > l.PalletsPerDay {
			v.errorf("day %d: %d pallet positions on the %s move %s→%s, more than its %d a day", k.day, u[1], l.Mode, l.From, l.To, l.PalletsPerDay)
		}
	}
}

func (v *validator) checkSorties() {
	type key struct {
		day int
		lk  [3]string
	}
	count := map[key]int{}
	var keys []key
	total := 0
	for i, f := range v.r.Sorties {
		lk := [3]string{f.Nation, f.Aircraft, f.Airport}
		l := v.lift[lk]
		if l == nil {
			v.errorf("sorties[%d]: %s has no %s airlift at %s", i, f.Nation, f.Aircraft, f.Airport)
			continue
		}
		if f.Day < 0 || f.Day >= v.s.Days {
			v.errorf("sorties[%d]: day %d is outside the horizon", i, f.Day)
			continue
		}
		if f.Count < 0 || f.Passengers < 0 || f.Security < 0 || f.Pallets < 0 || f.Vehicles < 0 || f.Security > f.Passengers {
			v.errorf("sorties[%d]: day %d %s %s: %d sorties with %d passengers of whom %d security, %d pallets, %d vehicles",
				i, f.Day, f.Nation, f.Aircraft, f.Count, f.Passengers, f.Security, f.Pallets, f.Vehicles)
			continue
		}
		total += f.Count
		what := fmt.Sprintf("day %d: %d %s %s sorties from %s", f.Day, f.Count, f.Nation, f.Aircraft, f.Airport)
		if f.Passengers > f.Count*l.pax {
			v.errorf("%s carry %d passengers, more than %d each", what, f.Passengers, l.pax)
		}
		if f.Pallets+v.k*f.Vehicles > f.Count*l.pos {
			v.errorf("%s carry %d pallet positions, more than %d each", what, f.Pallets+v.k*f.Vehicles, l.pos)
		}
		if f.Vehicles > f.Count*(l.pos/v.k) {
			v.errorf("%s carry %d vehicles, more than %d each", what, f.Vehicles, l.pos/v.k)
		}
		k := key{f.Day, lk}
		if _, ok := count[k]; !ok {
			keys = append(keys, k)
		}
		count[k] += f.Count
	}
	for _, k := range keys {
		if avail := v.lift[k.lk].perDay[k.day]; count[k] > avail {
			v.errorf("day %d: %d %s %s sorties from %s, more than the %d available that day", k.day, count[k], k.lk[0], k.lk[1], k.lk[2], avail)
		}
	}
	if total != v.r.TotalSorties {
		v.errorf("total_sorties is %d, but the sorties add up to %d", v.r.TotalSorties, total)
	}
}

// replay runs the plan day by day and checks conservation, floors and the
// order in which security leaves.
func (v *validator) replay() {
	s := v.s
	D, nn, ns := s.Days, len(v.nations), len(s.Sites)
	stock := make([][]vstock, nn)
	for n := range stock {
		stock[n] = make([]vstock, ns)
	}
	for _, c := range s.Contingents {
		stock[v.nation[c.Nation]][v.site[c.Site]] = vstock{c.Security, c.Personnel - c.Security, c.Pallets, c.Vehicles}
	}
	type event struct {
		nation, from, to int // to = -1: flown out
		what             vstock
		name             string
	}
	byDay := make([][]event, D)
	for i, m := range v.r.Moves {
		n, ok := v.nation[m.Nation]
		if _, known := v.link[[3]string{m.From, m.To, m.Mode}]; !ok || !known || m.Day < 0 || m.Day >= D {
			continue
		}
		byDay[m.Day] = append(byDay[m.Day], event{n, v.site[m.From], v.site[m.To],
			vstock{m.Security, m.Personnel - m.Security, m.Pallets, m.Vehicles}, fmt.Sprintf("moves[%d]", i)})
	}
	for i, f := range v.r.Sorties {
		n, ok := v.nation[f.Nation]
		if !ok || v.lift[[3]string{f.Nation, f.Aircraft, f.Airport}] == nil || f.Day < 0 || f.Day >= D {
			if !ok && v.lift[[3]string{f.Nation, f.Aircraft, f.Airport}] != nil {
				v.errorf("sorties[%d]: %s has no contingent to fly", i, f.Nation)
			}
			continue
		}
		byDay[f.Day] = append(byDay[f.Day], event{n, v.site[f.Airport], -1,
			vstock{f.Security, f.Passengers - f.Security, f.Pallets, f.Vehicles}, fmt.Sprintf("sorties[%d]", i)})
	}
	names := [4]string{"security", "other personnel", "pallets", "vehicles"}
	v.natLeft = make([][4]int, nn*D)
	v.siteAt = make([][5]int, ns*D)
	out := make([][]vstock, nn) // what leaves each site on the day
	for n := range out {
		out[n] = make([]vstock, ns)
	}
	secOut := make([]int, ns)
	for d := range D {
		for n := range out {
			clear(out[n])
		}
		clear(secOut)
		for _, e := range byDay[d] {
			for c := range 4 {
				out[e.nation][e.from][c] += e.what[c]
			}
			secOut[e.from] += e.what[0]
		}
		for n := range nn {
			for st := range ns {
				for c := range 4 {
					if out[n][st][c] > stock[n][st][c] {
						v.errorf("day %d: %d %s of %s leave %s, but %d were there at the start of the day",
							d, out[n][st][c], names[c], v.nations[n], s.Sites[st].ID, stock[n][st][c])
					}
				}
			}
		}
		for _, e := range byDay[d] {
			for c := range 4 {
				stock[e.nation][e.from][c] -= e.what[c]
				if e.to >= 0 {
					stock[e.nation][e.to][c] += e.what[c]
				}
			}
		}
		for st, site := range s.Sites {
			var at [5]int
			for n := range nn {
				x := stock[n][st]
				at[0] += x[0] + x[1]
				at[1] += x[0]
				at[2] += x[2]
				at[3] += x[3]
			}
			other := at[0] - at[1] + at[2] + at[3]
			at[4] = other
			v.siteAt[st*D+d] = at
			applies := other > 0 || (site.Airport && d <= s.EvacuationLastDay)
			if applies && at[1] < site.SecurityFloor {
				v.errorf("day %d: %d security at %s, below its floor of %d", d, at[1], site.ID, site.SecurityFloor)
			}
			if secOut[st] > 0 && at[1] < site.SecurityFloor {
				if other > 0 {
					v.errorf("day %d: %d security leave %s while %d other personnel, pallets and vehicles stay with %d security, below the floor of %d",
						d, secOut[st], site.ID, other, at[1], site.SecurityFloor)
				}
				if site.Airport && d <= s.EvacuationLastDay {
					v.errorf("day %d: %d security fly out of %s before the evacuation ends (day %d), leaving %d, below the floor of %d",
						d, secOut[st], site.ID, s.EvacuationLastDay, at[1], site.SecurityFloor)
				}
			}
		}
		for n := range nn {
			var left [4]int
			for st := range ns {
				x := stock[n][st]
				left[0] += x[0] + x[1]
				left[1] += x[2]
				left[2] += x[3]
			}
			left[3] = left[0] + left[1] + left[2]
			v.natLeft[n*D+d] = left
		}
	}
	v.stock = stock
}

// checkSeries reports the first day a drawdown series of who differs from
// the replay's count, want(d), or that it has not a value for each day.
func (v *validator) checkSeries(who, what string, series []int, want func(d int) int) {
	if D := v.s.Days; len(series) != D {
		v.errorf("drawdown of %s: %d days of %s, not %d", who, len(series), what, D)
		return
	}
	for d, got := range series {
		if w := want(d); got != w {
			v.errorf("drawdown of %s: %d %s on day %d, but the plan has %d", who, got, what, d, w)
			return
		}
	}
}

// checkClaims compares what r says with the replay.
func (v *validator) checkClaims() {
	s, r := v.s, v.r
	D := s.Days
	// Drawdown and margins: the first mismatch of each series.
	if len(r.Drawdown.Nations) != len(v.nations) {
		v.errorf("drawdown has %d nations, the scenario %d", len(r.Drawdown.Nations), len(v.nations))
	}
	for _, nd := range r.Drawdown.Nations {
		n, ok := v.nation[nd.Nation]
		if !ok {
			v.errorf("drawdown of %q: no such nation", nd.Nation)
			continue
		}
		for c, series := range [][]int{nd.Personnel, nd.Pallets, nd.Vehicles} {
			v.checkSeries(nd.Nation, [3]string{"personnel", "pallets", "vehicles"}[c], series, func(d int) int { return v.natLeft[n*D+d][c] })
		}
	}
	if len(r.Drawdown.Sites) != len(s.Sites) || len(r.SecurityMargin) != len(s.Sites) {
		v.errorf("drawdown or security margin does not list the %d sites", len(s.Sites))
	}
	for _, sd := range r.Drawdown.Sites {
		st, ok := v.site[sd.Site]
		if !ok {
			v.errorf("drawdown of site %q: no such site", sd.Site)
			continue
		}
		for c, series := range [][]int{sd.Personnel, sd.Security, sd.Pallets, sd.Vehicles} {
			v.checkSeries(sd.Site, [4]string{"personnel", "security", "pallets", "vehicles"}[c], series, func(d int) int { return v.siteAt[st*D+d][c] })
		}
	}
	for _, sm := range r.SecurityMargin {
		st, ok := v.site[sm.Site]
		if !ok || len(sm.Margin) != D {
			v.errorf("security margin of %q: no such site or not %d days", sm.Site, D)
			continue
		}
		site := s.Sites[st]
		for d := range D {
			at := v.siteAt[st*D+d]
			applies := at[4] > 0 || (site.Airport && d <= s.EvacuationLastDay)
			want := at[1] - site.SecurityFloor
			switch {
			case applies && (sm.Margin[d] == nil || *sm.Margin[d] != want):
				v.errorf("security margin of %s on day %d: want %d", sm.Site, d, want)
			case !applies && sm.Margin[d] != nil:
				v.errorf("security margin of %s on day %d: the floor does not apply", sm.Site, d)
			default:
				continue
			}
			break
		}
	}

	// Deadlines, completion.
	completed := make([]int, len(v.nations))
	completion := 0
	for n := range v.nations {
		completed[n] = -1
		for d := D - 1; d >= 0 && v.natLeft[n*D+d][3] == 0; d-- {
			completed[n] = d
		}
		if completed[n] < 0 || completion < 0 {
			completion = -1
		} else {
			completion = max(completion, completed[n])
		}
	}
	deadline := map[string]int{}
	for _, d := range s.Deadlines {
		deadline[d.Nation] = d.Day
	}
	claimed := map[string]bool{}
	for _, dd := range r.Deadlines {
		n, ok := v.nation[dd.Nation]
		if !ok {
			v.errorf("deadlines: %q has no contingent", dd.Nation)
			continue
		}
		claimed[dd.Nation] = true
		want, explicit := deadline[dd.Nation]
		if !explicit {
			want = D - 1
		}
		if dd.DeadlineDay != want {
			v.errorf("deadlines: %s's deadline is day %d, not %d", dd.Nation, want, dd.DeadlineDay)
		}
		met := completed[n] >= 0 && completed[n] <= want
		if dd.Met && !met {
			v.errorf("deadlines: %s is claimed out by day %d, but is out on day %d (-1: not within the horizon)", dd.Nation, want, completed[n])
		}
		if !dd.Met && met {
			v.errorf("deadlines: %s is claimed late, but is out on day %d", dd.Nation, completed[n])
		}
		if dd.CompletedDay != completed[n] {
			v.errorf("deadlines: %s's completed_day is %d, but the plan has it out on day %d", dd.Nation, dd.CompletedDay, completed[n])
		}
	}
	for _, n := range v.nations {
		if _, explicit := deadline[n]; explicit && !claimed[n] {
			v.errorf("deadlines: %s's deadline is not reported", n)
		}
	}
	if r.CompletionDay != completion {
		v.errorf("completion_day is %d, but the plan has %d", r.CompletionDay, completion)
	}

	// Closing days and what is left.
	for _, cd := range r.ClosedDay {
		st, ok := v.site[cd.Site]
		if !ok {
			v.errorf("closed_day: %q is not a site", cd.Site)
			continue
		}
		want := -1
		for d := D - 1; d >= 0; d-- {
			at := v.siteAt[st*D+d]
			if at[0]+at[2]+at[3] > 0 {
				break
			}
			want = d
		}
		if cd.Day != want {
			v.errorf("closed_day of %s is %d, but the plan closes it on day %d", cd.Site, cd.Day, want)
		}
	}
	var left []string
	for n, name := range v.nations {
		for st, site := range s.Sites {
			if x := v.stock[n][st]; x != (vstock{}) {
				left = append(left, fmt.Sprintf("%s@%s:%d/%d/%d/%d", name, site.ID, x[0]+x[1], x[0], x[2], x[3]))
			}
		}
	}
	var claimedLeft []string
	for _, l := range r.Left {
		claimedLeft = append(claimedLeft, fmt.Sprintf("%s@%s:%d/%d/%d/%d", l.Nation, l.Site, l.Personnel, l.Security, l.Pallets, l.Vehicles))
	}
	slices.Sort(left)
	slices.Sort(claimedLeft)
	if !slices.Equal(left, claimedLeft) {
		v.errorf("left in theatre is %v, but the plan leaves %v", claimedLeft, left)
	}
}
