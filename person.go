package airbridge

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Stage is where a person is in the evacuation pipeline.
type Stage string

// The evacuee lifecycle: registered → called → at_gate → screened → staged →
// manifested → boarded → departed → arrived. A no-show or an offload returns a
// person from manifested (or boarded) to staged.
const (
	Registered Stage = "registered"
	Called     Stage = "called"
	AtGate     Stage = "at_gate"
	Screened   Stage = "screened"
	Staged     Stage = "staged"
	Manifested Stage = "manifested"
	Boarded    Stage = "boarded"
	Departed   Stage = "departed"
	Arrived    Stage = "arrived"
)

// Stages lists every stage in pipeline order.
var Stages = []Stage{Registered, Called, AtGate, Screened, Staged, Manifested, Boarded, Departed, Arrived}

// Screening decisions.
const (
	Cleared  = "cleared"
	Denied   = "denied"
	Referred = "referred"
)

// Person is one evacuee.
type Person struct {
	ID          string `json:"id"`
	GroupID     string `json:"group_id"`
	Nation      string `json:"nation"` // the coalition nation responsible for the person
	Nationality string `json:"nationality"`
	Category    string `json:"category"`
	Needs       Needs  `json:"needs"`
	PersonalData

	Stage     Stage  `json:"stage"`
	Screening string `json:"screening,omitempty"`
	FlightID  string `json:"flight_id,omitempty"`
	// Seat is the seat (or litter position, "L" and its number) the person
	// holds on FlightID while manifested, boarded or carried.
	Seat string `json:"seat,omitempty"`
	// Call is the person's call forward: the gate and window they were
	// called to, kept once they arrive; nil if never called, or cancelled.
	Call *Call `json:"call,omitempty"`
	// MissedFlight is the flight the person last failed to board (a
	// no-show), until manifested again. The load guard of that flight does
	// not count them as waiting.
	MissedFlight string    `json:"missed_flight,omitempty"`
	StageSince   time.Time `json:"stage_since"`
	RegisteredAt time.Time `json:"registered_at"`
	// Version counts the events applied to the person.
	Version int `json:"version"`

	// Sealed is the personal data as a store keeps it at rest; a reader
	// gets it opened into PersonalData, or Redacted says why not.
	Sealed   *Sealed `json:"sealed,omitempty"`
	Redacted string  `json:"redacted,omitempty"`
}

// Call is a call forward to a gate in a time window.
type Call struct {
	Gate  string    `json:"gate"`
	Start time.Time `json:"window_start"`
	End   time.Time `json:"window_end"`
}

// PersonalData is what identifies a person or was written about them. It is
// sealed at rest under the data key of the person's nation, and shown only
// to those entitled to it (see the security model in the README).
type PersonalData struct {
	Surname         string     `json:"surname,omitempty"`
	GivenNames      string     `json:"given_names,omitempty"`
	BirthDate       string     `json:"birth_date,omitempty"` // YYYY-MM-DD
	Sex             string     `json:"sex,omitempty"`        // F, M or X
	Documents       []Document `json:"documents,omitempty"`
	ScreeningReason string     `json:"screening_reason,omitempty"`
}

// IsZero reports whether d holds nothing.
func (d PersonalData) IsZero() bool {
	return d.Surname == "" && d.GivenNames == "" && d.BirthDate == "" && d.Sex == "" && len(d.Documents) == 0 && d.ScreeningReason == ""
}

// Sealed is data encrypted under a nation's data key, as a store keeps it.
// Key names the key ("DEU/1"); Box is the nonce and ciphertext.
type Sealed struct {
	Key string `json:"key"`
	Box []byte `json:"box"`
}

// Redact removes p's personal data and says why.
func (p *Person) Redact(reason string) {
	p.PersonalData, p.Sealed, p.Redacted = PersonalData{}, nil, reason
}

// Public returns p without its personal data.
func (p Person) Public() Person {
	p.PersonalData, p.Sealed, p.Redacted = PersonalData{}, nil, ""
	return p
}

// Document is an identity or travel document.
type Document struct {
	Type         string `json:"type"` // passport, id_card, visa, other
	Number       string `json:"number"`
	IssuingState string `json:"issuing_state,omitempty"`
	Expiry       string `json:"expiry,omitempty"` // YYYY-MM-DD
}

// Needs are what a person needs to travel.
type Needs struct {
	Litter             bool `json:"litter,omitempty"`
	Medical            bool `json:"medical,omitempty"`
	UnaccompaniedMinor bool `json:"unaccompanied_minor,omitempty"`
}

// Group is a family or party that travels together. Every person belongs to
// exactly one group; a person registered alone forms a group of one.
type Group struct {
	ID           string    `json:"id"`
	Name         string    `json:"name,omitempty"` // free text: personal data
	Nation       string    `json:"nation"`
	Members      []string  `json:"members"`
	RegisteredAt time.Time `json:"registered_at"`
	// Sealed is the name as a store keeps it; Redacted says why a reader
	// does not see it.
	Sealed   *Sealed `json:"sealed,omitempty"`
	Redacted string  `json:"redacted,omitempty"`
}

// Public returns g without its name.
func (g Group) Public() Group {
	g.Name, g.Sealed, g.Redacted = "", nil, ""
	return g
}

// PersonInput is what a registration says about a person.
type PersonInput struct {
	ID          string     `json:"id,omitempty"`
	Surname     string     `json:"surname"`
	GivenNames  string     `json:"given_names"`
	BirthDate   string     `json:"birth_date,omitempty"`
	Sex         string     `json:"sex,omitempty"`
	Nationality string     `json:"nationality"`
	Category    string     `json:"category"`
	Documents   []Document `json:"documents,omitempty"`
	Needs       Needs      `json:"needs"`
	// MRZ is a document's machine-readable zone as scanned. The adapter that
	// takes the registration reads it into the fields above; the rules
	// refuse one left unread.
	MRZ string `json:"mrz,omitempty"`
}

var documentNumber = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)

// entityID matches the ids of persons, groups, flights and sites: a letter
// or digit, then up to 63 letters, digits, '_', '.' or '-'. It is checked
// at every command, so it is written out rather than a regular expression.
var entityID idPattern

type idPattern struct{}

func (idPattern) MatchString(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return true
}

// NormalizeDocumentNumber upper-cases a document number and drops the spaces,
// dashes and filler characters people type into it.
func NormalizeDocumentNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '<':
			return -1
		default:
			return unicode.ToUpper(r)
		}
	}, s)
}

const maxNameLen = 120

func validName(field, s string) error {
	return validNameAt(func() string { return field }, s)
}

// validNameAt is validName with the field named, by field(), only when s is
// refused.
func validNameAt(field func() string, s string) error {
	if !utf8.ValidString(s) {
		return invalid(field(), "is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxNameLen {
		return invalid(field(), "is longer than %d characters", maxNameLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalid(field(), "contains a control character")
		}
	}
	return nil
}

// plausibleTime refuses times that can only be typing errors, and those the
// ledger could not write back (RFC 3339 has four-digit years). Historic
// times are allowed: an operation may be replayed from its records.
func plausibleTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1970 || y > 2999 {
		return invalid(field, "%s is outside the years 1970-2999", t.UTC().Format(time.RFC3339))
	}
	return nil
}

func validDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		// The value is not repeated: refusals are stored, and dates of birth
		// are personal data.
		return time.Time{}, invalid(field, "is not a date of the form YYYY-MM-DD")
	}
	return t, nil
}

// Check returns in as registering it would keep it (names trimmed, document
// numbers normalised), or the first rule it breaks under p at now, the field
// named as in a registration of one person ("birth_date",
// "documents[0].number"). Importers use it to report a row's problem before
// anything is submitted.
func (in PersonInput) Check(p Policy, now time.Time) (PersonInput, error) {
	in.Documents = slices.Clone(in.Documents)
	err := in.validate(&p, func() string { return "" }, now)
	return in, err
}

// validate checks a registration against the policy; field names are prefixed
// with at(), such as "persons[3]", which is called only to name a refused
// field. Its messages never repeat a value of the person's: refusals are
// stored with their idempotency key, in clear.
func (in *PersonInput) validate(p *Policy, at func() string, now time.Time) error {
	f := func(name string) string { return joinField(at(), name) }
	if in.MRZ != "" {
		return invalid(f("mrz"), "the machine-readable zone was not read")
	}
	if in.ID != "" && !entityID.MatchString(in.ID) {
		return invalid(f("id"), "%q must be 1-64 letters, digits, '_', '.' or '-'", in.ID)
	}
	in.Surname = strings.TrimSpace(in.Surname)
	in.GivenNames = strings.TrimSpace(in.GivenNames)
	if err := validNameAt(func() string { return f("surname") }, in.Surname); err != nil {
		return err
	}
	if err := validNameAt(func() string { return f("given_names") }, in.GivenNames); err != nil {
		return err
	}
	if in.Surname == "" && in.GivenNames == "" {
		return invalid(f("surname"), "a person needs a surname or given names")
	}
	if in.BirthDate != "" {
		d, err := validDate(f("birth_date"), in.BirthDate)
		if err != nil {
			return err
		}
		if d.After(now) {
			return invalid(f("birth_date"), "is in the future")
		}
		if d.Year() < now.Year()-125 {
			return invalid(f("birth_date"), "is more than 125 years ago")
		}
	}
	switch in.Sex {
	case "", "F", "M", "X":
	default:
		return invalid(f("sex"), "must be F, M or X")
	}
	if !countryCode.MatchString(in.Nationality) {
		return invalid(f("nationality"), "is not a three-letter country code")
	}
	if _, ok := p.Category(in.Category); !ok {
		return invalid(f("category"), "%q is not a category of this operation", in.Category)
	}
	if len(in.Documents) > 8 {
		return invalid(f("documents"), "at most 8 documents per person")
	}
	for i := range in.Documents {
		d := &in.Documents[i]
		df := func(name string) string { return f("documents") + "[" + strconv.Itoa(i) + "]." + name }
		switch d.Type {
		case "passport", "id_card", "visa", "other":
		default:
			return invalid(df("type"), "must be passport, id_card, visa or other")
		}
		d.Number = NormalizeDocumentNumber(d.Number)
		if !documentNumber.MatchString(d.Number) {
			return invalid(df("number"), "must be 1-20 letters and digits")
		}
		if d.IssuingState != "" && !countryCode.MatchString(d.IssuingState) {
			return invalid(df("issuing_state"), "is not a three-letter country code")
		}
		if d.Expiry != "" {
			if _, err := validDate(df("expiry"), d.Expiry); err != nil {
				return err
			}
		}
		for j := range i {
			if in.Documents[j].Number == d.Number {
				return invalid(df("number"), "is the same number as documents[%d]", j)
			}
		}
	}
	return nil
}
