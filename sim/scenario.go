package sim

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"airbridge"
	"airbridge/catalog"
)

// Scenario is what a run simulates: the people who come, the gates that take
// them in, the holding area, the flights, the ramp and runway, the transit
// hubs. Times inside a run are minutes from Start.
type Scenario struct {
	Name  string    `json:"name"`
	Start time.Time `json:"start,omitzero"` // 2021-08-14T00:00:00Z if not given
	Days  int       `json:"days"`
	// Nations share the arrivals: each group is of one nation, drawn by
	// share.
	Nations  []NationShare `json:"nations"`
	Arrivals Arrivals      `json:"arrivals"`
	Gates    []Gate        `json:"gates"`
	Holding  Holding       `json:"holding"`
	// Flights are generated per nation and aircraft type: per_day[d]
	// departures on day d, evenly spaced.
	Flights []FlightGen `json:"flights"`
	// Schedule lists flights one by one, beside or instead of the
	// generated ones.
	Schedule []ScheduledFlight `json:"schedule,omitempty"`
	// Ramp limits the aircraft on the ground and spaces departures; nil,
	// neither binds.
	Ramp *Ramp `json:"ramp,omitempty"`
	// Hubs are the transit hubs flights go to, with their daily intake and
	// outages.
	Hubs []Hub `json:"hubs,omitempty"`
	// Assumptions says in words what the scenario assumes, for the report.
	Assumptions []string `json:"assumptions,omitempty"`
}

// NationShare is a nation's share of the arrivals.
type NationShare struct {
	Code  string  `json:"code"`
	Share float64 `json:"share"`
}

// Arrivals is the people who come to the gates, uncontrolled: per_day[d]
// persons on day d (the last value repeats), spread over the hours by
// profile, in groups whose sizes are drawn by the group_size weights (of
// sizes 1, 2, 3 …). Under a call-forward policy the same people come
// called, evenly over the day.
type Arrivals struct {
	PerDay    []float64 `json:"per_day"`
	Profile   []float64 `json:"profile"`
	GroupSize []float64 `json:"group_size"`
}

// Gate is an entry with lanes that each check one person at a time.
type Gate struct {
	ID       string   `json:"id"`
	Lanes    int      `json:"lanes"`
	Service  Service  `json:"service"`
	Closures []Window `json:"closures,omitempty"`
}

// Service is the time one person takes at a lane: "exp" (exponential),
// "fixed", or "lognormal" (with sd_min), in minutes.
type Service struct {
	Dist    string  `json:"dist"`
	MeanMin float64 `json:"mean_min"`
	SDMin   float64 `json:"sd_min,omitempty"`
}

// Window is a span of minutes from the start of the run.
type Window struct {
	FromMin float64 `json:"from_min"`
	ToMin   float64 `json:"to_min"`
}

func (w Window) holds(t float64) bool { return t >= w.FromMin && t < w.ToMin }

// Holding is the staging area inside the airport; nobody enters it past
// its capacity.
type Holding struct {
	Capacity int `json:"capacity"`
}

// FlightGen generates a nation's flights of one aircraft type.
type FlightGen struct {
	Nation      string `json:"nation"`
	Aircraft    string `json:"aircraft"`
	Seats       int    `json:"seats"`
	PerDay      []int  `json:"per_day"`
	Destination string `json:"destination,omitempty"` // a hub's id, or any place; none: "onward"
	// TurnaroundMin is how long the aircraft is on the ground before its
	// departure (it needs a place on the ramp for that long).
	TurnaroundMin float64 `json:"turnaround_min,omitempty"`
}

// ScheduledFlight is one planned departure.
type ScheduledFlight struct {
	Nation        string  `json:"nation"`
	Aircraft      string  `json:"aircraft"`
	Seats         int     `json:"seats"`
	AtMin         float64 `json:"at_min"` // the planned departure, minutes from the start
	Destination   string  `json:"destination,omitempty"`
	TurnaroundMin float64 `json:"turnaround_min,omitempty"`
}

// Ramp is the apron and the runway.
type Ramp struct {
	MaxOnGround int     `json:"max_on_ground"`
	SpacingMin  float64 `json:"spacing_min"`
}

// Hub is a transit hub: it takes at most intake_per_day persons a day (the
// domain's hub intake), and none during an outage, when the flights bound
// for it stay on the ground.
type Hub struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	IntakePerDay int      `json:"intake_per_day"`
	Outages      []Window `json:"outages,omitempty"`
}

// Limits on a scenario, so that a typing error cannot ask for a run that
// never ends.
const (
	maxDays    = 366
	maxPerDay  = 1_000_000
	maxLanes   = 10_000
	maxFlights = 5_000 // a day, per generator
	// maxRunFlights bounds the flights of a whole run, generated and
	// scheduled.
	maxRunFlights = 1_000_000
	maxServices   = 24 * 60
)

// ReadScenario reads a scenario as JSON, strictly: an unknown field, a
// missing one or a value out of range is an error naming it.
func ReadScenario(r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if dec.More() {
		return nil, errors.New("scenario: more than one JSON value")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the scenario and fills what defaults.
func (s *Scenario) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("scenario %s: %s", field, fmt.Sprintf(format, args...))
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if s.Start.IsZero() {
		s.Start = time.Date(2021, 8, 14, 0, 0, 0, 0, time.UTC)
	}
	s.Start = s.Start.UTC()
	if s.Days < 1 || s.Days > maxDays {
		return bad("days", "%d must be 1..%d", s.Days, maxDays)
	}
	if len(s.Nations) == 0 {
		return bad("nations", "name at least one nation")
	}
	seen := map[string]bool{}
	total := 0.0
	for i, n := range s.Nations {
		if len(n.Code) != 3 || strings.ToUpper(n.Code) != n.Code {
			return bad(fmt.Sprintf("nations[%d].code", i), "%q must be three capital letters", n.Code)
		}
		if seen[n.Code] {
			return bad(fmt.Sprintf("nations[%d].code", i), "%s is listed twice", n.Code)
		}
		seen[n.Code] = true
		if !finite(n.Share) || n.Share < 0 {
			return bad(fmt.Sprintf("nations[%d].share", i), "must be a number ≥ 0")
		}
		total += n.Share
	}
	if total <= 0 {
		return bad("nations", "the shares add up to 0")
	}
	a := &s.Arrivals
	if len(a.PerDay) == 0 {
		return bad("arrivals.per_day", "give at least one day")
	}
	for i, v := range a.PerDay {
		if !finite(v) || v < 0 || v > maxPerDay {
			return bad(fmt.Sprintf("arrivals.per_day[%d]", i), "must be 0..%d", maxPerDay)
		}
	}
	if len(a.Profile) == 0 {
		a.Profile = []float64{1}
	}
	if len(a.Profile) != 1 && len(a.Profile) != 24 {
		return bad("arrivals.profile", "give 24 hourly weights (or one)")
	}
	if err := weights("arrivals.profile", a.Profile); err != nil {
		return err
	}
	if len(a.GroupSize) == 0 {
		a.GroupSize = []float64{1}
	}
	if len(a.GroupSize) > 50 {
		return bad("arrivals.group_size", "gives %d sizes; at most 50", len(a.GroupSize))
	}
	if err := weights("arrivals.group_size", a.GroupSize); err != nil {
		return err
	}
	if len(s.Gates) == 0 {
		return bad("gates", "name at least one gate")
	}
	gates := map[string]bool{}
	for i, g := range s.Gates {
		at := fmt.Sprintf("gates[%d]", i)
		if g.ID == "" || gates[g.ID] {
			return bad(at+".id", "%q must be given and unique", g.ID)
		}
		gates[g.ID] = true
		if g.Lanes < 1 || g.Lanes > maxLanes {
			return bad(at+".lanes", "%d must be 1..%d", g.Lanes, maxLanes)
		}
		sv := g.Service
		switch sv.Dist {
		case "exp", "fixed":
		case "lognormal":
			if !finite(sv.SDMin) || sv.SDMin <= 0 {
				return bad(at+".service.sd_min", "a lognormal service needs sd_min > 0")
			}
		default:
			return bad(at+".service.dist", "%q must be exp, fixed or lognormal", sv.Dist)
		}
		if !finite(sv.MeanMin) || sv.MeanMin < 1e-6 || sv.MeanMin > maxServices {
			return bad(at+".service.mean_min", "must be 0.000001..%d", maxServices)
		}
		if sv.Dist == "lognormal" && sv.SDMin > 1000*sv.MeanMin {
			// Beyond, the underlying normal's variance overflows, or
			// nearly every draw is 0 or without end.
			return bad(at+".service.sd_min", "%g must be at most 1000 times mean_min", sv.SDMin)
		}
		if err := windows(at+".closures", g.Closures); err != nil {
			return err
		}
		if _, err := (airbridge.Site{ID: "gate-" + g.ID, Kind: airbridge.Gate}).Check(); err != nil {
			return bad(at+".id", "as the site gate-%s: %v", g.ID, err)
		}
	}
	if s.Holding.Capacity < 1 {
		return bad("holding.capacity", "must be at least 1")
	}
	hubs := map[string]bool{}
	for i, h := range s.Hubs {
		at := fmt.Sprintf("hubs[%d]", i)
		if h.ID == "" || hubs[h.ID] {
			return bad(at+".id", "%q must be given and unique", h.ID)
		}
		hubs[h.ID] = true
		if h.IntakePerDay < 0 {
			return bad(at+".intake_per_day", "must be ≥ 0 (0: no limit)")
		}
		if err := windows(at+".outages", h.Outages); err != nil {
			return err
		}
		if _, err := (airbridge.Site{ID: h.ID, Name: h.Name, Kind: airbridge.Hub, Capacity: h.IntakePerDay}).Check(); err != nil {
			return bad(at, "%v", err)
		}
	}
	for i, f := range s.Flights {
		at := fmt.Sprintf("flights[%d]", i)
		if err := checkFlight(at, seen, f.Nation, f.Aircraft, f.Seats, f.TurnaroundMin, f.Destination, s.Start); err != nil {
			return err
		}
		if len(f.PerDay) == 0 {
			return bad(at+".per_day", "give at least one day")
		}
		for j, n := range f.PerDay {
			if n < 0 || n > maxFlights {
				return bad(fmt.Sprintf("%s.per_day[%d]", at, j), "%d must be 0..%d", n, maxFlights)
			}
		}
	}
	for i, f := range s.Schedule {
		at := fmt.Sprintf("schedule[%d]", i)
		if err := checkFlight(at, seen, f.Nation, f.Aircraft, f.Seats, f.TurnaroundMin, f.Destination, s.Start); err != nil {
			return err
		}
		if !finite(f.AtMin) || f.AtMin < 0 || f.AtMin > float64(maxDays)*1440 {
			return bad(at+".at_min", "must be within the run")
		}
	}
	if r := s.Ramp; r != nil {
		if r.MaxOnGround < 1 {
			return bad("ramp.max_on_ground", "must be at least 1")
		}
		if !finite(r.SpacingMin) || r.SpacingMin < 0 || r.SpacingMin > 24*60 {
			return bad("ramp.spacing_min", "must be 0..1440")
		}
	}
	return nil
}

// checkFlight checks what generated and scheduled flights share: a nation
// of the scenario, an aircraft type the domain knows, seats and turnaround;
// and then the flight as the domain will check it when it is scheduled.
func checkFlight(at string, nations map[string]bool, nation, aircraft string, seats int, turnaround float64, destination string, start time.Time) error {
	if !nations[nation] {
		return fmt.Errorf("scenario %s.nation: %q is not a nation of the scenario", at, nation)
	}
	if _, ok := airbridge.LookupAircraft(airbridge.AircraftType(aircraft)); !ok {
		var names []string
		for _, a := range airbridge.AircraftTypes() {
			names = append(names, string(a.Type))
		}
		return fmt.Errorf("scenario %s.aircraft: %q is not one of %s", at, aircraft, strings.Join(names, ", "))
	}
	if seats < 1 || seats > 1000 {
		return fmt.Errorf("scenario %s.seats: %d must be 1..1000", at, seats)
	}
	if math.IsNaN(turnaround) || turnaround < 0 || turnaround > 24*60 {
		return fmt.Errorf("scenario %s.turnaround_min: must be 0..1440", at)
	}
	p := airbridge.Policy{Name: "check", Nations: []string{nation}, Categories: airbridge.DefaultCategories(),
		MaxSeats: map[airbridge.AircraftType]int{airbridge.AircraftType(aircraft): seats}}
	in := airbridge.FlightInput{ID: "F1", Callsign: "SIMF1", Operator: nation, Aircraft: airbridge.AircraftType(aircraft), Seats: seats,
		Slot: start, Destination: flightDestination(destination)}
	if _, err := in.Check(p); err != nil {
		return fmt.Errorf("scenario %s: %v", at, err)
	}
	return nil
}

// flightDestination is where a flight of the scenario goes, as the domain
// reads it: trimmed, and "onward" if it names no place, so that a hub
// named "onward" takes such flights.
func flightDestination(d string) string {
	if d = strings.TrimSpace(d); d == "" {
		return "onward"
	}
	return d
}

func weights(field string, w []float64) error {
	total := 0.0
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("scenario %s[%d]: must be a number ≥ 0", field, i)
		}
		total += v
	}
	if total <= 0 {
		return fmt.Errorf("scenario %s: the weights add up to 0", field)
	}
	return nil
}

func windows(field string, ws []Window) error {
	for i, w := range ws {
		if math.IsNaN(w.FromMin) || math.IsNaN(w.ToMin) || math.IsInf(w.FromMin, 0) || math.IsInf(w.ToMin, 0) || w.FromMin < 0 || w.ToMin <= w.FromMin {
			return fmt.Errorf("scenario %s[%d]: from_min must be ≥ 0 and before to_min", field, i)
		}
	}
	return nil
}

//go:embed scenarios/*.json
var builtin embed.FS

var builtins = catalog.Catalog{FS: builtin, Dir: "scenarios"}

// Builtin returns the built-in scenario called name.
func Builtin(name string) (*Scenario, error) { return catalog.Load(builtins, name, ReadScenario) }

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string { return builtins.Names() }

func at(xs []float64, d int) float64 {
	if d < len(xs) {
		return xs[d]
	}
	return xs[len(xs)-1]
}

func atInt(xs []int, d int) int {
	if d < len(xs) {
		return xs[d]
	}
	return xs[len(xs)-1]
}
