package airbridge

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// State is the read model that commands are decided against: everything the
// rules need to know. Apply is its only mutator.
type State struct {
	Policy    *Policy // nil until the operation is configured
	Sites     map[string]*Site
	Groups    map[string]*Group
	Persons   map[string]*Person
	Flights   map[string]*Flight
	Documents map[string]string // document number → person id
	// Counts is the number of persons by nation and stage.
	Counts map[string]map[Stage]int
	// Withdrawals are the withdrawal plans adopted, with their movements.
	Withdrawals map[string]*Withdrawal

	// onFlight indexes the persons by their current flight. It is derived
	// from Persons, built on first use and kept by Apply.
	onFlight map[string]map[string]*Person
	// withStaged holds every group with a member staged, and perhaps some
	// that no longer have one, which the wait list drops as it meets them.
	// It is derived from Persons, built on first use and kept by Apply.
	withStaged map[string]bool
}

// NewState returns an empty state.
func NewState() *State {
	return &State{
		Sites:     map[string]*Site{},
		Groups:    map[string]*Group{},
		Persons:   map[string]*Person{},
		Flights:   map[string]*Flight{},
		Documents: map[string]string{},
		Counts:    map[string]map[Stage]int{},

		Withdrawals: map[string]*Withdrawal{},
	}
}

// NewStateFor returns an empty state with room for about the given numbers
// of persons and groups, for a caller that knows them ahead (a simulation):
// the maps then do not grow and rehash on the way.
func NewStateFor(persons, groups int) *State {
	s := NewState()
	s.Persons = make(map[string]*Person, max(persons, 0))
	s.Groups = make(map[string]*Group, max(groups, 0))
	return s
}

// Apply folds one event into s. Events come from Decide or from the ledger and
// are valid by construction; an event that does not fit the state is reported
// as an error, which means the ledger is corrupt.
func (s *State) Apply(e Event) error {
	d := e.Data
	kind, id, _ := strings.Cut(e.Stream, "/")
	switch kind {
	case "operation":
		if e.Type != OperationConfigured || d.Policy == nil {
			return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
		}
		p := *d.Policy
		p.Nations = slices.Clone(p.Nations)
		p.Categories = slices.Clone(p.Categories)
		p.MaxSeats = maps.Clone(p.MaxSeats)
		p.Weights = maps.Clone(p.Weights)
		p.Carriers = maps.Clone(p.Carriers)
		for k, a := range p.Carriers {
			p.Carriers[k] = Acceptance{Nationalities: slices.Clone(a.Nationalities), Categories: slices.Clone(a.Categories)}
		}
		p.Routes = maps.Clone(p.Routes)
		for k, r := range p.Routes {
			p.Routes[k] = slices.Clone(r)
		}
		s.Policy = &p
		return nil
	case "site":
		if (e.Type != SiteAdded && e.Type != SiteUpdated) || d.Site == nil {
			return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
		}
		site := *d.Site
		site.Closures = slices.Clone(site.Closures)
		s.Sites[site.ID] = &site
		return nil
	case "group":
		if e.Type != GroupRegistered || d.Group == nil {
			return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
		}
		g := *d.Group
		g.Members = slices.Clone(g.Members)
		s.Groups[g.ID] = &g
		return nil
	case "flight":
		return s.applyFlight(id, e)
	case "person":
		return s.applyPerson(id, e)
	case "withdrawal":
		return s.applyWithdrawal(id, e)
	}
	return fmt.Errorf("apply %s: unknown stream %q", e.Type, e.Stream)
}

func (s *State) applyFlight(id string, e Event) error {
	if e.Type == FlightScheduled {
		if e.Data.Flight == nil {
			return fmt.Errorf("apply %s to %s: no flight", e.Type, e.Stream)
		}
		f := *e.Data.Flight
		f.Version = 1
		s.Flights[id] = &f
		return nil
	}
	f, ok := s.Flights[id]
	if !ok {
		return fmt.Errorf("apply %s: unknown flight %s", e.Type, id)
	}
	status := f.Status
	switch e.Type {
	case FlightBoarding:
		f.Status = StatusBoarding
	case FlightClosed:
		f.Status, f.Standby = StatusClosed, nil
	case FlightDeparted:
		f.Status, f.Standby, f.Alert = StatusDeparted, nil, nil
	case FlightArrived:
		f.Status = StatusArrived
	case FlightCancelled:
		f.Status, f.Standby, f.Alert = StatusCancelled, nil, nil
	case ManifestPublished, StandbySet:
		f.Standby = slices.Clone(e.Data.Standby)
	case LoadAlertRaised:
		if e.Data.Alert == nil {
			return fmt.Errorf("apply %s to %s: no alert", e.Type, e.Stream)
		}
		a := *e.Data.Alert
		f.Alert = &a
	case LoadAlertCleared:
		f.Alert = nil
	default:
		return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
	}
	if f.Status != status {
		f.StatusSince = e.Time
	}
	f.Version++
	return nil
}

// flightIndex returns the persons by current flight, building it if needed.
func (s *State) flightIndex() map[string]map[string]*Person {
	if s.onFlight == nil {
		s.onFlight = map[string]map[string]*Person{}
		for _, p := range s.Persons {
			if p.FlightID != "" {
				s.index(p, 0)
			}
		}
	}
	return s.onFlight
}

// stagedIndex returns the groups that may have a member staged, building
// the index if needed.
func (s *State) stagedIndex() map[string]bool {
	if s.withStaged == nil {
		s.withStaged = map[string]bool{}
		for _, p := range s.Persons {
			if p.Stage == Staged {
				s.withStaged[p.GroupID] = true
			}
		}
	}
	return s.withStaged
}

// index puts p in the index of its flight, made for seats persons if it is
// the flight's first.
func (s *State) index(p *Person, seats int) {
	m := s.onFlight[p.FlightID]
	if m == nil {
		m = make(map[string]*Person, seats)
		s.onFlight[p.FlightID] = m
	}
	m[p.ID] = p
}

func (s *State) applyPerson(id string, e Event) error {
	d := e.Data
	if e.Type == PersonRegistered {
		if d.Person == nil {
			return fmt.Errorf("apply %s to %s: no person", e.Type, e.Stream)
		}
		p := *d.Person
		p.Documents = slices.Clone(p.Documents)
		p.Version = 1
		g, ok := s.Groups[p.GroupID]
		if !ok {
			return fmt.Errorf("apply %s: unknown group %s", e.Type, p.GroupID)
		}
		if cap(g.Members) == 0 {
			// Room for a small group's members at once.
			g.Members = make([]string, 0, 4)
		}
		g.Members = append(g.Members, p.ID)
		s.Persons[id] = &p
		s.count(p.Nation, p.Stage, +1)
		for _, doc := range p.Documents {
			s.Documents[doc.Number] = p.ID
		}
		return nil
	}
	p, ok := s.Persons[id]
	if !ok {
		return fmt.Errorf("apply %s: unknown person %s", e.Type, id)
	}
	var f *Flight
	if d.FlightID != "" {
		if f, ok = s.Flights[d.FlightID]; !ok {
			return fmt.Errorf("apply %s: unknown flight %s", e.Type, d.FlightID)
		}
	}
	switch e.Type {
	case PersonManifested, PersonOffloaded, PersonNoShow, PersonBoarded, PersonDeparted, PersonArrived:
		if f == nil {
			return fmt.Errorf("apply %s to %s: no flight", e.Type, e.Stream)
		}
	}
	from := p.Stage
	litter := 0
	if p.Needs.Litter {
		litter = 1
	}
	switch e.Type {
	case PersonRegrouped:
		from, okFrom := s.Groups[d.FromGroup]
		to, okTo := s.Groups[d.ToGroup]
		if !okFrom || !okTo || p.GroupID != d.FromGroup {
			return fmt.Errorf("apply %s to %s: groups %q → %q do not fit", e.Type, e.Stream, d.FromGroup, d.ToGroup)
		}
		from.Members = slices.DeleteFunc(from.Members, func(m string) bool { return m == p.ID })
		to.Members = append(to.Members, p.ID)
		p.GroupID = to.ID
	case PersonCalled:
		p.Stage = Called
		p.Call = &Call{Gate: d.SiteID, Start: d.WindowStart, End: d.WindowEnd}
	case PersonCallCancelled:
		p.Stage, p.Call = Registered, nil
	case PersonAtGate:
		p.Stage = AtGate
	case PersonScreened:
		p.Stage = Screened
		p.Screening = d.Decision
		p.ScreeningReason = d.Reason
		if d.Medical != nil {
			p.Needs.Medical = *d.Medical
		}
	case PersonStaged:
		p.Stage = Staged
	case PersonManifested:
		p.Stage, p.FlightID, p.Seat, p.MissedFlight = Manifested, f.ID, d.Seat, ""
		f.Manifested++
		f.LittersUsed += litter
		if s.onFlight != nil {
			s.index(p, f.Seats)
		}
	case PersonOffloaded, PersonNoShow:
		if p.Stage == Boarded {
			f.Boarded--
		}
		if s.onFlight != nil {
			delete(s.onFlight[p.FlightID], p.ID)
		}
		if e.Type == PersonNoShow {
			p.MissedFlight = f.ID
		}
		p.Stage, p.FlightID, p.Seat = Staged, "", ""
		f.Manifested--
		f.LittersUsed -= litter
	case PersonBoarded:
		p.Stage = Boarded
		f.Boarded++
	case PersonDeparted:
		p.Stage = Departed
		f.Carried++
	case PersonArrived:
		p.Stage = Arrived
	default:
		return fmt.Errorf("apply %s to %s: unknown event", e.Type, e.Stream)
	}
	if p.Stage != from {
		s.move(p.Nation, from, p.Stage)
	}
	// A group gains a staged member only by an event of that member: staged,
	// or regrouped while staged.
	if s.withStaged != nil && p.Stage == Staged {
		s.withStaged[p.GroupID] = true
	}
	p.StageSince = e.Time
	p.Version++
	return nil
}

func (s *State) count(nation string, stage Stage, delta int) {
	add(s.stageCounts(nation), stage, delta)
}

// move counts a person of nation who went from one stage to another.
func (s *State) move(nation string, from, to Stage) {
	c := s.stageCounts(nation)
	add(c, from, -1)
	add(c, to, +1)
}

func (s *State) stageCounts(nation string) map[Stage]int {
	c := s.Counts[nation]
	if c == nil {
		c = map[Stage]int{}
		s.Counts[nation] = c
	}
	return c
}

// add adds delta to c[stage], which it deletes at zero.
func add(c map[Stage]int, stage Stage, delta int) {
	if n := c[stage] + delta; n != 0 {
		c[stage] = n
	} else {
		delete(c, stage)
	}
}
