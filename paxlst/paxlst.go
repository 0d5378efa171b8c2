// Package paxlst writes and reads UN/EDIFACT PAXLST messages, directory
// D:05B, as the WCO/IATA/ICAO API-PNR guidelines describe them: the
// passenger list of one flight, sent by the carrier to border authorities.
//
// One manifest is one interchange with one functional group:
//
//	UNA:+.? '
//	UNB+UNOA:4+sender+recipient+YYMMDD:HHMM+reference'
//	UNG+PAXLST+sender+recipient+YYMMDD:HHMM+1+UN+D:05B'
//	UNH+1+PAXLST:D:05B:UN:IATA[+reference+01:C]'   one or more messages
//	BGM+745'
//	NAD+MS+++reporting party'                       optional
//	TDT+20+flight number+++carrier'
//	LOC+125+from'  DTM+189:YYMMDDHHMM:201'
//	LOC+87+to'     DTM+232:YYMMDDHHMM:201'
//	NAD+FL+++SURNAME:GIVEN NAMES'                   per passenger
//	ATT+2++sex'  DTM+329:YYMMDD'  [LOC+178+embarkation']  [LOC+179+debarkation']
//	NAT+2+nationality'  [RFF+AVF:reference']
//	[DOC+type:110:111+number'  [DTM+36:YYMMDD']  [LOC+91+issuing state']]
//	CNT+42:passengers in this message'
//	UNT+segments from UNH to UNT+message reference'
//	UNE+messages+1'
//	UNZ+1+reference'
//
// A manifest of more passengers than Options.MaxPassengers is split into
// several messages in the same interchange and group, not into several
// interchanges: the parts then share one interchange reference, one UNE
// counts them, and Parse gets the whole flight back from one input. Each
// message repeats the flight, carries the interchange reference as its
// common access reference and its part number with C (more follow) or F
// (final), and its CNT counts its own passengers. A single message has no
// common access reference or part number.
//
// Values are written in the UNOA character set: upper-case letters, digits,
// space and . , - ( ) / = ' + : ? ! " % & * ; < >. Encode rejects any other
// character rather than changing names; transliterating is the caller's
// job. Times keep the minute, dates the day, both as wall clock (the
// guidelines use local time at each airport); Parse returns them in UTC.
//
// Two-digit years are read relative to the preparation date in UNB, itself
// taken to be in 2000-2099: birth dates fall in the 99 years up to it,
// other dates within 50 years of it. Encode rejects dates outside these
// windows, so that Parse(Encode(m)) gives m back.
package paxlst

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Flight is one leg of a flight.
type Flight struct {
	Carrier   string    // TDT carrier code: "LH", "RCH"; at most 17 characters
	Number    string    // TDT journey identifier, carrier and number as the guidelines want: "LH4711", "RCH871"; at most 17
	From, To  string    // airports of departure (LOC+125) and arrival (LOC+87): "KBL", "OAKB"; at most 35
	Departure time.Time // DTM+189, wall clock at From, to the minute
	Arrival   time.Time // DTM+232, wall clock at To, to the minute
}

// A Passenger is one person on the flight.
//
// The document fields form one group that is left out when all four are
// empty; otherwise DocumentType and DocumentNumber are required.
type Passenger struct {
	Surname        string    // required; at most 70 characters
	GivenNames     string    // optional; at most 70
	Sex            string    // M, F, X or U (unknown)
	BirthDate      time.Time // required; the date only
	Nationality    string    // ISO 3166 alpha-3: "AFG"
	Embarkation    string    // optional LOC+178 airport where the passenger boards; at most 35
	Debarkation    string    // optional LOC+179 airport where the passenger leaves; at most 35
	Reference      string    // optional RFF+AVF booking reference; at most 35
	DocumentType   string    // DOC code: P passport, I identity card, ...; 1-3 letters or digits
	DocumentNumber string    // at most 35
	DocumentExpiry time.Time // optional; the date only
	IssuingState   string    // optional ISO 3166 alpha-3
}

// A Manifest is the passenger list of one flight as one interchange.
type Manifest struct {
	Sender, Recipient string    // interchange parties; at most 35 characters each
	Reference         string    // interchange control reference; at most 14
	Prepared          time.Time // date and time of preparation, to the minute, in 2000-2099
	ReportingParty    string    // optional NAD+MS name; at most 70
	Flight            Flight
	Passengers        []Passenger
}

// DefaultMaxPassengers is the number of passengers per message when
// Options.MaxPassengers is zero. 99 keeps each message near 20 KB and 1,000
// segments, small for any receiving system, fits a standard C-17 load (102)
// in two parts and the Kabul record of 823 in nine, and with at most
// MaxParts messages still allows 9,801 passengers on one flight.
const DefaultMaxPassengers = 99

// MaxParts is the most messages one manifest is split into: the part number
// in UNH has two digits.
const MaxParts = 99

// Options tune Encode.
type Options struct {
	// MaxPassengers is the most passengers in one message; 0 means
	// DefaultMaxPassengers.
	MaxPassengers int
	// LineBreaks puts a newline after every segment terminator, for people
	// reading the file. Parse accepts both.
	LineBreaks bool
}

// Encode returns m as a PAXLST interchange. It returns an error naming the
// field, and the passenger by its index in m.Passengers, when m cannot be
// written faithfully: a required field is missing, a value is too long or
// has characters outside UNOA, a code is malformed, or a date is outside
// its two-digit-year window. Seconds and smaller are dropped from times.
func Encode(m Manifest, opt Options) ([]byte, error) {
	per := opt.MaxPassengers
	if per == 0 {
		per = DefaultMaxPassengers
	}
	if per < 0 {
		return nil, fmt.Errorf("paxlst: MaxPassengers %d is negative", per)
	}
	if err := validate(m); err != nil {
		return nil, err
	}
	parts := max(1, (len(m.Passengers)+per-1)/per)
	if parts > MaxParts {
		return nil, fmt.Errorf("paxlst: %d passengers need %d messages of %d, more than %d", len(m.Passengers), parts, per, MaxParts)
	}

	w := &writer{newline: opt.LineBreaks}
	w.buf.WriteString(una)
	if opt.LineBreaks {
		w.buf.WriteByte('\n')
	}
	const group = "1"
	prepared := el(date(m.Prepared), clock(m.Prepared))
	w.seg("UNB", el("UNOA", "4"), el(m.Sender), el(m.Recipient), prepared, el(m.Reference))
	w.seg("UNG", el("PAXLST"), el(m.Sender), el(m.Recipient), prepared, el(group), el("UN"), el("D", "05B"))
	f := m.Flight
	for k := range parts {
		pax := m.Passengers[min(k*per, len(m.Passengers)):min((k+1)*per, len(m.Passengers))]
		ref := strconv.Itoa(k + 1)
		start := w.segments
		unh := [][]string{el(ref), el("PAXLST", "D", "05B", "UN", "IATA")}
		if parts > 1 {
			cf := "C"
			if k == parts-1 {
				cf = "F"
			}
			unh = append(unh, el(m.Reference), el(fmt.Sprintf("%02d", k+1), cf))
		}
		w.seg("UNH", unh...)
		w.seg("BGM", el("745"))
		if m.ReportingParty != "" {
			w.seg("NAD", el("MS"), nil, nil, el(m.ReportingParty))
		}
		w.seg("TDT", el("20"), el(f.Number), nil, nil, el(f.Carrier))
		w.seg("LOC", el("125"), el(f.From))
		w.seg("DTM", el("189", date(f.Departure)+clock(f.Departure), "201"))
		w.seg("LOC", el("87"), el(f.To))
		w.seg("DTM", el("232", date(f.Arrival)+clock(f.Arrival), "201"))
		for _, p := range pax {
			w.seg("NAD", el("FL"), nil, nil, el(p.Surname, p.GivenNames))
			w.seg("ATT", el("2"), nil, el(p.Sex))
			w.seg("DTM", el("329", date(p.BirthDate)))
			if p.Embarkation != "" {
				w.seg("LOC", el("178"), el(p.Embarkation))
			}
			if p.Debarkation != "" {
				w.seg("LOC", el("179"), el(p.Debarkation))
			}
			w.seg("NAT", el("2"), el(p.Nationality))
			if p.Reference != "" {
				w.seg("RFF", el("AVF", p.Reference))
			}
			if hasDocument(p) {
				w.seg("DOC", el(p.DocumentType, "110", "111"), el(p.DocumentNumber))
				if !p.DocumentExpiry.IsZero() {
					w.seg("DTM", el("36", date(p.DocumentExpiry)))
				}
				if p.IssuingState != "" {
					w.seg("LOC", el("91"), el(p.IssuingState))
				}
			}
		}
		w.seg("CNT", el("42", strconv.Itoa(len(pax))))
		w.seg("UNT", el(strconv.Itoa(w.segments-start+1)), el(ref))
	}
	w.seg("UNE", el(strconv.Itoa(parts)), el(group))
	w.seg("UNZ", el("1"), el(m.Reference))
	return w.buf.Bytes(), nil
}

// date formats the date of t as YYMMDD.
func date(t time.Time) string {
	y, m, d := t.Date()
	return fmt.Sprintf("%02d%02d%02d", y%100, m, d)
}

// clock formats the time of day of t as HHMM.
func clock(t time.Time) string {
	return fmt.Sprintf("%02d%02d", t.Hour(), t.Minute())
}

func hasDocument(p Passenger) bool {
	return p.DocumentType != "" || p.DocumentNumber != "" || !p.DocumentExpiry.IsZero() || p.IssuingState != ""
}

// validate returns the first reason m cannot be encoded.
func validate(m Manifest) error {
	if err := validateInterchange(m); err != nil {
		return fmt.Errorf("paxlst: %w", err)
	}
	if err := text("reporting party", m.ReportingParty, 70, false); err != nil {
		return fmt.Errorf("paxlst: %w", err)
	}
	if err := validateFlight(m.Flight, m.Prepared); err != nil {
		return fmt.Errorf("paxlst: %w", err)
	}
	for i, p := range m.Passengers {
		if err := validatePassenger(p, m.Prepared); err != nil {
			return fmt.Errorf("paxlst: passengers[%d]: %w", i, err)
		}
	}
	return nil
}

// validateInterchange checks the fields of UNB.
func validateInterchange(m Manifest) error {
	if err := text("sender", m.Sender, 35, true); err != nil {
		return err
	}
	if err := text("recipient", m.Recipient, 35, true); err != nil {
		return err
	}
	if err := text("reference", m.Reference, 14, true); err != nil {
		return err
	}
	if m.Prepared.IsZero() {
		return errors.New("prepared: missing")
	}
	if y := m.Prepared.Year(); y < 2000 || y > 2099 {
		return fmt.Errorf("prepared: year %d is not in 2000-2099", y)
	}
	return nil
}

func validateFlight(f Flight, prepared time.Time) error {
	for _, c := range []struct {
		name, v string
		max     int
	}{
		{"flight carrier", f.Carrier, 17},
		{"flight number", f.Number, 17},
		{"flight from", f.From, 35},
		{"flight to", f.To, 35},
	} {
		if err := text(c.name, c.v, c.max, true); err != nil {
			return err
		}
	}
	lo := prepared.Year() - 50
	if err := inWindow("flight departure", f.Departure, lo, true); err != nil {
		return err
	}
	return inWindow("flight arrival", f.Arrival, lo, true)
}

func validatePassenger(p Passenger, prepared time.Time) error {
	for _, c := range []struct {
		name, v  string
		max      int
		required bool
	}{
		{"surname", p.Surname, 70, true},
		{"given names", p.GivenNames, 70, false},
		{"embarkation", p.Embarkation, 35, false},
		{"debarkation", p.Debarkation, 35, false},
		{"reference", p.Reference, 35, false},
	} {
		if err := text(c.name, c.v, c.max, c.required); err != nil {
			return err
		}
	}
	switch p.Sex {
	case "M", "F", "X", "U":
	case "":
		return errors.New("sex: missing")
	default:
		return fmt.Errorf("sex %q: want M, F, X or U", p.Sex)
	}
	if err := inWindow("birth date", p.BirthDate, prepared.Year()-99, true); err != nil {
		return err
	}
	by, bm, bd := p.BirthDate.Date()
	py, pm, pd := prepared.Date()
	if time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).After(time.Date(py, pm, pd, 0, 0, 0, 0, time.UTC)) {
		return errors.New("birth date: after the preparation date")
	}
	if err := country("nationality", p.Nationality, true); err != nil {
		return err
	}
	if !hasDocument(p) {
		return nil
	}
	if n := len(p.DocumentType); n < 1 || n > 3 || strings.Trim(p.DocumentType, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return fmt.Errorf("document type %q: want 1-3 letters A-Z or digits", p.DocumentType)
	}
	if err := text("document number", p.DocumentNumber, 35, true); err != nil {
		return err
	}
	if err := inWindow("document expiry", p.DocumentExpiry, prepared.Year()-50, false); err != nil {
		return err
	}
	return country("issuing state", p.IssuingState, false)
}

// unoa is the UNOA (level A) character set.
const unoa = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>"

// text checks a value of at most limit characters from unoa. Its errors do
// not quote the value, which may be personal data.
func text(field, v string, limit int, required bool) error {
	if v == "" {
		if required {
			return fmt.Errorf("%s: missing", field)
		}
		return nil
	}
	if len(v) > limit {
		return fmt.Errorf("%s: %d characters, more than %d", field, len(v), limit)
	}
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(unoa, v[i]) < 0 {
			return fmt.Errorf("%s: character %q at %d is not in UNOA (upper case, digits, space and .,-()/='+:?!\"%%&*;<>)", field, v[i], i+1)
		}
	}
	return nil
}

// country checks an ISO 3166 alpha-3 code.
func country(field, v string, required bool) error {
	if v == "" && !required {
		return nil
	}
	if len(v) != 3 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return fmt.Errorf("%s %q: want three letters A-Z", field, v)
	}
	return nil
}

// inWindow checks that t is set, if required, and that its year is in
// [lo, lo+99], where a two-digit year reads back the same.
func inWindow(field string, t time.Time, lo int, required bool) error {
	if t.IsZero() {
		if required {
			return fmt.Errorf("%s: missing", field)
		}
		return nil
	}
	if y := t.Year(); y < lo || y > lo+99 {
		return fmt.Errorf("%s: year %d is not in %d-%d, where two digits read back", field, y, lo, lo+99)
	}
	return nil
}
