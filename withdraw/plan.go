package withdraw

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Result is a withdrawal plan and what it achieves. Every per-day array is
// indexed by day (0 … days-1) and holds the state at the end of that day.
type Result struct {
	Name string `json:"name"`
	Days int    `json:"days"`
	// Sorties has one entry per day, nation, aircraft type and airport, with
	// the number of sorties flown and what they carry together: passengers
	// of whom security, pallets, and vehicles. Sorted by day, nation,
	// aircraft, airport.
	Sorties []Sortie `json:"sorties"`
	// Moves has one entry per day, nation and link; personnel includes
	// security. Sorted by day, nation, from, to, mode.
	Moves          []Move         `json:"moves"`
	Drawdown       Drawdown       `json:"drawdown"`
	SecurityMargin []SiteMargin   `json:"security_margin"`
	Deadlines      []DeadlineDone `json:"deadlines"`
	TotalSorties   int            `json:"total_sorties"`
	// CompletionDay is the day by whose end everything is out of theatre, or
	// -1 if something is still there at the end of the horizon (see Left).
	CompletionDay int `json:"completion_day"`
	// ClosedDay tells, per site, the day from whose end on nothing is there,
	// or -1 if something still is at the end of the horizon.
	ClosedDay []SiteDay `json:"closed_day"`
	// Left is what is still in theatre at the end of the horizon.
	Left []Remaining `json:"left,omitempty"`
}

// Sortie is Count sorties of one aircraft type of one nation from one
// airport on one day, and what they carry together.
type Sortie struct {
	Day        int    `json:"day"`
	Nation     string `json:"nation"`
	Aircraft   string `json:"aircraft"`
	Airport    string `json:"airport"`
	Count      int    `json:"count"`
	Passengers int    `json:"passengers"`
	Security   int    `json:"security"` // of the passengers
	Pallets    int    `json:"pallets"`
	Vehicles   int    `json:"vehicles"`
}

// Move is what one nation moves over one link on one day; it is at To at the
// end of the day and may go on from the next day.
type Move struct {
	Day       int    `json:"day"`
	Nation    string `json:"nation"`
	From      string `json:"from"`
	To        string `json:"to"`
	Mode      string `json:"mode"`
	Personnel int    `json:"personnel"`
	Security  int    `json:"security"` // of the personnel
	Pallets   int    `json:"pallets"`
	Vehicles  int    `json:"vehicles"`
}

// Drawdown is what remains in theatre per nation and is present per site, at
// the end of each day.
type Drawdown struct {
	Nations []NationDrawdown `json:"nations"`
	Sites   []SiteDrawdown   `json:"sites"`
}

// NationDrawdown is one nation's personnel (security included), pallets and
// vehicles still in theatre, per day.
type NationDrawdown struct {
	Nation    string `json:"nation"`
	Personnel []int  `json:"personnel"`
	Pallets   []int  `json:"pallets"`
	Vehicles  []int  `json:"vehicles"`
}

// SiteDrawdown is what is at one site per day, all nations together.
type SiteDrawdown struct {
	Site      string `json:"site"`
	Personnel []int  `json:"personnel"` // security included
	Security  []int  `json:"security"`
	Pallets   []int  `json:"pallets"`
	Vehicles  []int  `json:"vehicles"`
}

// SiteMargin is the security present minus the floor per day, null on the
// days the floor does not apply (nothing but security at the site, and for
// an airport the evacuation over).
type SiteMargin struct {
	Site   string `json:"site"`
	Floor  int    `json:"floor"`
	Margin []*int `json:"margin"`
}

// DeadlineDone tells how a nation meets its deadline. A nation without one
// in the scenario has the last day of the horizon (Implicit).
type DeadlineDone struct {
	Nation      string `json:"nation"`
	DeadlineDay int    `json:"deadline_day"`
	Implicit    bool   `json:"implicit,omitempty"`
	// CompletedDay is the day by whose end the nation is out, -1 if it is
	// not by the end of the horizon.
	CompletedDay int  `json:"completed_day"`
	Met          bool `json:"met"`
	// SlackDays is DeadlineDay − CompletedDay; negative when late, and
	// DeadlineDay − days when the nation is not out within the horizon.
	SlackDays int `json:"slack_days"`
	// ExtraAirlift, for a missed deadline, is an addition of sorties per
	// day to one of the nation's aircraft types (added to each of its
	// airlift entries of that type, see Scenario.WithExtraAirlift) with
	// which Plan meets it: the smallest with the moves of this plan, the
	// type needing fewest (ties by name), confirmed by planning again.
	// Empty, with a Reason, when no addition does.
	ExtraAirlift []ExtraAirlift `json:"extra_airlift,omitempty"`
	Reason       string         `json:"reason,omitempty"`
}

// ExtraAirlift is sorties per day added to an aircraft type of a nation.
type ExtraAirlift struct {
	Aircraft      string `json:"aircraft"`
	SortiesPerDay int    `json:"sorties_per_day"`
}

// SiteDay is a day per site.
type SiteDay struct {
	Site string `json:"site"`
	Day  int    `json:"day"`
}

// Remaining is what of a nation is at a site at the end of the horizon.
type Remaining struct {
	Nation    string `json:"nation"`
	Site      string `json:"site"`
	Personnel int    `json:"personnel"` // security included
	Security  int    `json:"security"`
	Pallets   int    `json:"pallets"`
	Vehicles  int    `json:"vehicles"`
}

// Plan plans the withdrawal of s, which it validates first.
//
// The plan keeps every floor (see the package documentation) and, in order,
// meets as many deadlines as it can, flies the fewest sorties, and finishes
// early. Things move to the airports as early as the links allow, the
// nations sharing a link in the best of several orders (model.orders); each
// nation's sorties out of each airport are the fewest that carry everything
// by its deadline (exact, see sortieProblem.solve), on the latest days they
// may fly, the last day as early as that count allows. Plan returns an error
// only for an invalid scenario; what cannot be done is in the Result.
func Plan(s *Scenario) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := plan(s)
	r := p.r
	for i := range r.Deadlines {
		dd := &r.Deadlines[i]
		if !dd.Met {
			dd.ExtraAirlift, dd.Reason = p.extraAirlift(p.m.nationIndex[dd.Nation])
		}
	}
	return r, nil
}

// PlanToTrack is Plan without the search for the extra airlift each missed
// deadline would need, which plans the theatre again for every such nation:
// what a ledger adopts to track is the plan itself.
func PlanToTrack(s *Scenario) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return plan(s).r, nil
}

// Nations returns the nations with contingents in s, sorted.
func (s *Scenario) Nations() []string {
	var out []string
	for _, c := range s.Contingents {
		out = append(out, c.Nation)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// meetsWith tells whether Plan meets the deadline of nation (index n) with
// extra added.
func meetsWith(s *Scenario, nation string, n int, extra []ExtraAirlift) bool {
	p := plan(s.WithExtraAirlift(nation, extra))
	return p.r.Deadlines[n].Met
}

// planned is a plan with what made it.
type planned struct {
	m        *model
	cp       *convoyPlan
	memo     flyMemo
	airports []*airportFlights
	r        *Result
}

// plan plans s with each order of the nations on the links (model.orders)
// and returns the best: most deadlines met, then fewest sorties, then the
// earliest completion, then the earliest completions of the nations, then the
// first order.
func plan(s *Scenario) *planned {
	m := newModel(s)
	var best *planned
	var bestKey [4]int
	for _, order := range m.orders() {
		p := &planned{m: m, cp: m.convoys(order), memo: flyMemo{}}
		p.airports = m.flyAll(p.cp, p.memo)
		p.r = m.result(p.cp, p.airports)
		missed := 0
		for _, d := range p.r.Deadlines {
			if !d.Met {
				missed++
			}
		}
		completion := p.r.CompletionDay
		if completion < 0 {
			completion = m.days
		}
		// The sum of the nations' completion days breaks ties, for a
		// nation out early is better even when the theatre is not.
		sum := 0
		for _, d := range p.r.Deadlines {
			sum += cmp.Or(d.CompletedDay+1, m.days+1)
		}
		key := [4]int{missed, p.r.TotalSorties, completion, sum}
		if best == nil || slices.Compare(key[:], bestKey[:]) < 0 {
			best, bestKey = p, key
		}
	}
	return best
}

func (m *model) flyAll(cp *convoyPlan, memo flyMemo) []*airportFlights {
	out := make([]*airportFlights, len(m.s.Sites))
	for a, st := range m.s.Sites {
		if st.Airport {
			out[a] = m.flyFrom(a, cp, memo)
		}
	}
	return out
}

// extraAirlift finds the fewest sorties per day to add to one aircraft type
// of nation n so that it meets its deadline, trying each type (by name) and
// keeping the one that needs fewest. The moves do not depend on sorties per
// day, so only the airports the nation flies from are planned again (with
// the other nations' plans remembered).
func (p *planned) extraAirlift(n int) ([]ExtraAirlift, string) {
	m, cp, airports, memo := p.m, p.cp, p.airports, p.memo
	name := m.nations[n]
	for st := range m.s.Sites {
		if !m.terminal[n][st] && !cp.stuck[n][st].zero() {
			return nil, fmt.Sprintf("some of %s never reaches an airport it flies from: no airlift helps", name)
		}
	}
	var names []string
	for _, ty := range m.types[n] {
		if !slices.Contains(names, ty.aircraft) {
			names = append(names, ty.aircraft)
		}
	}
	slices.Sort(names)
	total := 0
	for st := range m.s.Sites {
		l := m.init[n][st]
		total += l.persons() + l.pal + l.veh
	}
	big := min(total+1, maxCount)
	prefix := memoPrefix(n)
	meets := func(aircraft string, e int) bool {
		m2 := newModel(m.s.withExtra(name, aircraft, e))
		memo2 := flyMemo{}
		for k, v := range memo {
			if !strings.HasPrefix(k, prefix) {
				memo2[k] = v
			}
		}
		for a, af := range airports {
			if af == nil || af.nations[n] == nil {
				continue
			}
			nf := m2.flyFrom(a, cp, memo2).nations[n]
			if !nf.onTime || !nf.left.zero() {
				return false
			}
		}
		return true
	}
	best, bestName := 0, ""
	for _, aircraft := range names {
		if !meets(aircraft, big) {
			continue
		}
		lo, hi := 0, big
		for hi-lo > 1 {
			mid := (lo + hi) / 2
			if meets(aircraft, mid) {
				hi = mid
			} else {
				lo = mid
			}
		}
		if bestName == "" || hi < best {
			best, bestName = hi, aircraft
		}
	}
	if bestName != "" {
		// The search planned the nation's airports again with the moves
		// as they were; Plan may move things in another order with the
		// addition, so it must confirm, with a little more if need be.
		for e, step := best, 1; e <= big; e, step = e+step, step*2 {
			extra := []ExtraAirlift{{Aircraft: bestName, SortiesPerDay: e}}
			if meetsWith(m.s, name, n, extra) {
				return extra, ""
			}
		}
		return nil, fmt.Sprintf("no added airlift of one aircraft type that a new plan confirms makes %s meet its deadline", name)
	}
	for a, af := range airports {
		if af == nil || af.nations[n] == nil {
			continue
		}
		for _, c := range cp.arrivals[n][a] {
			if c.release > m.deadline[n] {
				return nil, fmt.Sprintf("some of %s reaches %s only on day %d: no airlift helps", name, m.s.Sites[a].ID, c.release-1)
			}
		}
		if af.holdTo > m.deadline[n] {
			return nil, fmt.Sprintf("%s's security is needed for the floor at %s until day %d: no airlift helps", name, m.s.Sites[a].ID, af.holdTo)
		}
	}
	return nil, fmt.Sprintf("no added airlift of one aircraft type makes %s meet its deadline", name)
}

// withExtra returns a copy of s with e more sorties per day on each airlift
// entry of nation's aircraft.
func (s *Scenario) withExtra(nation, aircraft string, e int) *Scenario {
	c := *s
	c.Airlift = slices.Clone(s.Airlift)
	for i := range c.Airlift {
		if c.Airlift[i].Nation == nation && c.Airlift[i].Aircraft == aircraft {
			c.Airlift[i].SortiesPerDay += e
		}
	}
	return &c
}

// WithExtraAirlift returns a copy of s with the extra airlift of a
// DeadlineDone added to nation's entries, as Plan means it.
func (s *Scenario) WithExtraAirlift(nation string, extra []ExtraAirlift) *Scenario {
	c := s
	for _, x := range extra {
		c = c.withExtra(nation, x.Aircraft, x.SortiesPerDay)
	}
	return c
}

// result assembles the Result by replaying the moves and sorties day by day.
func (m *model) result(cp *convoyPlan, airports []*airportFlights) *Result {
	s := m.s
	nn, ns, D := len(m.nations), len(s.Sites), m.days
	r := &Result{Name: s.Name, Days: D, Sorties: []Sortie{}, Moves: []Move{}}

	var flights []flight
	for _, af := range airports {
		if af == nil {
			continue
		}
		for _, nf := range af.nations {
			if nf != nil {
				flights = append(flights, nf.flights...)
			}
		}
	}
	for _, f := range flights {
		ty := m.types[f.nation][f.typ]
		r.Sorties = append(r.Sorties, Sortie{Day: f.day, Nation: m.nations[f.nation], Aircraft: ty.aircraft,
			Airport: s.Sites[ty.airport].ID, Count: f.count, Passengers: f.l.persons(), Security: f.l.sec,
			Pallets: f.l.pal, Vehicles: f.l.veh})
		r.TotalSorties += f.count
	}
	slices.SortFunc(r.Sorties, func(a, b Sortie) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Nation, b.Nation), cmp.Compare(a.Aircraft, b.Aircraft), cmp.Compare(a.Airport, b.Airport))
	})

	moves := slices.Clone(cp.moves)
	slices.SortStableFunc(moves, func(a, b moveRec) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(m.nations[a.nation], m.nations[b.nation]),
			cmp.Compare(s.Moves[a.link].From, s.Moves[b.link].From), cmp.Compare(s.Moves[a.link].To, s.Moves[b.link].To),
			cmp.Compare(s.Moves[a.link].Mode, s.Moves[b.link].Mode))
	})
	for i, mv := range moves {
		if i > 0 && r.Moves[len(r.Moves)-1].Day == mv.day && moves[i-1].nation == mv.nation && moves[i-1].link == mv.link {
			last := &r.Moves[len(r.Moves)-1]
			last.Personnel += mv.l.persons()
			last.Security += mv.l.sec
			last.Pallets += mv.l.pal
			last.Vehicles += mv.l.veh
			continue
		}
		l := s.Moves[mv.link]
		r.Moves = append(r.Moves, Move{Day: mv.day, Nation: m.nations[mv.nation], From: l.From, To: l.To, Mode: l.Mode,
			Personnel: mv.l.persons(), Security: mv.l.sec, Pallets: mv.l.pal, Vehicles: mv.l.veh})
	}

	// Replay.
	stock := make([][]load, nn)
	for n := range nn {
		stock[n] = slices.Clone(m.init[n])
	}
	r.Drawdown.Nations = make([]NationDrawdown, nn)
	for n := range nn {
		r.Drawdown.Nations[n] = NationDrawdown{Nation: m.nations[n], Personnel: make([]int, D), Pallets: make([]int, D), Vehicles: make([]int, D)}
	}
	r.Drawdown.Sites = make([]SiteDrawdown, ns)
	r.SecurityMargin = make([]SiteMargin, ns)
	for i, st := range s.Sites {
		r.Drawdown.Sites[i] = SiteDrawdown{Site: st.ID, Personnel: make([]int, D), Security: make([]int, D), Pallets: make([]int, D), Vehicles: make([]int, D)}
		r.SecurityMargin[i] = SiteMargin{Site: st.ID, Floor: st.SecurityFloor, Margin: make([]*int, D)}
	}
	slices.SortStableFunc(flights, func(a, b flight) int { return a.day - b.day })
	fi, mi := 0, 0
	sub := func(a *load, b load) { a.per -= b.per; a.sec -= b.sec; a.pal -= b.pal; a.veh -= b.veh }
	for d := range D {
		for ; mi < len(cp.moves) && cp.moves[mi].day == d; mi++ {
			mv := cp.moves[mi]
			l := s.Moves[mv.link]
			sub(&stock[mv.nation][m.siteIndex[l.From]], mv.l)
			to := &stock[mv.nation][m.siteIndex[l.To]]
			*to = to.add(mv.l)
		}
		for ; fi < len(flights) && flights[fi].day == d; fi++ {
			f := flights[fi]
			sub(&stock[f.nation][m.types[f.nation][f.typ].airport], f.l)
		}
		for n := range nn {
			nd := &r.Drawdown.Nations[n]
			for st := range ns {
				l := stock[n][st]
				nd.Personnel[d] += l.persons()
				nd.Pallets[d] += l.pal
				nd.Vehicles[d] += l.veh
				sd := &r.Drawdown.Sites[st]
				sd.Personnel[d] += l.persons()
				sd.Security[d] += l.sec
				sd.Pallets[d] += l.pal
				sd.Vehicles[d] += l.veh
			}
		}
		for st, site := range s.Sites {
			sd := &r.Drawdown.Sites[st]
			other := sd.Personnel[d] - sd.Security[d] + sd.Pallets[d] + sd.Vehicles[d]
			if other > 0 || (site.Airport && d <= m.eld) {
				v := sd.Security[d] - site.SecurityFloor
				r.SecurityMargin[st].Margin[d] = &v
			}
		}
	}

	r.CompletionDay = 0
	for n := range nn {
		nd := r.Drawdown.Nations[n]
		done := -1
		for d := D - 1; d >= 0 && nd.Personnel[d]+nd.Pallets[d]+nd.Vehicles[d] == 0; d-- {
			done = d
		}
		dd := DeadlineDone{Nation: m.nations[n], DeadlineDay: m.deadline[n], Implicit: !m.hasDeadline[n], CompletedDay: done}
		dd.Met = done >= 0 && done <= m.deadline[n]
		if done >= 0 {
			dd.SlackDays = m.deadline[n] - done
		} else {
			dd.SlackDays = m.deadline[n] - D
		}
		r.Deadlines = append(r.Deadlines, dd)
		if done < 0 || r.CompletionDay < 0 {
			r.CompletionDay = -1
		} else {
			r.CompletionDay = max(r.CompletionDay, done)
		}
	}
	for st, site := range s.Sites {
		sd := r.Drawdown.Sites[st]
		closed := -1
		for d := D - 1; d >= 0 && sd.Personnel[d]+sd.Pallets[d]+sd.Vehicles[d] == 0; d-- {
			closed = d
		}
		r.ClosedDay = append(r.ClosedDay, SiteDay{Site: site.ID, Day: closed})
	}
	for n := range nn {
		for st := range ns {
			if l := stock[n][st]; !l.zero() {
				r.Left = append(r.Left, Remaining{Nation: m.nations[n], Site: s.Sites[st].ID, Personnel: l.persons(),
					Security: l.sec, Pallets: l.pal, Vehicles: l.veh})
			}
		}
	}
	return r
}
