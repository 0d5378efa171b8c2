package paxlst

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrTruncated is wrapped by the *ParseError for input that ends early:
// inside a segment, or before UNZ.
var ErrTruncated = errors.New("truncated")

// A ParseError is why Parse rejected its input.
type ParseError struct {
	Segment int    // 1-based position of the segment, UNA not counted; 0 for UNA itself
	Tag     string // the segment's tag, or the one missing at the end; "" if unreadable
	Err     error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("paxlst: segment %d (%s): %v", e.Segment, e.Tag, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads one interchange of the shape Encode writes, with or without
// UNA and line breaks, and returns its manifest. It is strict: segments in
// the order of the package comment and no others, the counts in CNT, UNT
// and UNE right, references matching, the parts of a split manifest
// numbered in order with the same common access reference and flight, and
// every value valid as Encode requires. Every error is a *ParseError.
//
// Sender and recipient in UNG must be those of UNB. A single message may
// carry part number 01:F; several must be numbered 01, 02, ... with C on
// all but the last, which has F.
func Parse(b []byte) (Manifest, error) {
	segs, err := split(b)
	if err != nil {
		return Manifest{}, err
	}
	p := &parser{segs: segs}
	m, err := p.interchange()
	if err != nil {
		return Manifest{}, err
	}
	return m, nil
}

type parser struct {
	segs []segment
	i    int
	m    Manifest
}

// at reports whether the next segment has tag and, unless qual is "", the
// first component qual.
func (p *parser) at(tag, qual string) bool {
	if p.i >= len(p.segs) {
		return false
	}
	s := p.segs[p.i]
	return s.tag == tag && (qual == "" || s.get(0, 0) == qual)
}

// expect returns the next segment if it has tag and qual, as at does.
func (p *parser) expect(tag, qual string) (segment, error) {
	want := tag
	if qual != "" {
		want += "+" + qual
	}
	if p.i >= len(p.segs) {
		return segment{}, &ParseError{Segment: len(p.segs) + 1, Tag: tag, Err: fmt.Errorf("%w: %s missing", ErrTruncated, want)}
	}
	s := p.segs[p.i]
	if !p.at(tag, qual) {
		got := s.tag
		if q := s.get(0, 0); q != "" && len(q) <= 3 {
			got += "+" + q
		}
		return segment{}, s.errorf("want %s, got %s", want, got)
	}
	p.i++
	return s, nil
}

func (p *parser) interchange() (Manifest, error) {
	m := &p.m
	unb, err := p.expect("UNB", "")
	if err != nil {
		return Manifest{}, err
	}
	if err := unb.fits(2, 1, 1, 2, 1); err != nil {
		return Manifest{}, err
	}
	if unb.get(0, 0) != "UNOA" || unb.get(0, 1) != "4" {
		return Manifest{}, unb.errorf("syntax %.8q:%.8q, want UNOA:4", unb.get(0, 0), unb.get(0, 1))
	}
	m.Sender, m.Recipient, m.Reference = unb.get(1, 0), unb.get(2, 0), unb.get(4, 0)
	if m.Prepared, err = stamp(unb.get(3, 0), unb.get(3, 1)); err != nil {
		return Manifest{}, unb.errorf("preparation date and time: %v", err)
	}
	if err := validateInterchange(*m); err != nil {
		return Manifest{}, unb.wrap(err)
	}

	ung, err := p.expect("UNG", "PAXLST")
	if err != nil {
		return Manifest{}, err
	}
	if err := ung.fits(1, 1, 1, 2, 1, 1, 2); err != nil {
		return Manifest{}, err
	}
	if ung.get(1, 0) != m.Sender || ung.get(2, 0) != m.Recipient {
		return Manifest{}, ung.errorf("sender and recipient differ from UNB's")
	}
	if _, err := stamp(ung.get(3, 0), ung.get(3, 1)); err != nil {
		return Manifest{}, ung.errorf("date and time: %v", err)
	}
	group := ung.get(4, 0)
	if group == "" {
		return Manifest{}, ung.errorf("group reference missing")
	}
	if ung.get(5, 0) != "UN" || ung.get(6, 0) != "D" || ung.get(6, 1) != "05B" {
		return Manifest{}, ung.errorf("want UN D:05B")
	}

	var access string // common access reference of a split manifest
	messages := 0
	for last := false; !last; messages++ {
		unh, err := p.expect("UNH", "")
		if err != nil {
			return Manifest{}, err
		}
		if last, err = p.part(unh, messages, &access); err != nil {
			return Manifest{}, err
		}
		if err := p.message(unh, messages); err != nil {
			return Manifest{}, err
		}
	}

	une, err := p.expect("UNE", "")
	if err != nil {
		return Manifest{}, err
	}
	if err := une.fits(1, 1); err != nil {
		return Manifest{}, err
	}
	if n, ok := number(une.get(0, 0)); !ok || n != messages {
		return Manifest{}, une.errorf("message count %.8q, counted %d", une.get(0, 0), messages)
	}
	if une.get(1, 0) != group {
		return Manifest{}, une.errorf("group reference differs from UNG's")
	}
	unz, err := p.expect("UNZ", "")
	if err != nil {
		return Manifest{}, err
	}
	if err := unz.fits(1, 1); err != nil {
		return Manifest{}, err
	}
	if unz.get(0, 0) != "1" {
		return Manifest{}, unz.errorf("group count %.8q, want 1", unz.get(0, 0))
	}
	if unz.get(1, 0) != m.Reference {
		return Manifest{}, unz.errorf("interchange reference differs from UNB's")
	}
	if p.i < len(p.segs) {
		return Manifest{}, p.segs[p.i].errorf("segment after UNZ")
	}
	return *m, nil
}

// part checks the UNH of message k (0-based) and reports whether it is the
// last. *access is the common access reference of the first part.
func (p *parser) part(unh segment, k int, access *string) (last bool, err error) {
	if err := unh.fits(1, 5, 1, 2); err != nil {
		return false, err
	}
	if unh.get(0, 0) == "" {
		return false, unh.errorf("message reference missing")
	}
	id := unh.els[1:]
	if len(id) == 0 || len(id[0]) < 5 || id[0][0] != "PAXLST" || id[0][1] != "D" || id[0][2] != "05B" || id[0][3] != "UN" || id[0][4] != "IATA" {
		return false, unh.errorf("want message type PAXLST:D:05B:UN:IATA")
	}
	car, seq, cf := unh.get(2, 0), unh.get(3, 0), unh.get(3, 1)
	if car == "" && seq == "" && cf == "" {
		if k > 0 {
			return false, unh.errorf("part %d has no part number", k+1)
		}
		return true, nil // the only message: Parse wants UNE after it
	}
	if car == "" {
		return false, unh.errorf("part number without common access reference")
	}
	if k == 0 {
		*access = car
	} else if car != *access {
		return false, unh.errorf("common access reference differs from part 1's")
	}
	if n, ok := number(seq); !ok || len(seq) > 2 || n != k+1 {
		return false, unh.errorf("part number %.8q, want %02d", seq, k+1)
	}
	switch cf {
	case "C":
		return false, nil
	case "F":
		return true, nil
	}
	return false, unh.errorf("part indicator %.8q, want C or F", cf)
}

// message reads message k from BGM to UNT, its UNH already read.
func (p *parser) message(unh segment, k int) error {
	m := &p.m
	bgm, err := p.expect("BGM", "745")
	if err != nil {
		return err
	}
	if err := bgm.fits(1); err != nil {
		return err
	}
	party := ""
	if p.at("NAD", "MS") {
		nad, _ := p.expect("NAD", "MS")
		if err := nad.fits(1, 0, 0, 1); err != nil {
			return err
		}
		party = nad.get(3, 0)
	}
	tdt, err := p.expect("TDT", "20")
	if err != nil {
		return err
	}
	if err := tdt.fits(1, 1, 0, 0, 1); err != nil {
		return err
	}
	f := Flight{Number: tdt.get(1, 0), Carrier: tdt.get(4, 0)}
	if f.From, err = p.location("125"); err != nil {
		return err
	}
	if f.Departure, err = p.moment("189"); err != nil {
		return err
	}
	if f.To, err = p.location("87"); err != nil {
		return err
	}
	if f.Arrival, err = p.moment("232"); err != nil {
		return err
	}
	if k == 0 {
		m.ReportingParty, m.Flight = party, f
		if err := text("reporting party", party, 70, false); err != nil {
			return tdt.wrap(err)
		}
		if err := validateFlight(f, m.Prepared); err != nil {
			return tdt.wrap(err)
		}
	} else if party != m.ReportingParty || f != m.Flight {
		return tdt.errorf("part %d's flight or reporting party differs from part 1's", k+1)
	}

	count := 0
	for p.at("NAD", "FL") {
		nad, _ := p.expect("NAD", "FL")
		pax, err := p.passenger(nad)
		if err != nil {
			return err
		}
		if err := validatePassenger(pax, m.Prepared); err != nil {
			return nad.wrap(fmt.Errorf("passengers[%d]: %w", len(m.Passengers), err))
		}
		m.Passengers = append(m.Passengers, pax)
		count++
	}

	cnt, err := p.expect("CNT", "42")
	if err != nil {
		return err
	}
	if err := cnt.fits(2); err != nil {
		return err
	}
	if n, ok := number(cnt.get(0, 1)); !ok || n != count {
		return cnt.errorf("passenger count %.8q, counted %d", cnt.get(0, 1), count)
	}
	unt, err := p.expect("UNT", "")
	if err != nil {
		return err
	}
	if err := unt.fits(1, 1); err != nil {
		return err
	}
	if n, ok := number(unt.get(0, 0)); !ok || n != unt.pos-unh.pos+1 {
		return unt.errorf("segment count %.8q, counted %d", unt.get(0, 0), unt.pos-unh.pos+1)
	}
	if unt.get(1, 0) != unh.get(0, 0) {
		return unt.errorf("message reference differs from UNH's")
	}
	return nil
}

// passenger reads one passenger from ATT on, its NAD+FL already read.
func (p *parser) passenger(nad segment) (Passenger, error) {
	if err := nad.fits(1, 0, 0, 2); err != nil {
		return Passenger{}, err
	}
	x := Passenger{Surname: nad.get(3, 0), GivenNames: nad.get(3, 1)}
	att, err := p.expect("ATT", "2")
	if err != nil {
		return Passenger{}, err
	}
	if err := att.fits(1, 0, 1); err != nil {
		return Passenger{}, err
	}
	x.Sex = att.get(2, 0)
	if x.BirthDate, err = p.day("329", p.m.Prepared.Year()-99); err != nil {
		return Passenger{}, err
	}
	if p.at("LOC", "178") {
		if x.Embarkation, err = p.location("178"); err != nil {
			return Passenger{}, err
		}
	}
	if p.at("LOC", "179") {
		if x.Debarkation, err = p.location("179"); err != nil {
			return Passenger{}, err
		}
	}
	nat, err := p.expect("NAT", "2")
	if err != nil {
		return Passenger{}, err
	}
	if err := nat.fits(1, 1); err != nil {
		return Passenger{}, err
	}
	x.Nationality = nat.get(1, 0)
	if p.at("RFF", "AVF") {
		rff, _ := p.expect("RFF", "AVF")
		if err := rff.fits(2); err != nil {
			return Passenger{}, err
		}
		x.Reference = rff.get(0, 1)
	}
	if !p.at("DOC", "") {
		return x, nil
	}
	doc, _ := p.expect("DOC", "")
	if err := doc.fits(3, 1); err != nil {
		return Passenger{}, err
	}
	if doc.get(0, 1) != "110" || doc.get(0, 2) != "111" {
		return Passenger{}, doc.errorf("want code list 110:111")
	}
	x.DocumentType, x.DocumentNumber = doc.get(0, 0), doc.get(1, 0)
	if p.at("DTM", "36") {
		if x.DocumentExpiry, err = p.day("36", p.m.Prepared.Year()-50); err != nil {
			return Passenger{}, err
		}
	}
	if p.at("LOC", "91") {
		if x.IssuingState, err = p.location("91"); err != nil {
			return Passenger{}, err
		}
	}
	return x, nil
}

// location reads LOC+qual+place and returns the place.
func (p *parser) location(qual string) (string, error) {
	loc, err := p.expect("LOC", qual)
	if err != nil {
		return "", err
	}
	if err := loc.fits(1, 1); err != nil {
		return "", err
	}
	return loc.get(1, 0), nil
}

// moment reads DTM+qual:YYMMDDHHMM:201, its year within 50 of the
// preparation date's.
func (p *parser) moment(qual string) (time.Time, error) {
	dtm, err := p.expect("DTM", qual)
	if err != nil {
		return time.Time{}, err
	}
	if err := dtm.fits(3); err != nil {
		return time.Time{}, err
	}
	v := dtm.get(0, 1)
	if dtm.get(0, 2) != "201" || len(v) != 10 {
		return time.Time{}, dtm.errorf("want YYMMDDHHMM in format 201")
	}
	t, err := day(v[:6], p.m.Prepared.Year()-50)
	if err == nil {
		t, err = at(t, v[6:])
	}
	if err != nil {
		return time.Time{}, dtm.wrap(err)
	}
	return t, nil
}

// day reads DTM+qual:YYMMDD, its year in [lo, lo+99].
func (p *parser) day(qual string, lo int) (time.Time, error) {
	dtm, err := p.expect("DTM", qual)
	if err != nil {
		return time.Time{}, err
	}
	if err := dtm.fits(2); err != nil {
		return time.Time{}, err
	}
	t, err := day(dtm.get(0, 1), lo)
	if err != nil {
		return time.Time{}, dtm.wrap(err)
	}
	return t, nil
}

// stamp reads the YYMMDD and HHMM of UNB and UNG, in 2000-2099.
func stamp(d, hm string) (time.Time, error) {
	t, err := day(d, 2000)
	if err != nil {
		return time.Time{}, err
	}
	return at(t, hm)
}

// day reads YYMMDD as a date in UTC, its year the one in [lo, lo+99]
// ending in YY.
func day(s string, lo int) (time.Time, error) {
	if len(s) != 6 {
		return time.Time{}, fmt.Errorf("date %.8q: want YYMMDD", s)
	}
	yy, ok1 := number(s[:2])
	mm, ok2 := number(s[2:4])
	dd, ok3 := number(s[4:])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, fmt.Errorf("date %q: want YYMMDD", s)
	}
	y := lo - lo%100 + yy
	if y < lo {
		y += 100
	}
	t := time.Date(y, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if mm < 1 || mm > 12 || t.Day() != dd || t.Month() != time.Month(mm) {
		return time.Time{}, fmt.Errorf("date %q: no such day", s)
	}
	return t, nil
}

// at returns the date t at HHMM.
func at(t time.Time, hm string) (time.Time, error) {
	h, ok1 := number(hm[:min(2, len(hm))])
	mi, ok2 := number(hm[min(2, len(hm)):])
	if len(hm) != 4 || !ok1 || !ok2 || h > 23 || mi > 59 {
		return time.Time{}, fmt.Errorf("time %.8q: want HHMM", hm)
	}
	return t.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute), nil
}

// number reads 1 to 6 decimal digits.
func number(s string) (int, bool) {
	if len(s) < 1 || len(s) > 6 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
