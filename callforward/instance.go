// Package callforward plans when registered groups are called forward to the
// gates. In Kabul in 2021 thousands massed at the gates because nobody knew
// when to come; here each group is called to one gate for one time window, a
// slot, so that no gate's queue grows past a target, processed people do not
// overflow the holding area, and people are through the gates before the
// seats that will carry them leave — but not long before.
//
// It is a pure, deterministic engine: an Instance in, a Plan out. Check is
// an independent judge of any plan.
//
// # The model
//
// Solve plans by these rules and Check recomputes them; they share this
// definition, not code. n = Horizon/Slot; slot t (0 ≤ t < n) is the window
// [Start + t·Slot, Start + (t+1)·Slot). Windows are half-open: [a, b)
// overlaps [s, e) when a < e and s < b.
//
//  1. Capacity. A gate's capacity in a slot is ⌊Lanes × PerLaneHour × slot
//     hours⌋ persons, or 0 if the slot overlaps one of its closures. No call
//     is ever placed at a gate in a slot that overlaps one of its closures.
//  2. Arrivals. Persons called to a gate for a slot all arrive at its start
//     (the worst case). A call in Instance.Called is kept as it is and loads
//     the model in the slot that holds its Start, or in slot 0 if it started
//     before Start; one that ended by Start (history) or starts at or after
//     the end of the horizon does not load the model.
//  3. Queue. At each gate, peak(t) = carry(t−1) + arrivals(t);
//     processed(t) = min(peak(t), capacity(t)); carry(t) = peak(t) −
//     processed(t); carry(−1) = 0.
//  4. Holding. Processed persons wait for a departure: seats(t) sums the
//     seats of the departures whose Time is in slot t; boarded(t) =
//     min(holding(t−1) + processed(t), seats(t)) with processed summed over
//     the gates; holding(t) = holding(t−1) + processed(t) − boarded(t);
//     holding(−1) = 0.
//  5. Deadlines. A departure at d needs its seats' worth of persons processed
//     by d − Lead; its deadline slot is the last slot that ends by d − Lead.
//     due(k) sums the seats of the departures in the horizon whose deadline
//     slot is k, and D(k) = due(0) + … + due(k). A departure whose deadline
//     falls before the end of slot 0 is out of the plan's reach (an earlier
//     plan had to call its persons) and is not counted.
//  6. Need. thr(t) = Σ over the gates of min(capacity(t), QueueTarget), the
//     most the gates can process in slot t with no queue over target.
//     need(k) = max over u ≥ k of D(u) − (thr(k+1) + … + thr(u)): the
//     persons who must be through by the end of slot k for every later
//     deadline to stay within the gates' reach.
//  7. Call-ahead bound. bound(t) = need(min(t+1, n−1)): persons are called
//     at most one slot ahead of the latest schedule that the gates' throughput
//     allows, so the crowd in holding stays bounded even with no Holding
//     limit, while a dip in throughput (a closure) is worked ahead of.
//
// With A(t) the persons arriving in slots 0..t, and base the same model with
// only the calls in Called, a plan is feasible when
//
//   - every new call is for a group of Groups not in Called, with its size,
//     at a gate the group may use, for a slot of the horizon that overlaps
//     none of the gate's closures, and no group is called twice;
//   - at every gate and slot, peak(t) ≤ max(QueueTarget, base peak(t));
//   - if Holding > 0, at every slot holding(t) ≤ max(Holding, base holding(t));
//   - at every slot, A(t) ≤ max(bound(t), base A(t)).
//
// The base terms keep the calls already made as they are: where they already
// break a limit, new calls may not add to it. A new call raises the queue
// peak of its slot above the base, so a group bigger than QueueTarget can
// never be called: it stays in Plan.Uncalled.
//
// SeatsShort is max(0, max over k of D(k) − P(k)), with P(k) the persons
// processed in slots 0..k: the seats of the departures within reach that the
// processed persons cannot fill in time, when persons go to the earliest
// deadlines first.
package callforward

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Limits on an instance, so that every count fits an int with room to spare.
const (
	MinSlot    = 5 * time.Minute
	MaxSlot    = 4 * time.Hour
	MaxHorizon = 7 * 24 * time.Hour
	MaxSlots   = 2000
	maxCount   = 1_000_000 // persons in a group or a call, seats of a departure, persons an hour through a gate
)

// Instance is one planning problem.
type Instance struct {
	Start       time.Time     `json:"start"`        // planning starts; slot boundaries are Start + k·Slot
	Slot        time.Duration `json:"slot"`         // MinSlot..MaxSlot
	Horizon     time.Duration `json:"horizon"`      // a whole number of slots, at most MaxHorizon and MaxSlots slots
	QueueTarget int           `json:"queue_target"` // most persons planned to wait at one gate (≥ 1)
	Holding     int           `json:"holding"`      // most processed persons waiting for a flight at once, over all holding areas; 0: no limit
	Lead        time.Duration `json:"lead"`         // how long before a departure its persons must be through a gate (≥ 0)
	Gates       []Gate        `json:"gates"`
	Departures  []Departure   `json:"departures"` // those outside the horizon are ignored
	Groups      []Group       `json:"groups"`     // registered; those named in Called are not planned
	Called      []Call        `json:"called"`     // already called: kept as they are, and loading the model
}

// Gate processes Lanes × PerLaneHour persons an hour while open.
type Gate struct {
	ID          string   `json:"id"`
	Lanes       int      `json:"lanes"`
	PerLaneHour float64  `json:"per_lane_hour"`
	Closures    []Window `json:"closures,omitempty"`
}

// Window is the half-open time window [Start, End).
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Departure is Seats leaving at Time, to be filled with processed persons.
type Departure struct {
	Time  time.Time `json:"time"`
	Seats int       `json:"seats"`
}

// Group is called whole, to one gate, at most once.
type Group struct {
	ID         string    `json:"id"`
	Size       int       `json:"size"`
	Weight     float64   `json:"weight"`          // priority of each person; higher is called first
	Registered time.Time `json:"registered"`      // earlier is called first among equal weights
	Gates      []string  `json:"gates,omitempty"` // gates it may use; empty: any
}

// Call calls Size persons of a group to a gate, to arrive in [Start, End).
type Call struct {
	Group string    `json:"group"`
	Size  int       `json:"size"`
	Gate  string    `json:"gate"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Plan is Solve's answer: the new calls and the model they lead to, the
// calls in Instance.Called included. Per-slot lists have one entry a slot.
type Plan struct {
	Calls      []Call           `json:"calls"`       // the new calls, by start, then gate, then group
	Queue      map[string][]int `json:"queue"`       // by gate id: the queue peak in each slot
	Processed  []int            `json:"processed"`   // persons through the gates in each slot
	Holding    []int            `json:"holding"`     // processed persons waiting for a flight at the end of each slot
	Uncalled   []string         `json:"uncalled"`    // groups left for a later plan, by id
	SeatsShort int              `json:"seats_short"` // seats within reach not filled in time; 0 when demand is met
}

// Validate reports the first field of in that breaks the rules on its type,
// naming it by its path ("gates[1].closures[0]: end before start"), or nil.
func Validate(in *Instance) error {
	if in == nil {
		return errors.New("no instance")
	}
	switch {
	case in.Start.IsZero():
		return invalid("start", "must be given")
	case in.Slot < MinSlot || in.Slot > MaxSlot:
		return invalid("slot", "%v, want %v..%v", in.Slot, MinSlot, MaxSlot)
	case in.Horizon < in.Slot || in.Horizon > MaxHorizon:
		return invalid("horizon", "%v, want %v (the slot)..%v", in.Horizon, in.Slot, MaxHorizon)
	case in.Horizon%in.Slot != 0:
		return invalid("horizon", "%v is not a whole number of %v slots", in.Horizon, in.Slot)
	case in.Horizon/in.Slot > MaxSlots:
		return invalid("horizon", "%d slots, want at most %d", in.Horizon/in.Slot, MaxSlots)
	case in.QueueTarget < 1 || in.QueueTarget > maxCount:
		return invalid("queue_target", "%d, want 1..%d", in.QueueTarget, maxCount)
	case in.Holding < 0:
		return invalid("holding", "%d, want ≥ 0 (0: no limit)", in.Holding)
	case in.Lead < 0 || in.Lead > MaxHorizon:
		return invalid("lead", "%v, want 0..%v", in.Lead, MaxHorizon)
	case len(in.Gates) == 0:
		return invalid("gates", "none: nobody can be called")
	}

	gates := make(map[string]bool, len(in.Gates))
	for i, g := range in.Gates {
		at := func(field string) string { return fmt.Sprintf("gates[%d].%s", i, field) }
		switch {
		case g.ID == "":
			return invalid(at("id"), "must be given")
		case gates[g.ID]:
			return invalid(at("id"), "%q is listed twice", g.ID)
		case g.Lanes < 0:
			return invalid(at("lanes"), "%d, want ≥ 0", g.Lanes)
		case !(g.PerLaneHour >= 0) || math.IsInf(g.PerLaneHour, 1): // also refuses NaN
			return invalid(at("per_lane_hour"), "%v, want a number ≥ 0", g.PerLaneHour)
		case float64(g.Lanes)*g.PerLaneHour > maxCount:
			return invalid(at("per_lane_hour"), "lanes × per_lane_hour is %v persons an hour, want at most %d", float64(g.Lanes)*g.PerLaneHour, maxCount)
		}
		gates[g.ID] = true
		for j, w := range g.Closures {
			if err := checkWindow(w); err != nil {
				return fmt.Errorf("%s: %w", at(fmt.Sprintf("closures[%d]", j)), err)
			}
		}
	}

	for i, d := range in.Departures {
		at := func(field string) string { return fmt.Sprintf("departures[%d].%s", i, field) }
		switch {
		case d.Time.IsZero():
			return invalid(at("time"), "must be given")
		case d.Seats < 0 || d.Seats > maxCount:
			return invalid(at("seats"), "%d, want 0..%d", d.Seats, maxCount)
		}
	}

	groups := make(map[string]bool, len(in.Groups))
	for i, g := range in.Groups {
		at := func(field string) string { return fmt.Sprintf("groups[%d].%s", i, field) }
		switch {
		case g.ID == "":
			return invalid(at("id"), "must be given")
		case groups[g.ID]:
			return invalid(at("id"), "%q is listed twice", g.ID)
		case g.Size < 1 || g.Size > maxCount:
			return invalid(at("size"), "%d, want 1..%d", g.Size, maxCount)
		case math.IsNaN(g.Weight) || math.IsInf(g.Weight, 0):
			return invalid(at("weight"), "%v, want a finite number", g.Weight)
		}
		groups[g.ID] = true
		for j, id := range g.Gates {
			if !gates[id] {
				return invalid(at(fmt.Sprintf("gates[%d]", j)), "no gate %q", id)
			}
		}
	}

	called := make(map[string]bool, len(in.Called))
	for i, c := range in.Called {
		at := func(field string) string { return fmt.Sprintf("called[%d].%s", i, field) }
		switch {
		case c.Group == "":
			return invalid(at("group"), "must be given")
		case called[c.Group]:
			return invalid(at("group"), "%q is called twice", c.Group)
		case c.Size < 1 || c.Size > maxCount:
			return invalid(at("size"), "%d, want 1..%d", c.Size, maxCount)
		case !gates[c.Gate]:
			return invalid(at("gate"), "no gate %q", c.Gate)
		}
		called[c.Group] = true
		if err := checkWindow(Window{c.Start, c.End}); err != nil {
			return fmt.Errorf("called[%d]: %w", i, err)
		}
	}
	return nil
}

// checkWindow reports a window that is unset, empty or reversed.
func checkWindow(w Window) error {
	switch {
	case w.Start.IsZero() || w.End.IsZero():
		return errors.New("start and end must be given")
	case w.End.Before(w.Start):
		return errors.New("end before start")
	case w.End.Equal(w.Start):
		return errors.New("empty: end equals start")
	}
	return nil
}

func invalid(path, format string, args ...any) error {
	return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
}
