package airbridge

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the rules of loading flights: who a flight may carry, seat
// numbers, standby lists, publishing manifests, and the load guard.

// MaxManifestGroups bounds the groups one published manifest or standby
// list names.
const MaxManifestGroups = 10_000

// party is a group as the loading rules see it.
type party struct {
	g       *Group
	members []*Person
	litters int
	rank    int       // the best priority rank among the members
	weight  float64   // the policy's weight of a person of that rank
	staged  time.Time // when its last member was staged
}

func (s *State) party(g *Group) party {
	pt := party{g: g, members: make([]*Person, 0, len(g.Members)), rank: 100}
	for _, id := range g.Members {
		p := s.Persons[id]
		pt.members = append(pt.members, p)
		if p.Needs.Litter {
			pt.litters++
		}
		if c, ok := s.Policy.Category(p.Category); ok && c.Rank < pt.rank {
			pt.rank = c.Rank
		}
		if p.StageSince.After(pt.staged) {
			pt.staged = p.StageSince
		}
	}
	pt.weight = s.Policy.Weight(pt.rank)
	return pt
}

func (pt party) size() int { return len(pt.members) }

// all reports whether every member is in stage st (on flight, if given).
func (pt party) all(st Stage, flight string) bool {
	for _, p := range pt.members {
		if p.Stage != st || p.FlightID != flight {
			return false
		}
	}
	return len(pt.members) > 0
}

// before orders parties for loading as the manifest optimizer weighs them:
// the heaviest persons first (by the policy's weights of their priority),
// then the longest waiting, then by id.
func (pt party) before(o party) int {
	return cmp.Or(cmp.Compare(o.weight, pt.weight), pt.staged.Compare(o.staged), cmp.Compare(pt.g.ID, o.g.ID))
}

// carriable returns why f may not carry the party under the policy's
// acceptance and routes, or nil.
func (s *State) carriable(pt party, f *Flight) error {
	p := s.Policy
	if !p.Routed(pt.g.Nation, f.Destination) {
		return Errorf(ECONFLICT, "group %s: %s does not send its evacuees to %s, the destination of flight %s", pt.g.ID, pt.g.Nation, f.Destination, f.ID).
			With("group_id", pt.g.ID).With("flight_id", f.ID).With("destination", f.Destination)
	}
	for _, m := range pt.members {
		if !p.Carries(f.Operator, m.Nationality, m.Category) {
			return Errorf(ECONFLICT, "group %s: flights of %s do not carry person %s (%s, %s)", pt.g.ID, f.Operator, m.ID, m.Nationality, m.Category).
				With("group_id", pt.g.ID).With("flight_id", f.ID).With("person_id", m.ID)
		}
	}
	return nil
}

// hubRoom returns how many more persons the transit hub that f flies to
// takes on the UTC day of f's slot once freed of the persons now counted
// there have left, or -1 if it is not a limited hub.
func (s *State) hubRoom(f *Flight, freed int) int {
	hub, ok := s.Sites[f.Destination]
	if !ok || hub.Kind != Hub || hub.Capacity == 0 {
		return -1
	}
	day := f.Slot.UTC().Format(time.DateOnly)
	used := 0
	for _, o := range s.Flights {
		if o.Destination == f.Destination && o.Status != StatusCancelled && o.Slot.UTC().Format(time.DateOnly) == day {
			used += o.Manifested
		}
	}
	return HubRoom(hub.Capacity, used, freed)
}

// seating hands out the seats of one flight: the lowest free seat number,
// or for a litter patient the lowest free litter position ("L1", …).
type seating struct {
	// taken holds the seats held when the seating began (nil if none). The
	// seats it hands out need no entry: its counters only go up, so it
	// never hands a label out twice.
	taken            map[string]bool
	seat, litter     int
	seats, positions int
}

// seating returns the seats of f, free but for those its persons hold who
// are not in leaving.
func (s *State) seating(f *Flight, leaving map[string]bool) *seating {
	st := &seating{seats: f.Seats, positions: f.Litters}
	for id, p := range s.flightIndex()[f.ID] {
		if !leaving[id] && p.Seat != "" {
			if st.taken == nil {
				st.taken = map[string]bool{}
			}
			st.taken[p.Seat] = true
		}
	}
	return st
}

func (st *seating) assign(litter bool) string {
	counter, prefix := &st.seat, ""
	if litter {
		counter, prefix = &st.litter, "L"
	}
	for {
		*counter++
		label := prefix + strconv.Itoa(*counter)
		if !st.taken[label] {
			return label
		}
	}
}

// manifest appends to events those that put pt's members on f, seated.
func (st *seating) manifest(events []Event, env Envelope, pt party, f *Flight) []Event {
	for _, m := range pt.members {
		events = append(events, env.event(personStream+m.ID, PersonManifested, EventData{FlightID: f.ID, Seat: st.assign(m.Needs.Litter)}))
	}
	return events
}

// waitList is the staged parties the load guard counts as waiting, sorted
// into kinds that the policy carries alike: the same nation, nationalities
// and categories. It is kept in flat arrays, one entry a party, since each
// flight's look runs through them all.
type waitList struct {
	size, litters []int32
	missed        []string // the flight its members last missed
	kind          []int32
	sample        []party // by kind: one party of the kind
}

// waitList returns the staged parties but those in exclude.
func (s *State) waitList(exclude map[string]bool) *waitList {
	// A kind is a nation with one nationality and category, or for a
	// mixed party its sorted pairs in nationality.
	type kindKey struct{ nation, nationality, category string }
	w := &waitList{}
	kindOf := map[kindKey]int32{}
	var pairs []string
	for id := range s.stagedIndex() {
		g := s.Groups[id]
		if g == nil || !slices.ContainsFunc(g.Members, func(m string) bool { return s.Persons[m].Stage == Staged }) {
			delete(s.withStaged, id) // no member staged any more
			continue
		}
		if exclude[id] {
			continue
		}
		first := s.Persons[g.Members[0]]
		if first.Stage != Staged {
			continue
		}
		key := kindKey{g.Nation, first.Nationality, first.Category}
		staged, mixed, litters := true, false, 0
		for _, mid := range g.Members {
			m := s.Persons[mid]
			staged = staged && m.Stage == Staged
			mixed = mixed || m.Nationality != first.Nationality || m.Category != first.Category
			if m.Needs.Litter {
				litters++
			}
		}
		if !staged {
			continue
		}
		if mixed {
			pairs = pairs[:0]
			for _, mid := range g.Members {
				m := s.Persons[mid]
				pairs = append(pairs, m.Nationality+"/"+m.Category)
			}
			slices.Sort(pairs)
			key = kindKey{g.Nation, strings.Join(slices.Compact(pairs), ","), "mixed"}
		}
		k, ok := kindOf[key]
		if !ok {
			k = int32(len(w.sample))
			kindOf[key] = k
			w.sample = append(w.sample, s.party(g))
		}
		w.size = append(w.size, int32(len(g.Members)))
		w.litters = append(w.litters, int32(litters))
		w.missed = append(w.missed, first.MissedFlight)
		w.kind = append(w.kind, k)
	}
	return w
}

// underThreshold reports whether load persons fill less of f than the
// policy's load guard asks.
func (s *State) underThreshold(f *Flight, load int) bool {
	threshold := s.Policy.LoadThreshold()
	return threshold > 0 && f.Seats > 0 && float64(load) < threshold*float64(f.Seats)-1e-9
}

// loadCheck returns the load-guard alert f deserves with load persons and
// litters aboard, room more persons at its hub that day (-1: no limit), and
// the parties of waiting (built on first use) waiting; or nil. A party
// counts as waiting for f if f may carry it and it fits whole in what is
// left; f's own no-shows do not.
func (s *State) loadCheck(f *Flight, load, litters, room int, waiting func() *waitList, now time.Time) *LoadAlert {
	if !s.underThreshold(f, load) {
		return nil
	}
	a := &LoadAlert{FlightID: f.ID, Seats: f.Seats, Load: load, Threshold: s.Policy.LoadThreshold(),
		Factor: float64(load) / float64(f.Seats), Raised: now}
	w := waiting()
	const unknown, carried, refused = 0, 1, 2
	verdict := make([]int8, len(w.sample)) // by kind: whether f carries it
	seats, litterRoom := int32(f.Seats-load), int32(f.Litters-litters)
	if room >= 0 {
		seats = min(seats, int32(room))
	}
	for i, size := range w.size {
		if size > seats || w.litters[i] > litterRoom || w.missed[i] == f.ID {
			continue
		}
		v := &verdict[w.kind[i]]
		if *v == unknown {
			*v = refused
			if s.carriable(w.sample[w.kind[i]], f) == nil {
				*v = carried
			}
		}
		if *v == carried {
			a.Waiting += int(size)
			a.Groups++
		}
	}
	if a.Waiting == 0 {
		return nil
	}
	return a
}

// lazyWaitList returns a function that builds the wait list once.
func (s *State) lazyWaitList(exclude map[string]bool) func() *waitList {
	var w *waitList
	return func() *waitList {
		if w == nil {
			w = s.waitList(exclude)
		}
		return w
	}
}

// littersAboard counts the litter patients among f's persons in stage st.
func (s *State) littersAboard(f *Flight, st Stage) int {
	n := 0
	for _, p := range s.flightIndex()[f.ID] {
		if p.Stage == st && p.Needs.Litter {
			n++
		}
	}
	return n
}

// alertEvents raises alert a on f, or clears f's open alert if a is nil.
// An open alert is raised again when the load it reports changed, or the
// people waiting by a tenth or more.
func alertEvents(env Envelope, f *Flight, a *LoadAlert) []Event {
	switch o := f.Alert; {
	case a == nil && o != nil:
		return []Event{env.event(flightStream+f.ID, LoadAlertCleared, EventData{})}
	case a == nil:
		return nil
	case o == nil || o.Load != a.Load || o.Seats != a.Seats || abs(o.Waiting-a.Waiting) >= max(1, o.Waiting/10):
		return []Event{env.event(flightStream+f.ID, LoadAlertRaised, EventData{Alert: a})}
	}
	return nil
}

func abs(n int) int { return max(n, -n) }

// closeFlight ends boarding: the manifested who did not board are no-shows,
// back in staged; the standby groups take the seats left, best priority
// first; and the load guard looks at what the flight will carry.
func (s *State) closeFlight(f *Flight, env Envelope) []Event {
	var events []Event
	leaving := map[string]bool{}
	for _, p := range s.aboard(f.ID) {
		if p.Stage == Manifested {
			leaving[p.ID] = true
			events = append(events, env.event(personStream+p.ID, PersonNoShow, EventData{FlightID: f.ID}))
		}
	}
	load, litters := f.Boarded, s.littersAboard(f, Boarded)
	room := s.hubRoom(f, len(leaving))
	var standby []party
	for _, id := range f.Standby {
		if g, ok := s.Groups[id]; ok {
			if pt := s.party(g); pt.all(Staged, "") && s.carriable(pt, f) == nil {
				standby = append(standby, pt)
			}
		}
	}
	slices.SortFunc(standby, party.before)
	var seats *seating // built for the first standby group that fits
	var backfilled []string
	taken := map[string]bool{}
	for _, pt := range standby {
		if pt.size() > f.Seats-load || pt.litters > f.Litters-litters || (room >= 0 && pt.size() > room) {
			continue
		}
		if seats == nil {
			seats = s.seating(f, leaving)
		}
		events = seats.manifest(events, env, pt, f)
		load, litters = load+pt.size(), litters+pt.litters
		if room >= 0 {
			room -= pt.size()
		}
		backfilled = append(backfilled, pt.g.ID)
		taken[pt.g.ID] = true
	}
	events = append(events, env.event(flightStream+f.ID, FlightClosed, EventData{NoShows: len(leaving), Groups: backfilled}))
	// The no-shows are not staged yet, so they do not count as waiting.
	return append(events, alertEvents(env, f, s.loadCheck(f, load, litters, room, s.lazyWaitList(taken), env.Time))...)
}

// departGuard refuses a departure below the load guard's threshold while
// compatible cleared people wait, unless override gives the reason; it
// returns the alert the departure is overriding, or nil.
func (s *State) departGuard(f *Flight, override string, now time.Time) (*LoadAlert, error) {
	// Whoever is manifested and not boarded stays behind, a no-show.
	room := s.hubRoom(f, f.Manifested-f.Boarded)
	a := s.loadCheck(f, f.Boarded, s.littersAboard(f, Boarded), room, s.lazyWaitList(nil), now)
	if a == nil || override != "" {
		return a, nil
	}
	return nil, Errorf(ECONFLICT, "load guard: flight %s would depart with %d of %d seats filled (%.0f%%, under the threshold of %.0f%%) while %d cleared people in %d groups wait for a seat it could give them; load them, or depart with an override and its reason",
		f.ID, a.Load, a.Seats, 100*a.Factor, 100*a.Threshold, a.Waiting, a.Groups).
		With("flight_id", f.ID).With("load_guard", true).With("load", a.Load).With("seats", a.Seats).
		With("threshold", a.Threshold).With("waiting", a.Waiting).With("groups", a.Groups)
}

// CheckLoads raises or clears the load-guard alerts of the flights about to
// depart: those boarding or closed, and those scheduled to leave within the
// policy's alert lead of the command's time. An alert is raised when a
// flight's manifest is under the threshold while compatible cleared people
// wait, and cleared when that no longer holds. It yields no events when no
// alert changes. The server's load guard submits it.
type CheckLoads struct{}

func (c CheckLoads) decide(s *State, env Envelope) ([]Event, error) {
	lead := time.Duration(s.Policy.AlertLeadMinutes()) * time.Minute
	var events []Event
	waiting := s.lazyWaitList(nil)
	for _, id := range slices.Sorted(maps.Keys(s.Flights)) {
		f := s.Flights[id]
		due := f.Status == StatusBoarding || f.Status == StatusClosed ||
			(f.Status == StatusScheduled && !f.Slot.After(env.Time.Add(lead)))
		if !due {
			if f.Alert != nil && f.Status == StatusScheduled {
				events = append(events, alertEvents(env, f, nil)...)
			}
			continue
		}
		events = append(events, alertEvents(env, f, s.loadCheck(f, f.Manifested, f.LittersUsed, s.hubRoom(f, 0), waiting, env.Time))...)
	}
	return events, nil
}

func (c CheckLoads) outcome(s *State, events []Event) any {
	alerts := []LoadAlert{}
	for _, f := range s.Flights {
		if f.Alert != nil {
			alerts = append(alerts, *f.Alert)
		}
	}
	slices.SortFunc(alerts, func(a, b LoadAlert) int { return cmp.Compare(a.FlightID, b.FlightID) })
	return alerts
}

// SetStandby replaces a flight's standby list: the staged groups that take,
// heaviest persons first (see party.before), the seats that no-shows leave when boarding closes.
type SetStandby struct {
	FlightID string   `json:"-"`
	Groups   []string `json:"groups"`
}

func (c SetStandby) decide(s *State, env Envelope) ([]Event, error) {
	f, err := s.flight(c.FlightID)
	if err != nil {
		return nil, err
	}
	if !f.Status.Open() {
		return nil, flightConflict(f, "take a standby list", StatusScheduled, StatusBoarding)
	}
	if err := s.checkStandby(f, c.Groups, "groups", nil); err != nil {
		return nil, err
	}
	return []Event{env.event(flightStream+f.ID, StandbySet, EventData{Standby: slices.Clone(c.Groups)})}, nil
}

func (c SetStandby) outcome(s *State, _ []Event) any { return s.Flights[c.FlightID] }

// checkStandby checks a standby list for f: known groups, each once, none
// listed in onManifest, all staged, carried by f and fitting it whole.
func (s *State) checkStandby(f *Flight, groups []string, field string, onManifest map[string]bool) error {
	if len(groups) > MaxManifestGroups {
		return invalid(field, "lists %d groups; at most %d", len(groups), MaxManifestGroups)
	}
	for i, id := range groups {
		if slices.Contains(groups[:i], id) {
			return invalid(field, "group %q is listed twice", id)
		}
		if onManifest[id] {
			return invalid(field, "group %q is on a manifest of this request; it cannot also stand by", id)
		}
		g, err := s.group(id)
		if err != nil {
			return err
		}
		pt := s.party(g)
		if !pt.all(Staged, "") {
			return Errorf(ECONFLICT, "group %s cannot stand by: not all its members are staged", id).With("group_id", id)
		}
		if err := s.carriable(pt, f); err != nil {
			return err
		}
		if pt.size() > f.Seats || pt.litters > f.Litters {
			return Errorf(ECONFLICT, "group %s (%d persons, %d on litters) does not fit flight %s (%d seats, %d litter positions)", id, pt.size(), pt.litters, f.ID, f.Seats, f.Litters).
				With("group_id", id).With("flight_id", f.ID)
		}
	}
	return nil
}

// FlightManifest is one flight's manifest as published: every group it
// carries, in order. Standby, if not nil, replaces the flight's standby list
// (an empty list clears it).
type FlightManifest struct {
	FlightID string   `json:"flight_id"`
	Groups   []string `json:"groups"`
	Standby  []string `json:"standby,omitempty"`
}

// PublishManifest publishes the manifests of one or more open flights at
// once, as reviewed from a proposal: each flight's manifest becomes exactly
// the groups listed, and those who have boarded. Groups left out are
// offloaded, back to staged; staged groups listed are manifested,
// with seat numbers; a group may move between flights of the request. The
// rules of every manifest hold: seats, litter positions, the operator's
// acceptance, the nations' routes and the transit hubs' daily intake.
type PublishManifest struct {
	Flights []FlightManifest `json:"flights"`
}

// MaxPublishFlights bounds the flights one publication names.
const MaxPublishFlights = 2000

func (c PublishManifest) decide(s *State, env Envelope) ([]Event, error) {
	if len(c.Flights) == 0 {
		return nil, invalid("flights", "name at least one flight")
	}
	if len(c.Flights) > MaxPublishFlights {
		return nil, invalid("flights", "names %d flights; at most %d", len(c.Flights), MaxPublishFlights)
	}
	flights := make([]*Flight, len(c.Flights))
	inRequest := make(map[string]bool, len(c.Flights))
	listed := 0 // a hint, bounded: the lists are not checked yet
	for _, fm := range c.Flights {
		listed = min(listed+len(fm.Groups), 1024)
	}
	listedOn := make(map[string]string, listed) // group → flight it is listed on
	for i, fm := range c.Flights {
		field := fmt.Sprintf("flights[%d]", i)
		f, err := s.flight(fm.FlightID)
		if err != nil {
			return nil, err
		}
		if inRequest[f.ID] {
			return nil, invalid(field+".flight_id", "flight %s is listed twice", f.ID)
		}
		if !f.Status.Open() {
			return nil, flightConflict(f, "publish a manifest", StatusScheduled, StatusBoarding)
		}
		if len(fm.Groups) > MaxManifestGroups {
			return nil, invalid(field+".groups", "lists %d groups; at most %d", len(fm.Groups), MaxManifestGroups)
		}
		for _, id := range fm.Groups {
			if on, ok := listedOn[id]; ok {
				return nil, invalid(field+".groups", "group %q is listed twice (also on flight %s)", id, on)
			}
			listedOn[id] = f.ID
		}
		flights[i], inRequest[f.ID] = f, true
	}

	// Who is on each flight now, and what each listed group is.
	type plan struct {
		stay, add []party
		leave     []party // groups on the flight now, not listed for it
		load, lit int
	}
	plans := make([]plan, len(flights))
	leaving := map[string]bool{} // persons whose seat frees
	for i, f := range flights {
		current := map[string]bool{}
		for _, p := range s.flightIndex()[f.ID] {
			current[p.GroupID] = true
		}
		for _, gid := range slices.Sorted(maps.Keys(current)) {
			if listedOn[gid] == f.ID {
				continue
			}
			pt := s.party(s.Groups[gid])
			if pt.all(Boarded, f.ID) {
				// Whoever boarded stays, listed or not.
				plans[i].load += pt.size()
				plans[i].lit += pt.litters
				continue
			}
			plans[i].leave = append(plans[i].leave, pt)
		}
		plans[i].add = make([]party, 0, len(c.Flights[i].Groups))
		for _, id := range c.Flights[i].Groups {
			g, err := s.group(id)
			if err != nil {
				return nil, err
			}
			pt := s.party(g)
			switch {
			case pt.all(Manifested, f.ID) || pt.all(Boarded, f.ID):
				plans[i].stay = append(plans[i].stay, pt)
			case pt.all(Staged, ""):
				plans[i].add = append(plans[i].add, pt)
			case len(pt.members) > 0 && inRequest[pt.members[0].FlightID] && pt.all(Manifested, pt.members[0].FlightID):
				// It moves here from another flight of the request, which
				// leaves it out and so offloads it first.
				plans[i].add = append(plans[i].add, pt)
			default:
				return nil, s.notLoadable(pt, f)
			}
			if err := s.carriable(pt, f); err != nil {
				return nil, err
			}
			plans[i].load += pt.size()
			plans[i].lit += pt.litters
		}
		for _, pt := range plans[i].leave {
			for _, m := range pt.members {
				leaving[m.ID] = true
			}
		}
		if !FitsSeats(f.Seats, 0, plans[i].load) {
			return nil, Errorf(ECONFLICT, "the manifest of flight %s lists %d persons; it has %d seats", f.ID, plans[i].load, f.Seats).
				With("flight_id", f.ID).With("seats", f.Seats).With("persons", plans[i].load)
		}
		if plans[i].lit > f.Litters {
			return nil, Errorf(ECONFLICT, "the manifest of flight %s lists %d litter patients; it has %d litter positions", f.ID, plans[i].lit, f.Litters).
				With("flight_id", f.ID).With("litters", f.Litters)
		}
		if st := c.Flights[i].Standby; st != nil {
			onManifest := map[string]bool{}
			for id := range listedOn {
				onManifest[id] = true
			}
			if err := s.checkStandby(f, st, fmt.Sprintf("flights[%d].standby", i), onManifest); err != nil {
				return nil, err
			}
		}
	}
	loads := make(map[string]int, len(flights))
	for i, f := range flights {
		loads[f.ID] = plans[i].load
	}
	if err := s.checkHubs(flights, loads); err != nil {
		return nil, err
	}

	n := len(flights) // the events: one a flight published, and one a person offloaded or manifested
	for _, pl := range plans {
		for _, pt := range pl.leave {
			n += pt.size()
		}
		for _, pt := range pl.add {
			n += pt.size()
		}
	}
	events := make([]Event, 0, n)
	for i, f := range flights {
		for _, pt := range plans[i].leave {
			for _, m := range pt.members {
				events = append(events, env.event(personStream+m.ID, PersonOffloaded, EventData{FlightID: f.ID, Reason: "manifest re-published"}))
			}
		}
	}
	for i, f := range flights {
		seats := s.seating(f, leaving)
		for _, pt := range plans[i].add {
			events = seats.manifest(events, env, pt, f)
		}
		standby := c.Flights[i].Standby
		if standby == nil {
			standby = f.Standby
		}
		groups := slices.Clone(c.Flights[i].Groups)
		events = append(events, env.event(flightStream+f.ID, ManifestPublished, EventData{Groups: groups, Standby: slices.Clone(standby)}))
	}
	return events, nil
}

// checkHubs refuses manifests that would take more persons to a transit hub
// on a day than it takes. loads gives each published flight's new load; a
// hub-day whose intake does not grow is not refused.
func (s *State) checkHubs(flights []*Flight, loads map[string]int) error {
	type hubDay struct{ hub, day string }
	delta := map[hubDay]int{}
	var first = map[hubDay]*Flight{}
	for _, f := range flights {
		k := hubDay{f.Destination, f.Slot.UTC().Format(time.DateOnly)}
		delta[k] += loads[f.ID] - f.Manifested
		if first[k] == nil {
			first[k] = f
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(delta), func(a, b hubDay) int { return cmp.Or(cmp.Compare(a.hub, b.hub), cmp.Compare(a.day, b.day)) }) {
		room := s.hubRoom(first[k], 0)
		if room >= 0 && delta[k] > room {
			return Errorf(ECONFLICT, "transit hub %s takes %d more persons on %s; these manifests add %d", k.hub, room, k.day, delta[k]).
				With("hub", k.hub).With("day", k.day).With("room", room)
		}
	}
	return nil
}

// notLoadable says why a listed group cannot go on f's manifest.
func (s *State) notLoadable(pt party, f *Flight) error {
	for _, m := range pt.members {
		if (m.Stage == Manifested || m.Stage == Boarded) && m.FlightID != f.ID {
			return Errorf(ECONFLICT, "group %s is on the manifest of flight %s; publish that flight in the same request to move it", pt.g.ID, m.FlightID).
				With("group_id", pt.g.ID).With("person_id", m.ID).With("flight_id", m.FlightID)
		}
	}
	for _, m := range pt.members {
		if m.Stage != Staged {
			return Errorf(ECONFLICT, "group %s travels together, but person %s is %s, not staged", pt.g.ID, m.ID, m.Stage).
				With("group_id", pt.g.ID).With("person_id", m.ID).With("stage", m.Stage)
		}
	}
	return Errorf(ECONFLICT, "group %s has no members", pt.g.ID).With("group_id", pt.g.ID)
}

func (c PublishManifest) outcome(s *State, _ []Event) any {
	out := make([]*Flight, len(c.Flights))
	for i, fm := range c.Flights {
		out[i] = s.Flights[fm.FlightID]
	}
	return out
}
