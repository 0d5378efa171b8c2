package manifest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"airbridge"
)

// standbyPerFlight is the most groups a proposal puts on a flight's standby
// list.
const standbyPerFlight = 10

// PlanRequest says what to plan.
type PlanRequest struct {
	// Flights names the flights to plan; empty, every open flight (status
	// scheduled or boarding).
	Flights []string
	// Replan lets the groups already manifested (not boarded) on those
	// flights move to another planned flight or drop back to staged;
	// otherwise they keep their flights.
	Replan bool
	// Now is the planning time: no group is ready later. Zero sets no bound.
	Now time.Time
}

// Plan is an instance built from a state, with what NewProposal needs to
// know of the planned flights beyond the instance. It shares no memory with
// the state, so it may be solved and described away from the state's
// goroutine.
type Plan struct {
	Instance *Instance
	// Flights are the planned flights as they stand: Flights[i] is
	// Instance.Flights[i], by departure then id.
	Flights []PlannedFlight
}

// PlannedFlight is a planned flight as it stands before the plan is
// published.
type PlannedFlight struct {
	ID      string
	Seats   int // the flight's seats
	Litters int // the flight's litter positions
	// Aboard counts the persons on the flight outside the instance's
	// groups: those boarded.
	Aboard int
	// Current lists, by id, the instance's groups on the flight's manifest
	// now: fixed ones, or with Replan the ones that may move.
	Current []string
}

// FromState builds the plan for req from s. The instance holds:
//
//   - groups: every group whose members are all staged (a group travels
//     whole), and every group whose members are all manifested, not boarded,
//     on one planned flight. Without req.Replan the latter keep their flight,
//     in Instance.Fixed (one on a flight that the policy's carriers or
//     routes would not let it take, which the domain refuses, may move). A
//     group's priority is the best rank among its members' categories; its
//     nationality (category) is its members', or for a mixed group the
//     sorted distinct codes joined by "+" ("AFG+USA"); its destinations are
//     the routes of its nation (none: unrestricted); it is ready when its
//     last member reached the stage, but no later than req.Now and the
//     earliest planned departure, so it is ready for every planned flight.
//   - flights: the planned ones, by departure then id, with the seats and
//     litter positions that persons outside the instance's groups (those
//     boarded) leave free; litter positions never above the seats. A flight
//     accepts what its operator carries, and a mixed group's code when it
//     carries every code in it.
//   - hubs: one per transit hub with a capacity and UTC day of a planned
//     flight to it, with id HubDay (hub "OTBH" on 20 August 2021 is
//     "OTBH@2021-08-20"); flights to the hub go to that id instead, and a
//     group routed to the hub may go to each of its days. Its capacity is
//     the site's less the persons outside the instance's groups on any
//     non-cancelled flight to the hub that day (whatever their stage), never
//     below 0 nor below what the fixed groups already take there.
//   - weights: the policy's weight of each rank among the groups.
//
// The same state and request give the same plan.
//
// Returns ECONFLICT if s has no policy, ENOTFOUND naming a flight of
// req.Flights that does not exist, ECONFLICT naming one that is not open.
func FromState(s *airbridge.State, req PlanRequest) (*Plan, error) {
	if s.Policy == nil {
		return nil, airbridge.Errorf(airbridge.ECONFLICT, "the operation is not configured yet")
	}
	policy := s.Policy
	flights, err := plannedFlights(s, req.Flights)
	if err != nil {
		return nil, err
	}

	// Flights, with their destinations as hub-days where a hub limits them.
	hubCapacity := map[string]int{} // hub site id → persons a UTC day
	for _, site := range s.Sites {
		if site.Kind == airbridge.Hub && site.Capacity > 0 {
			hubCapacity[site.ID] = site.Capacity
		}
	}
	in := &Instance{Weights: map[string]float64{}, Fixed: map[string]string{}}
	plan := &Plan{Instance: in}
	flightIndex := map[string]int{}
	hubDays := map[string][]string{} // hub → its hub-days, in order
	ready := req.Now                 // no group is ready later, unless zero
	for i, f := range flights {
		flightIndex[f.ID] = i
		dest := f.Destination
		if _, ok := hubCapacity[dest]; ok {
			dest = HubDay(Flight{Destination: f.Destination, Departure: f.Slot})
			if !slices.Contains(hubDays[f.Destination], dest) {
				hubDays[f.Destination] = append(hubDays[f.Destination], dest)
			}
		}
		accepts := policy.Carriers[f.Operator]
		in.Flights = append(in.Flights, Flight{
			ID: f.ID, Operator: f.Operator, Departure: f.Slot, Destination: dest,
			Accepts: Accepts{Nationalities: slices.Clone(accepts.Nationalities), Categories: slices.Clone(accepts.Categories)},
		})
		plan.Flights = append(plan.Flights, PlannedFlight{ID: f.ID, Seats: f.Seats, Litters: f.Litters})
		if ready.IsZero() || f.Slot.Before(ready) {
			ready = f.Slot
		}
	}

	// Groups: those staged, and those manifested on a planned flight.
	var current []string // by group: the planned flight it is manifested on, or ""
	for _, gid := range slices.Sorted(maps.Keys(s.Groups)) {
		sg := s.Groups[gid]
		if len(sg.Members) == 0 {
			continue
		}
		first := s.Persons[sg.Members[0]]
		switch {
		case allMembers(s, sg, func(p *airbridge.Person) bool { return p.Stage == airbridge.Staged }):
			current = append(current, "")
		case first.Stage == airbridge.Manifested && allMembers(s, sg, func(p *airbridge.Person) bool {
			return p.Stage == airbridge.Manifested && p.FlightID == first.FlightID
		}):
			if _, ok := flightIndex[first.FlightID]; !ok {
				continue
			}
			current = append(current, first.FlightID)
		default:
			continue
		}
		g, err := groupOf(s, sg, ready)
		if err != nil {
			return nil, err
		}
		var dests []string // the routes, a limited hub as its days
		for _, d := range g.Destinations {
			if days, ok := hubDays[d]; ok {
				dests = append(dests, days...)
			} else {
				dests = append(dests, d)
			}
		}
		g.Destinations = dests
		in.Groups = append(in.Groups, g)
		in.Weights[strconv.Itoa(g.Priority)] = policy.Weight(g.Priority)
	}
	addMixedCodes(in.Flights, in.Groups)
	inInstance := map[string]bool{} // group id
	for i, g := range in.Groups {
		inInstance[g.ID] = true
		if fid := current[i]; fid != "" {
			fi := flightIndex[fid]
			if !req.Replan && Compatible(g, in.Flights[fi]) {
				in.Fixed[g.ID] = fid
			}
			plan.Flights[fi].Current = append(plan.Flights[fi].Current, g.ID)
		}
	}

	// Persons on a flight outside the instance's groups.
	outside := map[string]int{} // flight id → persons
	outsideLitters := map[string]int{}
	for _, p := range s.Persons {
		if p.FlightID == "" || inInstance[p.GroupID] {
			continue
		}
		outside[p.FlightID]++
		if p.Needs.Litter {
			outsideLitters[p.FlightID]++
		}
	}
	for i, f := range flights {
		fl := &in.Flights[i]
		fl.Seats = max(0, f.Seats-outside[f.ID])
		fl.Litters = min(max(0, f.Litters-outsideLitters[f.ID]), fl.Seats)
		plan.Flights[i].Aboard = outside[f.ID]
	}

	// Hub-days: the capacity left by flights and persons outside the instance.
	used := map[string]int{}  // hub-day → persons outside the instance
	fixed := map[string]int{} // hub-day → persons of fixed groups
	for _, f := range s.Flights {
		if _, ok := hubCapacity[f.Destination]; ok && f.Status != airbridge.StatusCancelled {
			used[HubDay(Flight{Destination: f.Destination, Departure: f.Slot})] += outside[f.ID]
		}
	}
	for _, g := range in.Groups {
		if fid, ok := in.Fixed[g.ID]; ok {
			fixed[in.Flights[flightIndex[fid]].Destination] += g.Size
		}
	}
	for _, hub := range slices.Sorted(maps.Keys(hubDays)) {
		for _, hd := range hubDays[hub] {
			in.Hubs = append(in.Hubs, Hub{ID: hd, Capacity: max(0, hubCapacity[hub]-used[hd], fixed[hd])})
		}
	}

	if err := in.Validate(); err != nil {
		return nil, fmt.Errorf("plan: the state gives an invalid instance: %w", err)
	}
	return plan, nil
}

// plannedFlights returns the flights named, or every open flight if none is,
// by departure then id.
func plannedFlights(s *airbridge.State, ids []string) ([]*airbridge.Flight, error) {
	var flights []*airbridge.Flight
	if len(ids) == 0 {
		for _, f := range s.Flights {
			if f.Status.Open() {
				flights = append(flights, f)
			}
		}
	}
	for _, id := range ids {
		f, ok := s.Flights[id]
		switch {
		case !ok:
			return nil, airbridge.Errorf(airbridge.ENOTFOUND, "flight %q does not exist", id).With("flight_id", id)
		case !f.Status.Open():
			return nil, airbridge.Errorf(airbridge.ECONFLICT, "flight %s is %s; only a scheduled or boarding flight can be planned", id, f.Status).
				With("flight_id", id).With("status", f.Status)
		}
		if !slices.Contains(flights, f) {
			flights = append(flights, f)
		}
	}
	slices.SortFunc(flights, func(a, b *airbridge.Flight) int {
		return cmp.Or(a.Slot.Compare(b.Slot), strings.Compare(a.ID, b.ID))
	})
	return flights, nil
}

// allMembers reports whether every member of g satisfies ok.
func allMembers(s *airbridge.State, g *airbridge.Group, ok func(*airbridge.Person) bool) bool {
	for _, id := range g.Members {
		if !ok(s.Persons[id]) {
			return false
		}
	}
	return true
}

// groupOf returns g as an instance group, ready no later than latest (if
// not zero), with its nation's routes as destinations.
func groupOf(s *airbridge.State, g *airbridge.Group, latest time.Time) (Group, error) {
	out := Group{ID: g.ID, Size: len(g.Members)}
	var nationalities, categories []string
	for i, id := range g.Members {
		p := s.Persons[id]
		c, ok := s.Policy.Category(p.Category)
		if !ok {
			return Group{}, fmt.Errorf("plan: group %s: person %s has category %q, which the policy does not list", g.ID, p.ID, p.Category)
		}
		if i == 0 || c.Rank < out.Priority {
			out.Priority = c.Rank
		}
		if p.Needs.Litter {
			out.Litters++
		}
		if p.StageSince.After(out.Ready) {
			out.Ready = p.StageSince
		}
		nationalities = append(nationalities, p.Nationality)
		categories = append(categories, p.Category)
	}
	if !latest.IsZero() && out.Ready.After(latest) {
		out.Ready = latest
	}
	out.Nationality = mixedCode(nationalities)
	out.Category = mixedCode(categories)
	if r := s.Policy.Routes[g.Nation]; len(r) > 0 {
		out.Destinations = slices.Clone(r)
	}
	return out, nil
}

// mixedSep joins the codes of a mixed group's nationalities or categories.
// Neither a country code nor a category code holds it.
const mixedSep = "+"

// mixedCode returns the one code of codes, or the sorted distinct codes
// joined by mixedSep.
func mixedCode(codes []string) string {
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))
	return strings.Join(codes, mixedSep)
}

// addMixedCodes adds the mixed nationalities and categories of groups to the
// accepted lists of flights that restrict them and accept every code in
// them: a flight then takes a mixed group exactly when its operator carries
// each member.
func addMixedCodes(flights []Flight, groups []Group) {
	var nationalities, categories []string
	for _, g := range groups {
		if strings.Contains(g.Nationality, mixedSep) {
			nationalities = append(nationalities, g.Nationality)
		}
		if strings.Contains(g.Category, mixedSep) {
			categories = append(categories, g.Category)
		}
	}
	nationalities = slices.Compact(slices.Sorted(slices.Values(nationalities)))
	categories = slices.Compact(slices.Sorted(slices.Values(categories)))
	add := func(list []string, mixed []string) []string {
		if len(list) == 0 {
			return nil // no restriction
		}
		accepted := list
		for _, code := range mixed {
			if !slices.ContainsFunc(strings.Split(code, mixedSep), func(c string) bool { return !slices.Contains(list, c) }) {
				accepted = append(accepted, code)
			}
		}
		return accepted
	}
	for i := range flights {
		a := &flights[i].Accepts
		a.Nationalities = add(a.Nationalities, nationalities)
		a.Categories = add(a.Categories, categories)
	}
}

// Proposal is a solved plan as a manifest officer reviews it.
type Proposal struct {
	Objective float64          `json:"objective"`
	Bound     float64          `json:"bound"`
	Gap       float64          `json:"gap"`     // (bound - objective) / bound; 0 when bound is 0
	Flights   []FlightProposal `json:"flights"` // by departure, then id
	// UnassignedGroups and UnassignedPersons count the candidate groups,
	// and their persons, that the proposal leaves staged (or, replanned,
	// takes off their flight).
	UnassignedGroups  int `json:"unassigned_groups"`
	UnassignedPersons int `json:"unassigned_persons"`
}

// FlightProposal is what a proposal does to one flight.
type FlightProposal struct {
	FlightID string `json:"flight_id"`
	Seats    int    `json:"seats"` // the flight's seats
	Load     int    `json:"load"`  // persons on the flight once published: boarded, fixed and assigned
	// Groups lists the groups to publish on the flight's manifest, boarded
	// groups aside (they stay whether listed or not): first those manifested
	// now that stay, then those added, each part by priority rank, then
	// ready time, then id.
	Groups []string `json:"groups"`
	// Added lists the groups of Groups not on the flight now, in that order.
	Added []string `json:"added"`
	// Standby lists up to standbyPerFlight groups, staged now and left
	// staged, that the flight accepts and could take were its seats free
	// (they fit its seats and litter positions): heaviest persons first,
	// then the longest waiting, then by id. A group the proposal takes off a
	// flight is not among them: it is not staged until published.
	Standby []string `json:"standby"`
}

// NewProposal describes sol, a solution of plan.Instance such as Solve
// returns (every fixed group on its flight).
func NewProposal(plan *Plan, sol *Solution) *Proposal {
	in := plan.Instance
	pr := &Proposal{Objective: sol.Objective, Bound: sol.Bound, Flights: []FlightProposal{}}
	if sol.Bound != 0 {
		pr.Gap = (sol.Bound - sol.Objective) / sol.Bound
	}
	weight := func(g Group) float64 { return in.Weights[strconv.Itoa(g.Priority)] }
	byRank := func(a, b Group) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.Ready.Compare(b.Ready), strings.Compare(a.ID, b.ID))
	}

	manifested := map[string]bool{} // groups on a manifest now
	for _, pf := range plan.Flights {
		for _, id := range pf.Current {
			manifested[id] = true
		}
	}
	onFlight := map[string][]Group{} // flight id → groups assigned to it
	var left []Group                 // staged groups left staged
	for _, g := range in.Groups {
		if fid, ok := sol.Assignment[g.ID]; ok {
			onFlight[fid] = append(onFlight[fid], g)
			continue
		}
		pr.UnassignedGroups++
		pr.UnassignedPersons += g.Size
		if !manifested[g.ID] {
			left = append(left, g)
		}
	}
	slices.SortFunc(left, func(a, b Group) int {
		return cmp.Or(cmp.Compare(weight(b), weight(a)), a.Ready.Compare(b.Ready), strings.Compare(a.ID, b.ID))
	})

	for i, pf := range plan.Flights {
		f := in.Flights[i]
		fp := FlightProposal{FlightID: pf.ID, Seats: pf.Seats, Load: pf.Aboard,
			Groups: []string{}, Added: []string{}, Standby: []string{}}
		var stay, added []Group
		for _, g := range onFlight[pf.ID] {
			fp.Load += g.Size
			if slices.Contains(pf.Current, g.ID) {
				stay = append(stay, g)
			} else {
				added = append(added, g)
			}
		}
		slices.SortFunc(stay, byRank)
		slices.SortFunc(added, byRank)
		for _, g := range stay {
			fp.Groups = append(fp.Groups, g.ID)
		}
		for _, g := range added {
			fp.Groups = append(fp.Groups, g.ID)
			fp.Added = append(fp.Added, g.ID)
		}
		for _, g := range left {
			if len(fp.Standby) == standbyPerFlight {
				break
			}
			if Compatible(g, f) && g.Size <= pf.Seats && g.Litters <= pf.Litters {
				fp.Standby = append(fp.Standby, g.ID)
			}
		}
		pr.Flights = append(pr.Flights, fp)
	}
	return pr
}
