// Package bcbp encodes and decodes IATA Resolution 792 bar-coded boarding
// passes (BCBP), format M, version 6.
//
// Supported items, with their sizes:
//
//   - mandatory unique: format code 'M' (1), number of legs 1–4 (1),
//     passenger name (20), electronic ticket indicator (1);
//   - mandatory repeated, per leg: operating carrier PNR code (7), from and to
//     airport codes (3 each), operating carrier designator (3), flight
//     number (5: four digits and an optional letter), date of flight
//     (Julian day, 3 digits), compartment code (1), seat number (4),
//     check-in sequence number (5), passenger status (1) and the size of the
//     variable-size field (2 hex digits);
//   - conditional unique, in leg 1: '>' and version number (1 digit), size of
//     the unique block (2 hex), passenger description (1), source of
//     check-in (1), source of boarding pass issuance (1), date of issue
//     (YDDD, 4 digits), document type (1), issuer designator (3), baggage
//     tag licence plate number(s) (13) and the first and second
//     non-consecutive baggage tag licence plate numbers (13 each);
//   - conditional repeated, per leg: size of the block (2 hex), airline
//     numeric code (3), document form/serial number (10), selectee
//     indicator (1), international document verification (1), marketing
//     carrier designator (3), frequent flyer airline designator (3),
//     frequent flyer number (16), ID/AD indicator (1), free baggage
//     allowance (3), fast track (1);
//   - airline individual data after each leg's conditional items;
//   - the security data block: '^', type (1), length (2 hex), data.
//
// Values are held without their trailing space padding: "AC" for "AC ",
// "" for an all-blank item. Encode pads them and computes every size field;
// Decode checks every size field. A conditional block is written up to its
// last non-empty item (or further, see ConditionalItems), as the
// Resolution allows blocks to end early.
package bcbp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxLegs is the largest number of legs in one boarding pass.
const MaxLegs = 4

// ErrInvalid is wrapped by every error Encode and Decode return.
var ErrInvalid = errors.New("bcbp: invalid boarding pass")

// Pass is a bar-coded boarding pass.
type Pass struct {
	Name             string // "SURNAME/GIVEN", at most 20 characters
	ElectronicTicket bool   // electronic ticket indicator 'E' (else ' ')
	Legs             []Leg  // 1..4 legs

	// Version is the version number of the conditional section, 1..9
	// (6 for Resolution 792 version 6). 0 means no conditional items:
	// then every conditional item must be empty.
	Version int

	// Conditional unique items.
	PassengerDescription string // 1
	CheckInSource        string // 1
	IssuanceSource       string // 1
	IssueDate            string // 4, YDDD: last digit of the year and day of the year
	DocumentType         string // 1, 'B' boarding pass, 'I' itinerary receipt
	Issuer               string // 3, airline designator of the boarding pass issuer
	BagTags              string // 13, baggage tag licence plate number(s)
	BagTags2             string // 13, first non-consecutive baggage tag licence plate number
	BagTags3             string // 13, second non-consecutive baggage tag licence plate number
	// ConditionalItems is the number of conditional unique items written,
	// when more than up to the last non-empty one (trailing blank items).
	// Decode sets it only then; it is normally 0.
	ConditionalItems int

	Security *Security // security data block, or nil
}

// Leg is one flight leg of a boarding pass.
type Leg struct {
	PNR               string // 7, operating carrier PNR code
	From              string // 3, from city airport code
	To                string // 3, to city airport code
	Carrier           string // 3, operating carrier designator
	Flight            string // 5, flight number: 4 digits and an optional letter, "0834"
	Date              string // 3, Julian date of flight, "326"
	Compartment       string // 1, compartment code
	Seat              string // 4, seat number, "001A"
	CheckInSequence   string // 5, check-in sequence number, "0025"
	PassengerStatus   string // 1
	AirlineNumeric    string // 3, airline numeric code
	DocumentSerial    string // 10, document form/serial number
	Selectee          string // 1, selectee indicator
	DocVerification   string // 1, international document verification
	MarketingCarrier  string // 3, marketing carrier designator
	FrequentFlyerLine string // 3, frequent flyer airline designator
	FrequentFlyer     string // 16, frequent flyer number
	IDAD              string // 1, ID/AD indicator
	FreeBaggage       string // 3, free baggage allowance, "20K", "2PC"
	FastTrack         string // 1
	// ConditionalItems is the number of conditional repeated items
	// written, when more than up to the last non-empty one. Decode sets
	// it only then; it is normally 0.
	ConditionalItems int
	AirlineData      string // for individual airline use
}

// Security is the security data block.
type Security struct {
	Type string // 1 character
	Data string // at most 255 characters
}

type item struct {
	name  string
	width int
	value *string
}

func (p *Pass) uniqueItems() []item {
	return []item{
		{"passenger description", 1, &p.PassengerDescription},
		{"source of check-in", 1, &p.CheckInSource},
		{"source of boarding pass issuance", 1, &p.IssuanceSource},
		{"date of issue of boarding pass", 4, &p.IssueDate},
		{"document type", 1, &p.DocumentType},
		{"airline designator of boarding pass issuer", 3, &p.Issuer},
		{"baggage tag licence plate number", 13, &p.BagTags},
		{"first non-consecutive baggage tag licence plate number", 13, &p.BagTags2},
		{"second non-consecutive baggage tag licence plate number", 13, &p.BagTags3},
	}
}

func (l *Leg) mandatoryItems() []item {
	return []item{
		{"operating carrier PNR code", 7, &l.PNR},
		{"from city airport code", 3, &l.From},
		{"to city airport code", 3, &l.To},
		{"operating carrier designator", 3, &l.Carrier},
		{"flight number", 5, &l.Flight},
		{"date of flight", 3, &l.Date},
		{"compartment code", 1, &l.Compartment},
		{"seat number", 4, &l.Seat},
		{"check-in sequence number", 5, &l.CheckInSequence},
		{"passenger status", 1, &l.PassengerStatus},
	}
}

func (l *Leg) repeatedItems() []item {
	return []item{
		{"airline numeric code", 3, &l.AirlineNumeric},
		{"document form/serial number", 10, &l.DocumentSerial},
		{"selectee indicator", 1, &l.Selectee},
		{"international document verification", 1, &l.DocVerification},
		{"marketing carrier designator", 3, &l.MarketingCarrier},
		{"frequent flyer airline designator", 3, &l.FrequentFlyerLine},
		{"frequent flyer number", 16, &l.FrequentFlyer},
		{"ID/AD indicator", 1, &l.IDAD},
		{"free baggage allowance", 3, &l.FreeBaggage},
		{"fast track", 1, &l.FastTrack},
	}
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// checkValue checks a value held without padding: printable ASCII, at most
// width characters, no trailing space, and any item-specific format.
func checkValue(name string, width int, v string) error {
	if len(v) > width {
		return fmt.Errorf("%s: %q longer than %d characters", name, v, width)
	}
	if err := printable(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if strings.HasSuffix(v, " ") {
		return fmt.Errorf("%s: %q has trailing spaces", name, v)
	}
	switch name {
	case "flight number":
		if len(v) < 4 || !digits(v[:4]) || len(v) == 5 && !(v[4] >= 'A' && v[4] <= 'Z') {
			return fmt.Errorf("%s: %q is not 4 digits and an optional letter", name, v)
		}
	case "date of flight":
		if len(v) != 3 || !digits(v) {
			return fmt.Errorf("%s: %q is not a 3-digit Julian date", name, v)
		}
	case "date of issue of boarding pass":
		if v != "" && (len(v) != 4 || !digits(v)) {
			return fmt.Errorf("%s: %q is not 4 digits (YDDD)", name, v)
		}
	}
	return nil
}

func printable(s string) error {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return fmt.Errorf("character %q at %d is not printable ASCII", s[i], i)
		}
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func pad(v string, width int) string { return v + strings.Repeat(" ", width-len(v)) }

func hex2(n int) string { return fmt.Sprintf("%02X", n) }

// lastNonEmpty returns the number of items up to the last non-empty one.
func lastNonEmpty(items []item) int {
	n := 0
	for i, it := range items {
		if *it.value != "" {
			n = i + 1
		}
	}
	return n
}

// writeBlock writes n items padded to their widths.
func writeBlock(b *strings.Builder, items []item, n int) {
	for _, it := range items[:n] {
		b.WriteString(pad(*it.value, it.width))
	}
}

// Encode returns the BCBP string of p. Errors wrap ErrInvalid and name the
// item, as in "leg 1 flight number: ...".
func Encode(p Pass) (string, error) {
	if len(p.Legs) < 1 || len(p.Legs) > MaxLegs {
		return "", errorf("number of legs: %d not in 1..%d", len(p.Legs), MaxLegs)
	}
	if err := checkValue("passenger name", 20, p.Name); err != nil {
		return "", errorf("%v", err)
	}
	if p.Version < 0 || p.Version > 9 {
		return "", errorf("version number: %d not in 0..9", p.Version)
	}
	unique := p.uniqueItems()
	nUnique := max(lastNonEmpty(unique), p.ConditionalItems)
	if p.ConditionalItems < 0 || p.ConditionalItems > len(unique) {
		return "", errorf("conditional items: %d not in 0..%d", p.ConditionalItems, len(unique))
	}
	for _, it := range unique {
		if err := checkValue(it.name, it.width, *it.value); err != nil {
			return "", errorf("%v", err)
		}
	}
	if p.Version == 0 && nUnique > 0 {
		return "", errorf("version number: conditional items need a version")
	}

	var b strings.Builder
	b.WriteString("M")
	b.WriteString(strconv.Itoa(len(p.Legs)))
	b.WriteString(pad(p.Name, 20))
	if p.ElectronicTicket {
		b.WriteString("E")
	} else {
		b.WriteString(" ")
	}
	for i := range p.Legs {
		l := &p.Legs[i]
		where := fmt.Sprintf("leg %d", i+1)
		for _, it := range l.mandatoryItems() {
			if err := checkValue(it.name, it.width, *it.value); err != nil {
				return "", errorf("%s %v", where, err)
			}
		}
		rep := l.repeatedItems()
		for _, it := range rep {
			if err := checkValue(it.name, it.width, *it.value); err != nil {
				return "", errorf("%s %v", where, err)
			}
		}
		if err := printable(l.AirlineData); err != nil {
			return "", errorf("%s airline individual data: %v", where, err)
		}
		if l.ConditionalItems < 0 || l.ConditionalItems > len(rep) {
			return "", errorf("%s conditional items: %d not in 0..%d", where, l.ConditionalItems, len(rep))
		}
		nRep := max(lastNonEmpty(rep), l.ConditionalItems)
		if p.Version == 0 && nRep > 0 {
			return "", errorf("%s conditional items: need a version number", where)
		}
		if p.Version == 0 && i == 0 && strings.HasPrefix(l.AirlineData, ">") {
			return "", errorf("%s airline individual data: starts with '>' and no version number", where)
		}

		var v strings.Builder
		if p.Version > 0 {
			if i == 0 {
				v.WriteString(">")
				v.WriteString(strconv.Itoa(p.Version))
				v.WriteString(hex2(blockSize(unique, nUnique)))
				writeBlock(&v, unique, nUnique)
			}
			if nRep > 0 || l.AirlineData != "" {
				v.WriteString(hex2(blockSize(rep, nRep)))
				writeBlock(&v, rep, nRep)
			}
		}
		v.WriteString(l.AirlineData)
		if v.Len() > 0xFF {
			return "", errorf("%s variable-size field: %d characters, more than 255", where, v.Len())
		}
		for _, it := range l.mandatoryItems() {
			b.WriteString(pad(*it.value, it.width))
		}
		b.WriteString(hex2(v.Len()))
		b.WriteString(v.String())
	}
	if s := p.Security; s != nil {
		if len(s.Type) != 1 {
			return "", errorf("type of security data: %q is not one character", s.Type)
		}
		if err := printable(s.Type + s.Data); err != nil {
			return "", errorf("security data: %v", err)
		}
		if len(s.Data) > 0xFF {
			return "", errorf("security data: %d characters, more than 255", len(s.Data))
		}
		b.WriteString("^")
		b.WriteString(s.Type)
		b.WriteString(hex2(len(s.Data)))
		b.WriteString(s.Data)
	}
	return b.String(), nil
}

func blockSize(items []item, n int) int {
	size := 0
	for _, it := range items[:n] {
		size += it.width
	}
	return size
}
