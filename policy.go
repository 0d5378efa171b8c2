package airbridge

import (
	"regexp"
	"slices"
	"strings"
)

// Policy is an operation's configuration: who takes part, who is evacuated in
// what order, and how far aircraft may be loaded.
type Policy struct {
	Name string `json:"name"`
	// Nations are the coalition nations (ISO 3166-1 alpha-3) that sponsor
	// evacuees and operate flights.
	Nations []string `json:"nations"`
	// Categories are the evacuee categories; a lower rank is evacuated first.
	Categories []Category `json:"categories"`
	// MaxSeats is the operation-set maximum of seats per aircraft type, for
	// emergency loads above the standard configuration. A type not listed may
	// carry at most its standard seats.
	MaxSeats map[AircraftType]int `json:"max_seats,omitempty"`
	// LoadGuard is the load factor under which a departing flight is to raise
	// an alert while people wait (0 disables it). It is recorded here for the
	// load guard; this part of airbridge raises no alerts yet.
	LoadGuard float64 `json:"load_guard,omitempty"`
}

// Category is one class of evacuee with its priority rank (1 is highest).
type Category struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
}

// DefaultCategories are the categories most evacuation operations use.
func DefaultCategories() []Category {
	return []Category{
		{Code: "own_citizen", Name: "Own citizen", Rank: 1},
		{Code: "allied_citizen", Name: "Allied citizen", Rank: 2},
		{Code: "local_staff", Name: "Local staff and family", Rank: 2},
		{Code: "at_risk", Name: "At-risk referral", Rank: 3},
		{Code: "resident", Name: "Permanent resident", Rank: 3},
		{Code: "third_country", Name: "Third-country national", Rank: 4},
	}
}

// AircraftType names an aircraft type of the built-in table.
type AircraftType string

// Aircraft describes the standard configuration of an aircraft type.
type Aircraft struct {
	Type          AircraftType `json:"type"`
	StandardSeats int          `json:"standard_seats"`
	LitterSlots   int          `json:"litter_positions"`
}

// The built-in aircraft table. Figures are the public ones in DESIGN.md; a
// civil charter has no standard configuration, so its seats are given per
// flight and limited only by the operation's maximum.
var aircraftTable = []Aircraft{
	{Type: "C-17", StandardSeats: 102, LitterSlots: 36},
	{Type: "C-130H", StandardSeats: 92, LitterSlots: 74},
	{Type: "C-130J-30", StandardSeats: 128, LitterSlots: 97},
	{Type: "A400M", StandardSeats: 114, LitterSlots: 66},
	{Type: "KC-10", StandardSeats: 75, LitterSlots: 0},
	{Type: "charter", StandardSeats: 0, LitterSlots: 0},
}

// AircraftTypes returns the built-in aircraft table.
func AircraftTypes() []Aircraft { return slices.Clone(aircraftTable) }

// LookupAircraft returns the table entry of t.
func LookupAircraft(t AircraftType) (Aircraft, bool) {
	for _, a := range aircraftTable {
		if a.Type == t {
			return a, true
		}
	}
	return Aircraft{}, false
}

// charterMaxSeats bounds a charter when the operation sets no maximum: the
// largest civil airliners seat about this many.
const charterMaxSeats = 853

// SeatLimit returns the most seats a flight of type t may offer under p.
func (p Policy) SeatLimit(t AircraftType) int {
	if n, ok := p.MaxSeats[t]; ok {
		return n
	}
	a, _ := LookupAircraft(t)
	if a.Type == "charter" {
		return charterMaxSeats
	}
	return a.StandardSeats
}

// Category returns the category with the given code.
func (p Policy) Category(code string) (Category, bool) {
	for _, c := range p.Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// HasNation reports whether code is a coalition nation of the operation.
func (p Policy) HasNation(code string) bool { return slices.Contains(p.Nations, code) }

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{3}$`)
	categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// Validate reports the first problem with p.
func (p Policy) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return invalid("name", "must not be empty")
	}
	if err := validName("name", p.Name); err != nil {
		return err
	}
	if len(p.Nations) == 0 {
		return invalid("nations", "must name at least one nation")
	}
	for i, n := range p.Nations {
		if !countryCode.MatchString(n) {
			return invalid("nations", "%q is not a three-letter country code", n)
		}
		if slices.Contains(p.Nations[:i], n) {
			return invalid("nations", "%s is listed twice", n)
		}
	}
	if len(p.Categories) == 0 {
		return invalid("categories", "must name at least one category")
	}
	for i, c := range p.Categories {
		if !categoryCode.MatchString(c.Code) {
			return invalid("categories", "code %q must be lower-case letters, digits and _", c.Code)
		}
		if err := validName("categories", c.Name); err != nil {
			return err
		}
		if c.Rank < 1 || c.Rank > 99 {
			return invalid("categories", "%s: rank %d is outside 1..99", c.Code, c.Rank)
		}
		for _, d := range p.Categories[:i] {
			if d.Code == c.Code {
				return invalid("categories", "%s is listed twice", c.Code)
			}
		}
	}
	for t, n := range p.MaxSeats {
		a, ok := LookupAircraft(t)
		if !ok {
			return invalid("max_seats", "unknown aircraft type %q", t)
		}
		if lo := max(a.StandardSeats, 1); n < lo || n > 1000 {
			return invalid("max_seats", "%s: %d is outside %d..1000", t, n, lo)
		}
	}
	if p.LoadGuard < 0 || p.LoadGuard > 1 {
		return invalid("load_guard", "%v is outside 0..1", p.LoadGuard)
	}
	return nil
}
