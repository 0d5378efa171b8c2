package withdraw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Scenario is a theatre to withdraw from: contingents of nations at sites, the
// links between the sites, the nations' strategic airlift, their deadlines and
// the last day of evacuation flights. Days are whole and numbered from 0 (the
// date Start) to Days-1.
type Scenario struct {
	Name  string `json:"name"`
	Start string `json:"start"` // YYYY-MM-DD, day 0
	Days  int    `json:"days"`
	// PalletsPerVehicle is how many pallet positions a vehicle takes, on a
	// link and on a sortie.
	PalletsPerVehicle int          `json:"pallets_per_vehicle"`
	Sites             []Site       `json:"sites"`
	Contingents       []Contingent `json:"contingents"`
	Moves             []Link       `json:"moves"`
	Airlift           []Airlift    `json:"airlift"`
	Deadlines         []Deadline   `json:"deadlines"`
	// EvacuationLastDay is the last day of evacuation flights: an airport
	// keeps its security floor to the end of that day.
	EvacuationLastDay int `json:"evacuation_last_day"`
}

// Site is a base or an airport of embarkation.
type Site struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Airport bool   `json:"airport,omitempty"`
	// SecurityFloor is the security personnel (all nations together) the
	// site needs while anything else is there, and at an airport to the end
	// of the evacuation.
	SecurityFloor int `json:"security_floor"`
}

// Contingent is what one nation has at one site at day 0. Security is the
// part of Personnel that is the site's security element.
type Contingent struct {
	Nation    string `json:"nation"`
	Site      string `json:"site"`
	Personnel int    `json:"personnel"`
	Security  int    `json:"security"`
	Pallets   int    `json:"pallets"`
	Vehicles  int    `json:"vehicles"`
}

// Link is a move from one site to another, with a daily capacity shared by
// all nations; vehicles use pallet capacity.
type Link struct {
	From            string `json:"from"`
	To              string `json:"to"`
	Mode            string `json:"mode"` // "road" or "air"
	PersonnelPerDay int    `json:"personnel_per_day"`
	PalletsPerDay   int    `json:"pallets_per_day"`
}

// Airlift is a nation's strategic airlift of one aircraft type at one
// airport: up to SortiesPerDay sorties a day from FromDay to ToDay, each
// carrying up to Passengers persons and Pallets pallet positions at once.
// Entries of the same nation and aircraft must agree on the capacities;
// entries whose windows overlap add up.
type Airlift struct {
	Nation        string `json:"nation"`
	Aircraft      string `json:"aircraft"`
	Passengers    int    `json:"passengers"`
	Pallets       int    `json:"pallets"`
	SortiesPerDay int    `json:"sorties_per_day"`
	FromDay       int    `json:"from_day"`
	ToDay         int    `json:"to_day"`
	Airport       string `json:"airport"`
}

// Deadline is the last day by whose end everything of a nation must have
// flown out.
type Deadline struct {
	Nation string `json:"nation"`
	Day    int    `json:"day"`
}

// Bounds on a scenario: beyond them it is refused rather than planned, so
// that what it takes to plan it (and the size of a Result) stays bounded.
const (
	maxDays       = 3650
	maxCount      = 1_000_000 // personnel, pallets, vehicles, capacities
	maxItems      = 10_000    // contingents, moves, airlift entries, deadlines
	maxSites      = 1000
	maxNations    = 1000
	maxPerVehicle = 1000
	maxCells      = 1_000_000 // (sites + nations) × days, nations × sites, airlift entries × days
)

// ReadScenario decodes one scenario from r, strictly (unknown fields and
// trailing data are errors), and validates it.
func ReadScenario(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("scenario: data after the scenario object")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// WriteJSON writes s as indented JSON that ReadScenario reads back.
func (s *Scenario) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Validate reports the first thing wrong with s, naming the field, as in
// `scenario contingents[3].site: "XYZ" is not a site`. A valid scenario can be
// planned: every contingent has a route of moves to an airport where its
// nation has airlift, and every site's initial security meets its floor
// wherever the floor applies at day 0.
func (s *Scenario) Validate() error {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("scenario %s: %s", field, fmt.Sprintf(format, args...))
	}
	count := func(field string, v int) error {
		if v < 0 || v > maxCount {
			return fail(field, "%d is not between 0 and %d", v, maxCount)
		}
		return nil
	}
	if s.Name == "" {
		return fail("name", "is empty")
	}
	if _, err := time.Parse(time.DateOnly, s.Start); err != nil {
		return fail("start", "%q is not a date YYYY-MM-DD", s.Start)
	}
	if s.Days < 1 || s.Days > maxDays {
		return fail("days", "%d is not between 1 and %d", s.Days, maxDays)
	}
	if s.PalletsPerVehicle < 1 || s.PalletsPerVehicle > maxPerVehicle {
		return fail("pallets_per_vehicle", "%d is not between 1 and %d", s.PalletsPerVehicle, maxPerVehicle)
	}
	if s.EvacuationLastDay < 0 || s.EvacuationLastDay >= s.Days {
		return fail("evacuation_last_day", "%d is not a day of the horizon 0..%d", s.EvacuationLastDay, s.Days-1)
	}
	for _, l := range []struct {
		field string
		n     int
	}{{"sites", len(s.Sites)}, {"contingents", len(s.Contingents)}, {"moves", len(s.Moves)}, {"airlift", len(s.Airlift)}, {"deadlines", len(s.Deadlines)}} {
		if l.n > maxItems {
			return fail(l.field, "%d entries, more than %d", l.n, maxItems)
		}
	}
	if len(s.Sites) == 0 {
		return fail("sites", "is empty")
	}
	if len(s.Sites) > maxSites {
		return fail("sites", "%d sites, more than %d", len(s.Sites), maxSites)
	}
	if len(s.Airlift)*s.Days > maxCells {
		return fail("airlift", "%d entries × %d days is more than %d", len(s.Airlift), s.Days, maxCells)
	}

	sites := map[string]int{}
	airports := 0
	for i, st := range s.Sites {
		f := fmt.Sprintf("sites[%d]", i)
		if st.ID == "" {
			return fail(f+".id", "is empty")
		}
		if _, dup := sites[st.ID]; dup {
			return fail(f+".id", "%q is not unique", st.ID)
		}
		sites[st.ID] = i
		if err := count(f+".security_floor", st.SecurityFloor); err != nil {
			return err
		}
		if st.Airport {
			airports++
		}
	}
	if airports == 0 {
		return fail("sites", "no site is an airport")
	}

	type pair struct{ nation, site string }
	seen := map[pair]bool{}
	nations := map[string]bool{}
	for i, c := range s.Contingents {
		f := fmt.Sprintf("contingents[%d]", i)
		if c.Nation == "" {
			return fail(f+".nation", "is empty")
		}
		if _, ok := sites[c.Site]; !ok {
			return fail(f+".site", "%q is not a site", c.Site)
		}
		if seen[pair{c.Nation, c.Site}] {
			return fail(f, "a second contingent of %q at %q", c.Nation, c.Site)
		}
		seen[pair{c.Nation, c.Site}] = true
		nations[c.Nation] = true
		for _, v := range []struct {
			name string
			v    int
		}{{"personnel", c.Personnel}, {"security", c.Security}, {"pallets", c.Pallets}, {"vehicles", c.Vehicles}} {
			if err := count(f+"."+v.name, v.v); err != nil {
				return err
			}
		}
		if c.Security > c.Personnel {
			return fail(f+".security", "%d is more than the personnel (%d)", c.Security, c.Personnel)
		}
	}
	if len(nations) > maxNations {
		return fail("contingents", "%d nations, more than %d", len(nations), maxNations)
	}
	if n := len(nations); n*len(s.Sites) > maxCells || (n+len(s.Sites))*s.Days > maxCells {
		return fail("contingents", "%d nations at %d sites over %d days is more than %d cells", n, len(s.Sites), s.Days, maxCells)
	}

	type linkKey struct{ from, to, mode string }
	links := map[linkKey]bool{}
	for i, l := range s.Moves {
		f := fmt.Sprintf("moves[%d]", i)
		if _, ok := sites[l.From]; !ok {
			return fail(f+".from", "%q is not a site", l.From)
		}
		if _, ok := sites[l.To]; !ok {
			return fail(f+".to", "%q is not a site", l.To)
		}
		if l.From == l.To {
			return fail(f+".to", "%q is the site the move starts from", l.To)
		}
		if l.Mode != "road" && l.Mode != "air" {
			return fail(f+".mode", "%q is neither \"road\" nor \"air\"", l.Mode)
		}
		if links[linkKey{l.From, l.To, l.Mode}] {
			return fail(f, "a second %s move from %q to %q", l.Mode, l.From, l.To)
		}
		links[linkKey{l.From, l.To, l.Mode}] = true
		if err := count(f+".personnel_per_day", l.PersonnelPerDay); err != nil {
			return err
		}
		if err := count(f+".pallets_per_day", l.PalletsPerDay); err != nil {
			return err
		}
	}

	type typeKey struct{ nation, aircraft string }
	caps := map[typeKey]Airlift{}
	lifted := map[string]bool{}
	for i, a := range s.Airlift {
		f := fmt.Sprintf("airlift[%d]", i)
		if a.Nation == "" {
			return fail(f+".nation", "is empty")
		}
		if a.Aircraft == "" {
			return fail(f+".aircraft", "is empty")
		}
		j, ok := sites[a.Airport]
		if !ok {
			return fail(f+".airport", "%q is not a site", a.Airport)
		}
		if !s.Sites[j].Airport {
			return fail(f+".airport", "%q is not an airport", a.Airport)
		}
		for _, v := range []struct {
			name string
			v    int
		}{{"passengers", a.Passengers}, {"pallets", a.Pallets}, {"sorties_per_day", a.SortiesPerDay}} {
			if err := count(f+"."+v.name, v.v); err != nil {
				return err
			}
		}
		if a.Passengers == 0 && a.Pallets == 0 {
			return fail(f, "a %s that carries neither passengers nor pallets", a.Aircraft)
		}
		if a.FromDay < 0 || a.FromDay >= s.Days {
			return fail(f+".from_day", "%d is not a day of the horizon 0..%d", a.FromDay, s.Days-1)
		}
		if a.ToDay < a.FromDay || a.ToDay >= s.Days {
			return fail(f+".to_day", "%d is not a day from from_day (%d) to %d", a.ToDay, a.FromDay, s.Days-1)
		}
		k := typeKey{a.Nation, a.Aircraft}
		if prev, ok := caps[k]; ok && (prev.Passengers != a.Passengers || prev.Pallets != a.Pallets) {
			return fail(f, "%s %s carries %d passengers and %d pallets, but an earlier entry says %d and %d",
				a.Nation, a.Aircraft, a.Passengers, a.Pallets, prev.Passengers, prev.Pallets)
		}
		caps[k] = a
		lifted[a.Nation] = true
	}
	for i, c := range s.Contingents {
		if !lifted[c.Nation] {
			return fail(fmt.Sprintf("contingents[%d].nation", i), "%q has no airlift", c.Nation)
		}
	}

	dl := map[string]bool{}
	for i, d := range s.Deadlines {
		f := fmt.Sprintf("deadlines[%d]", i)
		if !nations[d.Nation] {
			return fail(f+".nation", "%q has no contingent", d.Nation)
		}
		if dl[d.Nation] {
			return fail(f+".nation", "%q has a second deadline", d.Nation)
		}
		dl[d.Nation] = true
		if d.Day < 0 || d.Day >= s.Days {
			return fail(f+".day", "%d is not a day of the horizon 0..%d", d.Day, s.Days-1)
		}
	}

	// The floor must hold at day 0 wherever it applies: nothing but moves out
	// of a site can change what is there before the first departures.
	sec := make([]int, len(s.Sites))
	other := make([]int, len(s.Sites))
	for _, c := range s.Contingents {
		j := sites[c.Site]
		sec[j] += c.Security
		other[j] += c.Personnel - c.Security + c.Pallets + c.Vehicles
	}
	for i, st := range s.Sites {
		if (st.Airport || other[i] > 0) && sec[i] < st.SecurityFloor {
			return fail(fmt.Sprintf("sites[%d].security_floor", i), "%d is more than the security at %s on day 0 (%d)", st.SecurityFloor, st.ID, sec[i])
		}
	}

	// Every contingent needs a way out.
	m := newModel(s)
	for i, c := range s.Contingents {
		n := m.nationIndex[c.Nation]
		if m.next[n][sites[c.Site]] < 0 && !m.terminal[n][sites[c.Site]] {
			return fail(fmt.Sprintf("contingents[%d].site", i), "no moves lead from %q to an airport where %s has airlift", c.Site, c.Nation)
		}
	}
	return nil
}
