package paxlst

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// twoPassengers is a small flight: one passenger with every field, one
// with only the required ones and no document.
func twoPassengers() Manifest {
	return Manifest{
		Sender:         "AIRBRIDGE",
		Recipient:      "DEUBPOLAPI",
		Reference:      "KBL0824001",
		Prepared:       utc(2021, 8, 24, 9, 15),
		ReportingParty: "AIR CELL KABUL",
		Flight: Flight{
			Carrier:   "GAF",
			Number:    "GAF1110",
			From:      "KBL",
			To:        "TAS",
			Departure: utc(2021, 8, 24, 10, 5),
			Arrival:   utc(2021, 8, 24, 11, 40),
		},
		Passengers: []Passenger{
			{
				Surname: "AHMADI", GivenNames: "NAZIA GUL", Sex: "F",
				BirthDate: utc(1988, 1, 1, 0, 0), Nationality: "AFG",
				Embarkation: "KBL", Debarkation: "TAS", Reference: "ABI7K2",
				DocumentType: "P", DocumentNumber: "P01234567",
				DocumentExpiry: utc(2026, 3, 31, 0, 0), IssuingState: "AFG",
			},
			{
				Surname: "O'BRIEN", Sex: "M",
				BirthDate: utc(2019, 12, 30, 0, 0), Nationality: "IRL",
			},
		},
	}
}

func TestGolden(t *testing.T) {
	got, err := Encode(twoPassengers(), Options{LineBreaks: true})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "two-passengers.edi")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Encode differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
	m, err := Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, twoPassengers()) {
		t.Errorf("Parse(%s) = %+v, want %+v", path, m, twoPassengers())
	}
	// Other delimiters, announced in UNA, read the same.
	other := strings.NewReplacer("UNA:+.? '", "UNA*|.! ~", "?'", "'", "'", "~", "+", "|", ":", "*").Replace(string(want))
	m, err = Parse([]byte(other))
	if err != nil || !reflect.DeepEqual(m, twoPassengers()) {
		t.Errorf("Parse(%s) = %+v, %v", other, m, err)
	}
	// Without line breaks and without UNA it reads the same.
	plain := bytes.ReplaceAll(want, []byte("\n"), nil)
	m, err = Parse(bytes.TrimPrefix(plain, []byte(una)))
	if err != nil || !reflect.DeepEqual(m, twoPassengers()) {
		t.Errorf("Parse(no UNA, one line) = %+v, %v", m, err)
	}
}

// segmentsOf splits an interchange with the standard delimiters into its
// raw segments, UNA and line breaks dropped, independently of the package.
func segmentsOf(t *testing.T, b []byte) []string {
	t.Helper()
	s := strings.TrimPrefix(string(b), "UNA:+.? '")
	var segs []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '?':
			cur.WriteByte(s[i])
			i++
			cur.WriteByte(s[i])
		case '\'':
			segs = append(segs, strings.TrimLeft(cur.String(), "\n"))
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		t.Fatalf("unterminated tail %q", cur.String())
	}
	return segs
}

// part is what an independent count finds in one UNH..UNT message.
type part struct {
	unh        string // the UNH segment
	segments   int    // counted from UNH to UNT inclusive
	untCount   int    // the count UNT states
	passengers int    // NAD+FL segments counted
	cntCount   int    // the count CNT+42 states
}

func partsOf(t *testing.T, b []byte) []part {
	t.Helper()
	var parts []part
	var cur *part
	for _, s := range segmentsOf(t, b) {
		f := strings.Split(s, "+")
		switch {
		case f[0] == "UNH":
			parts = append(parts, part{unh: s})
			cur = &parts[len(parts)-1]
		case cur == nil:
			continue
		}
		cur.segments++
		switch {
		case strings.HasPrefix(s, "NAD+FL+"):
			cur.passengers++
		case strings.HasPrefix(s, "CNT+42:"):
			cur.cntCount, _ = strconv.Atoi(strings.TrimPrefix(s, "CNT+42:"))
		case f[0] == "UNT":
			cur.untCount, _ = strconv.Atoi(f[1])
			cur = nil
		}
	}
	return parts
}

func TestCounts(t *testing.T) {
	b, err := Encode(twoPassengers(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	parts := partsOf(t, b)
	if len(parts) != 1 {
		t.Fatalf("%d messages, want 1", len(parts))
	}
	p := parts[0]
	// UNH BGM NAD TDT LOC DTM LOC DTM, 10 + 4 passenger segments, CNT UNT.
	if p.segments != 24 || p.untCount != 24 {
		t.Errorf("segments: counted %d, UNT says %d, want 24", p.segments, p.untCount)
	}
	if p.passengers != 2 || p.cntCount != 2 {
		t.Errorf("passengers: counted %d, CNT says %d, want 2", p.passengers, p.cntCount)
	}
	if p.unh != "UNH+1+PAXLST:D:05B:UN:IATA" {
		t.Errorf("single message UNH = %q", p.unh)
	}
}

func TestEscaping(t *testing.T) {
	m := twoPassengers()
	m.Passengers[1].GivenNames = "A+B:C?D'E"
	m.Sender = "AIR+BRIDGE:1"
	b, err := Encode(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"NAD+FL+++O?'BRIEN:A?+B?:C??D?'E'",
		"UNB+UNOA:4+AIR?+BRIDGE?:1+",
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("encoding lacks %q:\n%s", want, b)
		}
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Parse(Encode(m)) = %+v, want %+v", got, m)
	}
}

// crowd returns a manifest of n passengers with times that need
// normalizing: local zones and seconds.
func crowd(n int) Manifest {
	kabul := time.FixedZone("AFT", 4*3600+1800)
	m := twoPassengers()
	m.Prepared = time.Date(2021, 8, 15, 20, 1, 42, 0, kabul)
	m.Flight.Number, m.Flight.Carrier, m.Flight.To = "RCH871", "RCH", "UDD"
	m.Flight.Departure = time.Date(2021, 8, 15, 21, 30, 17, 0, kabul)
	m.Passengers = nil
	for i := range n {
		p := Passenger{
			Surname:     fmt.Sprintf("PERSON %d", i),
			GivenNames:  "ALI",
			Sex:         []string{"M", "F", "X", "U"}[i%4],
			BirthDate:   time.Date(1922+i%100, time.Month(1+i%12), 1+i%28, 13, 0, 0, 0, kabul),
			Nationality: "AFG",
		}
		if i%3 != 0 {
			p.DocumentType, p.DocumentNumber = "P", fmt.Sprintf("X%07d", i)
			p.DocumentExpiry = utc(2020+i%10, 6, 30, 0, 0)
		}
		m.Passengers = append(m.Passengers, p)
	}
	return m
}

// normalize returns m at the precision of the format: wall clock to the
// minute in UTC, dates at midnight.
func normalize(m Manifest) Manifest {
	minute := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	}
	day := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	m.Prepared = minute(m.Prepared)
	m.Flight.Departure, m.Flight.Arrival = minute(m.Flight.Departure), minute(m.Flight.Arrival)
	m.Passengers = append([]Passenger(nil), m.Passengers...)
	for i := range m.Passengers {
		p := &m.Passengers[i]
		p.BirthDate, p.DocumentExpiry = day(p.BirthDate), day(p.DocumentExpiry)
	}
	return m
}

func TestSplit(t *testing.T) {
	m := crowd(250)
	b, err := Encode(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	parts := partsOf(t, b)
	wantPax := []int{99, 99, 52}
	if len(parts) != len(wantPax) {
		t.Fatalf("%d messages, want %d", len(parts), len(wantPax))
	}
	for i, p := range parts {
		wantUNH := fmt.Sprintf("UNH+%d+PAXLST:D:05B:UN:IATA+KBL0824001+%02d:C", i+1, i+1)
		if i == len(parts)-1 {
			wantUNH = strings.TrimSuffix(wantUNH, "C") + "F"
		}
		if p.unh != wantUNH {
			t.Errorf("part %d: %q, want %q", i+1, p.unh, wantUNH)
		}
		if p.passengers != wantPax[i] || p.cntCount != wantPax[i] {
			t.Errorf("part %d: counted %d passengers, CNT says %d, want %d", i+1, p.passengers, p.cntCount, wantPax[i])
		}
		if p.untCount != p.segments {
			t.Errorf("part %d: counted %d segments, UNT says %d", i+1, p.segments, p.untCount)
		}
	}
	if !bytes.Contains(b, []byte("UNE+3+1'")) {
		t.Errorf("UNE does not count 3 messages")
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := normalize(m); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(Encode(m)) differs from m at the format's precision")
	}

	// Other sizes: the parts hold what they should.
	for _, c := range []struct{ n, per, parts int }{{0, 0, 1}, {1, 1, 1}, {2, 1, 2}, {10, 5, 2}, {11, 5, 3}} {
		m := crowd(c.n)
		b, err := Encode(m, Options{MaxPassengers: c.per})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(partsOf(t, b)); got != c.parts {
			t.Errorf("%d passengers, %d per message: %d parts, want %d", c.n, c.per, got, c.parts)
		}
		got, err := Parse(b)
		if err != nil {
			t.Fatalf("%d passengers, %d per message: %v", c.n, c.per, err)
		}
		if !reflect.DeepEqual(got, normalize(m)) {
			t.Errorf("%d passengers, %d per message: round trip differs", c.n, c.per)
		}
	}
	if _, err := Encode(crowd(100), Options{MaxPassengers: 1}); err == nil {
		t.Errorf("Encode of 100 messages: no error")
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Manifest)
		want   string
	}{
		{"lower case", func(m *Manifest) { m.Passengers[1].Surname = "O'Brien" }, "passengers[1]: surname: character 'r' at 4"},
		{"no surname", func(m *Manifest) { m.Passengers[0].Surname = "" }, "passengers[0]: surname: missing"},
		{"sex", func(m *Manifest) { m.Passengers[1].Sex = "W" }, `passengers[1]: sex "W"`},
		{"nationality", func(m *Manifest) { m.Passengers[0].Nationality = "AF" }, `passengers[0]: nationality "AF"`},
		{"birth", func(m *Manifest) { m.Passengers[1].BirthDate = time.Time{} }, "passengers[1]: birth date: missing"},
		{"too old", func(m *Manifest) { m.Passengers[1].BirthDate = utc(1921, 1, 1, 0, 0) }, "passengers[1]: birth date: year 1921"},
		{"unborn", func(m *Manifest) { m.Passengers[1].BirthDate = utc(2021, 8, 25, 0, 0) }, "passengers[1]: birth date: after"},
		{"document", func(m *Manifest) { m.Passengers[1].IssuingState = "IRL" }, "passengers[1]: document type"},
		{"document number", func(m *Manifest) { m.Passengers[0].DocumentNumber = "" }, "passengers[0]: document number: missing"},
		{"long name", func(m *Manifest) { m.Passengers[0].GivenNames = strings.Repeat("A", 71) }, "passengers[0]: given names: 71 characters"},
		{"reference", func(m *Manifest) { m.Reference = "123456789012345" }, "reference: 15 characters"},
		{"prepared", func(m *Manifest) { m.Prepared = utc(1999, 12, 31, 0, 0) }, "prepared: year 1999"},
		{"departure", func(m *Manifest) { m.Flight.Departure = time.Time{} }, "flight departure: missing"},
		{"carrier", func(m *Manifest) { m.Flight.Carrier = "" }, "flight carrier: missing"},
	} {
		m := twoPassengers()
		c.change(&m)
		_, err := Encode(m, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Encode error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	good, err := Encode(twoPassengers(), Options{LineBreaks: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n") // lines[0] is UNA, lines[i] segment i
	edit := func(f func(l []string) []string) []byte {
		l := f(append([]string(nil), lines...))
		return []byte(strings.Join(l, "\n"))
	}
	find := func(prefix string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return i
			}
		}
		t.Fatalf("no %s", prefix)
		return 0
	}
	unt, cnt, att, tdt := find("UNT+"), find("CNT+"), find("ATT+"), find("TDT+")
	for _, c := range []struct {
		name    string
		in      []byte
		segment int
		tag     string
		want    string
	}{
		{"UNT count", edit(func(l []string) []string { l[unt] = "UNT+25+1'"; return l }), unt, "UNT", "segment count \"25\", counted 24"},
		{"UNT reference", edit(func(l []string) []string { l[unt] = "UNT+24+2'"; return l }), unt, "UNT", "message reference"},
		{"CNT", edit(func(l []string) []string { l[cnt] = "CNT+42:3'"; return l }), cnt, "CNT", "passenger count \"3\", counted 2"},
		{"order", edit(func(l []string) []string { l[att], l[att+1] = l[att+1], l[att]; return l }), att, "DTM", "want ATT+2, got DTM+329"},
		{"unknown segment", edit(func(l []string) []string { l[att] = "FTX+AAI+++HELLO'"; return l }), att, "FTX", "want ATT+2, got FTX"},
		{"missing TDT", edit(func(l []string) []string { return append(l[:tdt:tdt], l[tdt+1:]...) }), tdt, "LOC", "want TDT+20, got LOC+125"},
		{"after UNZ", append(good[:len(good):len(good)], "UNB'"...), len(lines), "UNB", "segment after UNZ"},
		{"bad date", edit(func(l []string) []string { l[att+1] = "DTM+329:880230'"; return l }), att + 1, "DTM", "no such day"},
		{"bad value", edit(func(l []string) []string { l[att] = "ATT+2++Q'"; return l }), att - 1, "NAD", `passengers[0]: sex "Q"`},
		{"tag", edit(func(l []string) []string { l[2] = "Ung+PAXLST'"; return l }), 2, "", "segment tag"},
	} {
		_, err := Parse(c.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Parse error %v, want a *ParseError", c.name, err)
			continue
		}
		if pe.Segment != c.segment || pe.Tag != c.tag || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Parse error %q, want segment %d (%s) and %q", c.name, err, c.segment, c.tag, c.want)
		}
	}
}

func TestParseTruncated(t *testing.T) {
	b, err := Encode(crowd(5), Options{MaxPassengers: 2, LineBreaks: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(b) {
		if b[i-min(i, 1)] == '\'' && b[i] == '\n' {
			continue // only a line break missing: this prefix is whole
		}
		_, err := Parse(b[:i])
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("Parse(first %d bytes) = %v, want ErrTruncated", i, err)
		}
	}
}
