package airbridge

import (
	"fmt"
	"strings"
	"time"
)

// FlightStatus is where a flight is in its own lifecycle:
// scheduled → boarding → closed → departed → arrived, or cancelled before
// departure.
type FlightStatus string

// Flight statuses.
const (
	StatusScheduled FlightStatus = "scheduled"
	StatusBoarding  FlightStatus = "boarding"
	StatusClosed    FlightStatus = "closed"
	StatusDeparted  FlightStatus = "departed"
	StatusArrived   FlightStatus = "arrived"
	StatusCancelled FlightStatus = "cancelled"
)

// Open reports whether the flight still takes manifest changes.
func (s FlightStatus) Open() bool { return s == StatusScheduled || s == StatusBoarding }

// Flight is one departure.
type Flight struct {
	ID          string       `json:"id"`
	Callsign    string       `json:"callsign"`
	Operator    string       `json:"operator"` // the operating nation
	Aircraft    AircraftType `json:"aircraft"`
	Seats       int          `json:"seats"`
	Litters     int          `json:"litters"`
	Slot        time.Time    `json:"slot"` // planned departure
	Destination string       `json:"destination"`
	Status      FlightStatus `json:"status"`
	// Manifested counts the persons put on the manifest and not offloaded or
	// turned no-show (after departure, those carried); Boarded those boarded;
	// LittersUsed the litter patients among Manifested. They are derived from
	// the persons' events and kept for cheap reads.
	Manifested  int `json:"manifested"`
	Boarded     int `json:"boarded"`
	LittersUsed int `json:"litters_used"`
	// Carried counts the persons who departed on the flight.
	Carried int `json:"carried"`
	// Standby lists the groups standing by for seats that no-shows free at
	// boarding close, as the manifest officer set them.
	Standby []string `json:"standby,omitempty"`
	// Alert is the open load-guard alert, if any.
	Alert       *LoadAlert `json:"alert,omitempty"`
	StatusSince time.Time  `json:"status_since"`
	Version     int        `json:"version"`
}

// LoadAlert says that a flight about to close or depart is loaded below the
// policy's threshold while compatible cleared people wait.
type LoadAlert struct {
	FlightID  string  `json:"flight_id"`
	Seats     int     `json:"seats"`
	Load      int     `json:"load"` // persons on the manifest (at departure: boarded)
	Factor    float64 `json:"factor"`
	Threshold float64 `json:"threshold"`
	// Waiting counts the cleared persons, staged or on the flight's
	// standby list, in groups that the flight could still take whole;
	// Groups counts those groups.
	Waiting int       `json:"waiting"`
	Groups  int       `json:"groups"`
	Raised  time.Time `json:"raised"`
}

// FlightInput is what scheduling a flight says.
type FlightInput struct {
	ID          string       `json:"id,omitempty"`
	Callsign    string       `json:"callsign"`
	Operator    string       `json:"operator"`
	Aircraft    AircraftType `json:"aircraft"`
	Seats       int          `json:"seats,omitempty"`   // default: the type's standard seats
	Litters     *int         `json:"litters,omitempty"` // default: the type's litter positions
	Slot        time.Time    `json:"slot"`
	Destination string       `json:"destination"`
}

// Check returns in with its defaults filled in (seats, litter positions,
// the slot in UTC), or the first rule of a scheduled flight it breaks under
// p. An engine that keeps flights of its own, the simulator, holds them to
// the rules with it.
func (in FlightInput) Check(p Policy) (FlightInput, error) {
	err := in.validate(p)
	return in, err
}

func (in *FlightInput) validate(p Policy) error {
	if in.ID != "" && !entityID.MatchString(in.ID) {
		return invalid("id", "%q must be 1-64 letters, digits, '_', '.' or '-'", in.ID)
	}
	in.Callsign = strings.TrimSpace(in.Callsign)
	if in.Callsign == "" || len(in.Callsign) > 16 {
		return invalid("callsign", "must be 1-16 characters")
	}
	if err := validName("callsign", in.Callsign); err != nil {
		return err
	}
	if !p.HasNation(in.Operator) {
		return invalid("operator", "%q is not a nation of this operation", in.Operator)
	}
	a, ok := LookupAircraft(in.Aircraft)
	if !ok {
		return invalid("aircraft", "unknown aircraft type %q", in.Aircraft)
	}
	if in.Seats == 0 {
		in.Seats = a.StandardSeats
	}
	if limit := p.SeatLimit(a.Type); in.Seats < 1 || in.Seats > limit {
		return invalid("seats", "%d is outside 1..%d for a %s in this operation", in.Seats, limit, a.Type)
	}
	if in.Litters == nil {
		n := a.LitterSlots
		in.Litters = &n
	}
	if *in.Litters < 0 || *in.Litters > max(a.LitterSlots, 0) {
		return invalid("litters", "%d is outside 0..%d for a %s", *in.Litters, a.LitterSlots, a.Type)
	}
	if in.Slot.IsZero() {
		return invalid("slot", "a departure slot time is required")
	}
	if err := plausibleTime("slot", in.Slot); err != nil {
		return err
	}
	in.Slot = in.Slot.UTC()
	in.Destination = strings.TrimSpace(in.Destination)
	if in.Destination == "" || len(in.Destination) > 64 {
		return invalid("destination", "must be 1-64 characters")
	}
	return validName("destination", in.Destination)
}

// SiteKind says what happens at a site.
type SiteKind string

// Site kinds. A scan at a gate records arrival at the airport; at holding, that
// a cleared person is staged; at the ramp, that a manifested group boards.
const (
	Gate      SiteKind = "gate"
	Screening SiteKind = "screening"
	Holding   SiteKind = "holding"
	Ramp      SiteKind = "ramp"
	Hub       SiteKind = "hub"
)

// Site is a place in the pipeline.
type Site struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Kind SiteKind `json:"kind"`
	// Capacity is a transit hub's intake: the persons it takes per UTC day
	// on flights departing for it (flights whose destination is the hub's
	// id); or the persons a holding area holds at once. Zero means no limit.
	Capacity int `json:"capacity,omitempty"`
	// A gate processes Lanes × PerLaneHour persons an hour, except during
	// its Closures. The call-forward planner plans with these figures.
	Lanes       int      `json:"lanes,omitempty"`
	PerLaneHour float64  `json:"per_lane_hour,omitempty"`
	Closures    []Window `json:"closures,omitempty"`
}

// Window is a span of time, its end after its start.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Check returns s with its defaults filled in (the name), or the first
// rule of a site it breaks. The simulator checks its scenario's sites with
// it before a run.
func (s Site) Check() (Site, error) {
	err := s.validate()
	return s, err
}

func (s *Site) validate() error {
	if !entityID.MatchString(s.ID) {
		return invalid("id", "%q must be 1-64 letters, digits, '_', '.' or '-'", s.ID)
	}
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		s.Name = s.ID
	}
	if err := validName("name", s.Name); err != nil {
		return err
	}
	if s.Capacity < 0 || s.Capacity > 10_000_000 {
		return invalid("capacity", "%d is outside 0..10000000", s.Capacity)
	}
	if s.Capacity != 0 && s.Kind != Hub && s.Kind != Holding {
		return invalid("capacity", "only a transit hub or a holding area has a capacity")
	}
	if (s.Lanes != 0 || s.PerLaneHour != 0 || len(s.Closures) != 0) && s.Kind != Gate {
		return invalid("lanes", "only a gate has lanes, a rate and closures")
	}
	if s.Lanes < 0 || s.Lanes > 200 {
		return invalid("lanes", "%d is outside 0..200", s.Lanes)
	}
	if s.PerLaneHour < 0 || s.PerLaneHour > 10_000 {
		return invalid("per_lane_hour", "%v is outside 0..10000", s.PerLaneHour)
	}
	if len(s.Closures) > 100 {
		return invalid("closures", "lists %d closures; at most 100", len(s.Closures))
	}
	s.Closures = append([]Window(nil), s.Closures...) // normalised below, not the caller's
	for i, w := range s.Closures {
		field := fmt.Sprintf("closures[%d]", i)
		if w.Start.IsZero() || !w.End.After(w.Start) {
			return invalid(field, "a closure needs a start and an end after it")
		}
		if err := plausibleTime(field, w.Start); err != nil {
			return err
		}
		if err := plausibleTime(field, w.End); err != nil {
			return err
		}
		s.Closures[i] = Window{Start: w.Start.UTC(), End: w.End.UTC()}
	}
	switch s.Kind {
	case Gate, Screening, Holding, Ramp, Hub:
		return nil
	}
	return invalid("kind", "%q must be gate, screening, holding, ramp or hub", s.Kind)
}
