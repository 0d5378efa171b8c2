package airbridge

import (
	"iter"
	"slices"
)

// WithdrawalProgress compares what was recorded with the plan as of the end
// of one day.
type WithdrawalProgress struct {
	AsOf    string           `json:"as_of"`
	AsOfDay int              `json:"as_of_day"`
	Nations []NationProgress `json:"nations"`
	Sites   []SiteProgress   `json:"sites"`
	// PlannedPersonnel and ActualPersonnel are the personnel in theatre at
	// the end of each day, by the plan and by the movements recorded, from
	// day 0 to AsOfDay or the plan's last day, whichever is later (actual:
	// to AsOfDay).
	PlannedPersonnel []int `json:"planned_personnel"`
	ActualPersonnel  []int `json:"actual_personnel"`
	// SortiesPlanned are the sorties the plan flies up to AsOfDay,
	// SortiesFlown those recorded.
	SortiesPlanned int `json:"sorties_planned"`
	SortiesFlown   int `json:"sorties_flown"`
	// Overrides are the movements up to AsOfDay recorded with security
	// below a floor.
	Overrides []Movement `json:"overrides,omitempty"`
}

// Nation statuses.
const (
	StatusOut    = "out"     // nothing of the nation is left in theatre
	StatusOnPlan = "on plan" // where the plan is
	StatusAhead  = "ahead"
	StatusBehind = "behind" // behind the plan, and the deadline still holds
	StatusLate   = "late"   // at this pace the deadline is missed
)

// NationProgress is one nation's withdrawal against the plan.
type NationProgress struct {
	Nation string `json:"nation"`
	// DeadlineDay is -1 when the nation has none.
	DeadlineDay int    `json:"deadline_day"`
	Deadline    string `json:"deadline,omitempty"`
	// PlannedOutDay is the day by whose end the plan has the nation out, -1
	// if it does not within its days.
	PlannedOutDay int    `json:"planned_out_day"`
	PlannedOut    string `json:"planned_out,omitempty"`
	// Planned and Actual are what is in theatre at the end of AsOfDay.
	Planned Amount `json:"planned"`
	Actual  Amount `json:"actual"`
	// SlipDays is how many days the nation is behind the plan (negative:
	// ahead): the most, over the personnel, pallets and vehicles it has to
	// withdraw, of the days between AsOfDay and the day the plan had as much
	// left. For a nation that is out, the day it got out against the plan's.
	SlipDays int `json:"slip_days"`
	// ProjectedOutDay is PlannedOutDay delayed by the slip (the day the
	// nation got out, if it is), -1 if unknown.
	ProjectedOutDay int    `json:"projected_out_day"`
	ProjectedOut    string `json:"projected_out,omitempty"`
	Status          string `json:"status"`
	SortiesPlanned  int    `json:"sorties_planned"`
	SortiesFlown    int    `json:"sorties_flown"`
}

// SiteProgress is one site at the end of AsOfDay.
type SiteProgress struct {
	Site    string `json:"site"`
	Name    string `json:"name,omitempty"`
	Airport bool   `json:"airport,omitempty"`
	Floor   int    `json:"floor"`
	Planned Amount `json:"planned"`
	Actual  Amount `json:"actual"`
	// FloorApplies tells whether the floor holds at the end of the day;
	// Margin is then the security present minus the floor.
	FloorApplies bool `json:"floor_applies"`
	Margin       int  `json:"margin"`
}

// LastDay returns the day of the latest movement recorded, 0 if none is.
func (w *Withdrawal) LastDay() int {
	last := 0
	for _, m := range w.Movements {
		last = max(last, m.Day)
	}
	return last
}

// LastDate returns the last date a movement may have.
func (w *Withdrawal) LastDate() string { return w.Plan.date(w.Plan.Days + maxOverrunDays - 1) }

// DayOf returns the day of the plan a date is, and whether it is one a
// movement may have: from the start to a year past the end.
func (w *Withdrawal) DayOf(date string) (int, bool) {
	return w.Plan.dayOf(date)
}

// Progress compares the movements recorded up to the end of day asOf (0 ≤
// asOf) with the plan. Its cost is in the legs, the movements, the days
// and the sites plus nations, never their products.
func (w *Withdrawal) Progress(asOf int) WithdrawalProgress {
	p := &w.Plan
	asOf = max(asOf, 0)
	horizon := max(p.Days, asOf+1)
	out := WithdrawalProgress{AsOf: p.date(asOf), AsOfDay: asOf}
	nations := p.Nations()
	index := make(map[string]int, len(nations))
	for i, n := range nations {
		index[n] = i
	}

	// The plan: the sites at the end of asOf, and each nation's curve of
	// what is left, which only sorties (out of theatre) lower.
	planned := newTally(p)
	initial := make([]Amount, len(nations))
	for i, n := range nations {
		initial[i] = planned.nationAt(n)
	}
	curves := make([]curve, len(nations))
	for i := range curves {
		curves[i] = curve{initial: initial[i]}
	}
	sortiesPlanned := make([]int, len(nations))
	for i := 0; i < len(p.Legs); {
		d := p.Legs[i].Day
		j := i
		for j < len(p.Legs) && p.Legs[j].Day == d {
			l := p.Legs[j]
			if d <= asOf {
				planned.take(Movement{Nation: l.Nation, From: l.From, Amount: l.Amount})
				sortiesPlanned[index[l.Nation]] += l.Sorties
				out.SortiesPlanned += l.Sorties
			}
			if l.To == "" {
				curves[index[l.Nation]].out(d, l.Amount)
			}
			j++
		}
		if d <= asOf {
			for _, l := range p.Legs[i:j] {
				if l.To != "" {
					planned.add(l.Nation, l.To, l.Amount)
				}
			}
		}
		i = j
	}
	totalPlanned := curve{}
	for _, c := range curves {
		totalPlanned.initial = totalPlanned.initial.add(c.initial)
	}
	for _, l := range p.Legs {
		if l.To == "" {
			totalPlanned.out(l.Day, l.Amount)
		}
	}
	for d := range horizon {
		out.PlannedPersonnel = append(out.PlannedPersonnel, totalPlanned.at(d).Personnel)
	}

	// The movements recorded, up to asOf.
	actual := newTally(p)
	left := slices.Clone(initial)
	total := totalPlanned.initial.Personnel
	outDay := make([]int, len(nations))
	for i := range outDay {
		outDay[i] = -1
		if left[i].IsZero() {
			outDay[i] = 0
		}
	}
	sortiesFlown := make([]int, len(nations))
	next, stop := iter.Pull2(byDay(w.Movements))
	defer stop()
	day, moves, more := next()
	for d := 0; d <= asOf; d++ {
		if more && day == d {
			for _, m := range moves {
				actual.take(m)
				n := index[m.Nation]
				sortiesFlown[n] += m.Sorties
				out.SortiesFlown += m.Sorties
				if m.Override != "" {
					out.Overrides = append(out.Overrides, m)
				}
				if m.To == "" {
					left[n] = left[n].sub(m.Amount)
					total -= m.Personnel
					if left[n].IsZero() {
						outDay[n] = d
					}
				}
			}
			actual.arrive(moves)
			day, moves, more = next()
		}
		out.ActualPersonnel = append(out.ActualPersonnel, total)
	}

	deadline := map[string]int{}
	for _, dl := range p.Deadlines {
		deadline[dl.Nation] = dl.Day
	}
	for i, n := range nations {
		np := NationProgress{Nation: n, DeadlineDay: -1, PlannedOutDay: curves[i].outDay(), ProjectedOutDay: -1,
			SortiesPlanned: sortiesPlanned[i], SortiesFlown: sortiesFlown[i]}
		if dl, ok := deadline[n]; ok {
			np.DeadlineDay, np.Deadline = dl, p.date(dl)
		}
		if np.PlannedOutDay >= p.Days {
			np.PlannedOutDay = -1
		}
		if np.PlannedOutDay >= 0 {
			np.PlannedOut = p.date(np.PlannedOutDay)
		}
		np.Planned = curves[i].at(asOf)
		np.Actual = left[i]
		switch {
		case np.Actual.IsZero():
			np.Status, np.ProjectedOutDay = StatusOut, outDay[i]
			if np.PlannedOutDay >= 0 {
				np.SlipDays = outDay[i] - np.PlannedOutDay
			}
		default:
			// The worst of what the nation has to withdraw: ahead only if
			// ahead in all of it.
			first := true
			for _, q := range []func(Amount) int{
				func(a Amount) int { return a.Personnel },
				func(a Amount) int { return a.Pallets },
				func(a Amount) int { return a.Vehicles },
			} {
				if q(initial[i]) == 0 {
					continue
				}
				at := func(d int) int { return q(curves[i].at(d)) }
				if sl := slip(at, q(np.Actual), asOf, horizon); first || sl > np.SlipDays {
					np.SlipDays, first = sl, false
				}
			}
			if np.PlannedOutDay >= 0 {
				np.ProjectedOutDay = np.PlannedOutDay + max(np.SlipDays, 0)
			}
			switch {
			case np.DeadlineDay >= 0 && (np.ProjectedOutDay < 0 || np.ProjectedOutDay > np.DeadlineDay):
				np.Status = StatusLate
			case np.SlipDays > 0:
				np.Status = StatusBehind
			case np.SlipDays < 0:
				np.Status = StatusAhead
			default:
				np.Status = StatusOnPlan
			}
		}
		if np.ProjectedOutDay >= 0 {
			np.ProjectedOut = p.date(np.ProjectedOutDay)
		}
		out.Nations = append(out.Nations, np)
	}

	for _, st := range p.Sites {
		sp := SiteProgress{Site: st.ID, Name: st.Name, Airport: st.Airport, Floor: st.SecurityFloor,
			Planned: planned.siteAt(st.ID), Actual: actual.siteAt(st.ID)}
		sec, floor, applies := actual.floor(p, st.ID, asOf)
		sp.FloorApplies, sp.Margin = applies, sec-floor
		out.Sites = append(out.Sites, sp)
	}
	return out
}

// curve is what is left of a nation (or all) by the end of each day: the
// initial amount less what flew out, as steps in day order.
type curve struct {
	initial Amount
	days    []int
	left    []Amount // after the sorties of days[i]
}

func (c *curve) out(day int, a Amount) {
	last := c.initial
	if n := len(c.days); n > 0 {
		last = c.left[n-1]
		if c.days[n-1] == day {
			c.left[n-1] = last.sub(a)
			return
		}
	}
	c.days = append(c.days, day)
	c.left = append(c.left, last.sub(a))
}

// at returns what is left at the end of day d (d < 0: before day 0).
func (c *curve) at(d int) Amount {
	i, found := slices.BinarySearch(c.days, d)
	if found {
		return c.left[i]
	}
	if i == 0 {
		return c.initial
	}
	return c.left[i-1]
}

// outDay returns the first day by whose end nothing is left, or -1.
func (c *curve) outDay() int {
	if c.initial.IsZero() {
		return 0
	}
	for i, a := range c.left {
		if a.IsZero() {
			return c.days[i]
		}
	}
	return -1
}

// slip returns how many days behind (negative: ahead of) the plan a value
// is at day asOf: at(d) is what the plan has left at the end of day d (at
// d < 0, before day 0), non-increasing, defined to horizon-1. Behind, the
// days since the plan last had as much left; ahead, the days until the plan
// has as little.
func slip(at func(int) int, actual, asOf, horizon int) int {
	switch planned := at(asOf); {
	case actual > planned:
		d := asOf - 1
		for d >= 0 && at(d) < actual {
			d--
		}
		return asOf - d
	case actual < planned:
		d := asOf + 1
		for d < horizon && at(d) > actual {
			d++
		}
		return asOf - d
	}
	return 0
}
