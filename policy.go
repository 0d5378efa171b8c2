package airbridge

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strconv"
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
	// LoadGuard is the load factor under which a flight about to close or
	// depart raises an alert while compatible cleared people wait, and may
	// depart only with an override. Omitted, it is DefaultLoadGuard; 0
	// disables the guard.
	LoadGuard *float64 `json:"load_guard,omitempty"`
	// AlertLead is how many minutes before its slot a flight counts as about
	// to depart for the load guard; omitted, DefaultAlertLead.
	AlertLead int `json:"alert_lead_minutes,omitempty"`
	// Weights gives the weight of one person by priority rank ("1": 8, …)
	// for the manifest optimizer; a rank not listed weighs as DefaultWeight
	// says.
	Weights map[string]float64 `json:"weights,omitempty"`
	// Carriers is each operating nation's acceptance policy: the
	// nationalities and categories its flights carry. A nation not listed,
	// or a list left empty, carries all.
	Carriers map[string]Acceptance `json:"carriers,omitempty"`
	// Routes lists, for a sponsoring nation, the destinations its evacuees
	// may be flown to. A nation not listed sends its people anywhere.
	Routes map[string][]string `json:"routes,omitempty"`
	// CallForward tunes the call-forward planner and the gates' checks of
	// invitations; omitted fields take the defaults of DefaultCallForward.
	CallForward CallForward `json:"call_forward,omitzero"`
}

// CallForward are the policy's knobs for calling people forward. The
// planner weighs groups by Weights, as the manifest optimizer does.
type CallForward struct {
	SlotMinutes  int `json:"slot_minutes,omitempty"`  // length of a call-forward window
	QueueTarget  int `json:"queue_target,omitempty"`  // most persons planned to wait at one gate
	LeadMinutes  int `json:"lead_minutes,omitempty"`  // how long before their flight people are through the gate
	EarlyMinutes int `json:"early_minutes,omitempty"` // a gate admits this long before a window opens
	LateMinutes  int `json:"late_minutes,omitempty"`  // and this long after it closes
}

// DefaultCallForward are the knobs a policy that sets none gets.
var DefaultCallForward = CallForward{SlotMinutes: 30, QueueTarget: 200, LeadMinutes: 120, EarlyMinutes: 30, LateMinutes: 60}

// Calls returns the policy's call-forward knobs, defaults filled in.
func (p Policy) Calls() CallForward {
	c, d := p.CallForward, DefaultCallForward
	c.SlotMinutes = cmp.Or(c.SlotMinutes, d.SlotMinutes)
	c.QueueTarget = cmp.Or(c.QueueTarget, d.QueueTarget)
	c.LeadMinutes = cmp.Or(c.LeadMinutes, d.LeadMinutes)
	c.EarlyMinutes = cmp.Or(c.EarlyMinutes, d.EarlyMinutes)
	c.LateMinutes = cmp.Or(c.LateMinutes, d.LateMinutes)
	return c
}

// Acceptance is what an operating nation's flights carry.
type Acceptance struct {
	Nationalities []string `json:"nationalities,omitempty"`
	Categories    []string `json:"categories,omitempty"`
}

// Defaults of the load guard.
const (
	DefaultLoadGuard = 0.9
	DefaultAlertLead = 60
)

// LoadThreshold returns the load factor the guard holds flights to; 0 means
// no guard.
func (p Policy) LoadThreshold() float64 {
	if p.LoadGuard == nil {
		return DefaultLoadGuard
	}
	return *p.LoadGuard
}

// AlertLeadMinutes returns how long before its slot a flight is watched.
func (p Policy) AlertLeadMinutes() int {
	if p.AlertLead == 0 {
		return DefaultAlertLead
	}
	return p.AlertLead
}

// Weight returns the weight of one person of priority rank: the policy's,
// or by default 2^(4-rank) for ranks 1-4 (8, 4, 2, 1) and 1 beyond.
func (p Policy) Weight(rank int) float64 {
	if w, ok := p.Weights[strconv.Itoa(rank)]; ok {
		return w
	}
	if rank >= 1 && rank < 4 {
		return float64(int(1) << (4 - rank))
	}
	return 1
}

// Carries reports whether flights operated by operator take a person of
// the given nationality and category.
func (p Policy) Carries(operator, nationality, category string) bool {
	a, ok := p.Carriers[operator]
	if !ok {
		return true
	}
	return (len(a.Nationalities) == 0 || slices.Contains(a.Nationalities, nationality)) &&
		(len(a.Categories) == 0 || slices.Contains(a.Categories, category))
}

// Routed reports whether the evacuees of nation may be flown to destination.
func (p Policy) Routed(nation, destination string) bool {
	r, ok := p.Routes[nation]
	return !ok || len(r) == 0 || slices.Contains(r, destination)
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
	// countryCode matches three capital letters, A-Z. It is checked for
	// every person registered, so it is written out rather than a regular
	// expression.
	countryCode  letterCode
	categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

type letterCode struct{}

func (letterCode) MatchString(s string) bool {
	return len(s) == 3 && isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2])
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

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
	if g := p.LoadGuard; g != nil && (*g < 0 || *g > 1) {
		return invalid("load_guard", "%v is outside 0..1", *g)
	}
	if p.AlertLead < 0 || p.AlertLead > 24*60 {
		return invalid("alert_lead_minutes", "%d is outside 0..1440", p.AlertLead)
	}
	cf := p.CallForward
	for _, k := range []struct {
		field  string
		v, max int
	}{{"slot_minutes", cf.SlotMinutes, 240}, {"queue_target", cf.QueueTarget, 100_000}, {"lead_minutes", cf.LeadMinutes, 24 * 60},
		{"early_minutes", cf.EarlyMinutes, 24 * 60}, {"late_minutes", cf.LateMinutes, 24 * 60}} {
		if k.v < 0 || k.v > k.max {
			return invalid("call_forward."+k.field, "%d is outside 0..%d", k.v, k.max)
		}
	}
	if cf.SlotMinutes != 0 && cf.SlotMinutes < 5 {
		return invalid("call_forward.slot_minutes", "%d is under 5 minutes", cf.SlotMinutes)
	}
	for _, rank := range slices.Sorted(maps.Keys(p.Weights)) {
		n, err := strconv.Atoi(rank)
		if err != nil || n < 1 || n > 99 || strconv.Itoa(n) != rank {
			return invalid("weights", "%q is not a priority rank 1..99", rank)
		}
		if w := p.Weights[rank]; !(w > 0 && w <= 1e6) {
			return invalid("weights", "rank %s: weight %v is outside (0, 1000000]", rank, w)
		}
	}
	for _, nation := range slices.Sorted(maps.Keys(p.Carriers)) {
		if !p.HasNation(nation) {
			return invalid("carriers", "%q is not a nation of this operation", nation)
		}
		a := p.Carriers[nation]
		for _, n := range a.Nationalities {
			if !countryCode.MatchString(n) {
				return invalid("carriers", "%s: %q is not a three-letter country code", nation, n)
			}
		}
		for _, c := range a.Categories {
			if _, ok := p.Category(c); !ok {
				return invalid("carriers", "%s: %q is not a category of this operation", nation, c)
			}
		}
	}
	for _, nation := range slices.Sorted(maps.Keys(p.Routes)) {
		if !p.HasNation(nation) {
			return invalid("routes", "%q is not a nation of this operation", nation)
		}
		for _, d := range p.Routes[nation] {
			if strings.TrimSpace(d) == "" || len(d) > 64 {
				return invalid("routes", "%s: a destination must be 1-64 characters", nation)
			}
			if err := validName("routes", d); err != nil {
				return err
			}
		}
	}
	return nil
}
