package airbridge

import "iter"

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
	// ahead): the most over personnel, pallets and vehicles of the days
	// between AsOfDay and the day the plan had as much left. For a nation
	// that is out, the day it got out against the plan's.
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

// DayOf returns the day of the plan a date is, and whether it is one a
// movement may have: from the start to a year past the end.
func (w *Withdrawal) DayOf(date string) (int, bool) {
	for d := range w.Plan.Days + maxOverrunDays {
		if w.Plan.date(d) == date {
			return d, true
		}
	}
	return 0, false
}

// Progress compares the movements recorded up to the end of day asOf (0 ≤
// asOf) with the plan.
func (w *Withdrawal) Progress(asOf int) WithdrawalProgress {
	p := &w.Plan
	asOf = max(asOf, 0)
	horizon := max(p.Days, asOf+1)
	out := WithdrawalProgress{AsOf: p.date(asOf), AsOfDay: asOf}
	nations := p.Nations()

	// The plan, day by day: each nation's remaining personnel, pallets and
	// vehicles at the end of each day, and the sites at the end of asOf.
	planned := newTally(p)
	initial := make([]Amount, len(nations))
	for i, n := range nations {
		initial[i] = planned.nation(n)
	}
	remaining := make([][]Amount, len(nations)) // [nation][day]
	for i := range remaining {
		remaining[i] = make([]Amount, horizon)
	}
	sortiesPlanned := map[string]int{}
	legs := 0
	var plannedSites []Amount
	for d := range horizon {
		start := legs
		for legs < len(p.Legs) && p.Legs[legs].Day == d {
			l := p.Legs[legs]
			planned.take(Movement{Nation: l.Nation, From: l.From, Amount: l.Amount})
			if d <= asOf {
				sortiesPlanned[l.Nation] += l.Sorties
				out.SortiesPlanned += l.Sorties
			}
			legs++
		}
		for _, l := range p.Legs[start:legs] {
			if l.To != "" {
				planned.arrive([]Movement{{Nation: l.Nation, To: l.To, Amount: l.Amount}})
			}
		}
		total := 0
		for i, n := range nations {
			remaining[i][d] = planned.nation(n)
			total += remaining[i][d].Personnel
		}
		out.PlannedPersonnel = append(out.PlannedPersonnel, total)
		if d == asOf {
			plannedSites = sitesOf(planned, p)
		}
	}

	// The movements recorded, up to asOf.
	actual := newTally(p)
	outDay := make([]int, len(nations))
	for i := range outDay {
		outDay[i] = -1
	}
	sortiesFlown := map[string]int{}
	next, stop := iter.Pull2(byDay(w.Movements))
	defer stop()
	d0, moves, more := next()
	for d := 0; d <= asOf; d++ {
		if more && d0 == d {
			for _, m := range moves {
				actual.take(m)
				sortiesFlown[m.Nation] += m.Sorties
				out.SortiesFlown += m.Sorties
				if m.Override != "" {
					out.Overrides = append(out.Overrides, m)
				}
			}
			actual.arrive(moves)
			d0, moves, more = next()
		}
		total := 0
		for i, n := range nations {
			a := actual.nation(n)
			total += a.Personnel
			if a.IsZero() && outDay[i] < 0 {
				outDay[i] = d
			} else if !a.IsZero() {
				outDay[i] = -1
			}
		}
		out.ActualPersonnel = append(out.ActualPersonnel, total)
	}

	deadline := map[string]int{}
	for _, dl := range p.Deadlines {
		deadline[dl.Nation] = dl.Day
	}
	for i, n := range nations {
		np := NationProgress{Nation: n, DeadlineDay: -1, PlannedOutDay: -1, ProjectedOutDay: -1,
			SortiesPlanned: sortiesPlanned[n], SortiesFlown: sortiesFlown[n]}
		if dl, ok := deadline[n]; ok {
			np.DeadlineDay, np.Deadline = dl, p.date(dl)
		}
		for d := range p.Days {
			if remaining[i][d].IsZero() {
				np.PlannedOutDay, np.PlannedOut = d, p.date(d)
				break
			}
		}
		np.Planned = remaining[i][asOf]
		np.Actual = actual.nation(n)
		switch {
		case np.Actual.IsZero():
			np.Status, np.ProjectedOutDay = StatusOut, outDay[i]
			if np.PlannedOutDay >= 0 {
				np.SlipDays = outDay[i] - np.PlannedOutDay
			}
		default:
			for _, q := range []func(Amount) int{
				func(a Amount) int { return a.Personnel },
				func(a Amount) int { return a.Pallets },
				func(a Amount) int { return a.Vehicles },
			} {
				curve := make([]int, horizon)
				for d := range horizon {
					curve[d] = q(remaining[i][d])
				}
				s := slip(q(initial[i]), curve, q(np.Actual), asOf)
				np.SlipDays = max(np.SlipDays, s)
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

	actualSites := sitesOf(actual, p)
	for i, st := range p.Sites {
		sp := SiteProgress{Site: st.ID, Name: st.Name, Airport: st.Airport, Floor: st.SecurityFloor, Planned: plannedSites[i], Actual: actualSites[i]}
		sec, floor, applies := actual.floor(p, st.ID, asOf)
		sp.FloorApplies, sp.Margin = applies, sec-floor
		out.Sites = append(out.Sites, sp)
	}
	return out
}

func sitesOf(t *tally, p *WithdrawalPlan) []Amount {
	out := make([]Amount, len(p.Sites))
	for i, st := range p.Sites {
		out[i] = t.site(st.ID)
	}
	return out
}

// slip returns how many days behind (negative: ahead of) a curve a value is
// at day asOf: curve[d] is what the plan has left at the end of day d, and
// initial before day 0. Behind, the days since the plan last had as much
// left; ahead, the days until the plan has as little.
func slip(initial int, curve []int, actual, asOf int) int {
	at := func(d int) int {
		if d < 0 {
			return initial
		}
		return curve[min(d, len(curve)-1)]
	}
	switch planned := at(asOf); {
	case actual > planned:
		d := asOf - 1
		for d >= 0 && at(d) < actual {
			d--
		}
		return asOf - d
	case actual < planned:
		d := asOf + 1
		for d < len(curve) && at(d) > actual {
			d++
		}
		return asOf - d
	}
	return 0
}
