// Package mrz parses the machine-readable zones (MRZ) of travel documents as
// specified in ICAO Doc 9303: TD1 cards (3 lines of 30 characters), TD2
// cards (2 × 36), TD3 passports (2 × 44), and machine-readable visas MRV-A
// (2 × 44) and MRV-B (2 × 36).
//
// Parse reports every field as printed (fillers trimmed) together with the
// result of every check digit; a failed check is not an error, so a
// damaged or forged zone can still be shown and judged by the caller.
// Only malformed input — a wrong line count, a wrong line length, a
// character outside A-Z, 0-9 and '<' — is an error.
package mrz

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Document types, the values of Document.Type.
const (
	TD1  = "TD1"
	TD2  = "TD2"
	TD3  = "TD3"
	MRVA = "MRVA"
	MRVB = "MRVB"
)

// Check names, the keys of Document.Checks.
const (
	CheckNumber    = "document_number"
	CheckBirthDate = "birth_date"
	CheckExpiry    = "expiry_date"
	CheckOptional  = "optional"  // TD3 only
	CheckComposite = "composite" // TD1, TD2 and TD3
)

// A Document is a parsed MRZ. Text fields hold the characters as printed,
// with '<' fillers trimmed; dates are YYMMDD as printed and may hold '<'
// where a part is unknown.
type Document struct {
	Type         string `json:"type"`          // TD1, TD2, TD3, MRVA or MRVB
	Code         string `json:"code"`          // document code, e.g. "P", "I", "ID", "V", "AC"
	IssuingState string `json:"issuing_state"` // e.g. "UTO", "D"
	Surname      string `json:"surname"`       // primary identifier; "" if the zone has none
	GivenNames   string `json:"given_names"`   // secondary identifier, names separated by one space
	// Number is the whole document number, including the characters that
	// overflow into the optional data field of a TD1 or TD2.
	Number      string `json:"document_number"`
	Nationality string `json:"nationality"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"` // "M", "F", "X" for '<', otherwise as printed
	Expiry      string `json:"expiry_date"`
	// Optional is the optional data field (the personal number of a TD3,
	// line 1 of a TD1), without any document number overflow; Optional2
	// is the second optional data field of a TD1.
	Optional  string `json:"optional"`
	Optional2 string `json:"optional2,omitempty"`
	// NameTruncated reports that the name field is filled to its last
	// character, so the name is possibly truncated.
	NameTruncated bool `json:"name_truncated"`
	// Checks holds the result of each check digit the format has, by the
	// Check* names.
	Checks map[string]bool `json:"checks"`
	// Lines are the MRZ lines as parsed: trimmed and upper-cased.
	Lines []string `json:"-"`
}

// Valid reports whether the document has checks and all of them hold.
func (d Document) Valid() bool {
	for _, ok := range d.Checks {
		if !ok {
			return false
		}
	}
	return len(d.Checks) > 0
}

// MarshalJSON encodes d with the keys of its json tags and "valid", the
// result of Valid.
func (d Document) MarshalJSON() ([]byte, error) {
	type plain Document
	return json.Marshal(struct {
		plain
		Valid bool `json:"valid"`
	}{plain(d), d.Valid()})
}

// A SyntaxError reports malformed input. Line and Column are 1-based and
// count within the MRZ: blank lines are not counted and columns are counted
// in characters after the line is trimmed. Either is 0 if it does not apply.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	switch {
	case e.Column > 0:
		return fmt.Sprintf("mrz: line %d, column %d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("mrz: line %d: %s", e.Line, e.Msg)
	}
	return "mrz: " + e.Msg
}

// CheckDigit returns the ICAO 9303 check digit of s, '0' to '9': the sum of
// the values of its characters ('0'-'9' as themselves, 'A'-'Z' as 10-35,
// '<' as 0) weighted 7, 3, 1 repeating, modulo 10. It returns an error if
// s holds any other character.
func CheckDigit(s string) (byte, error) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		v, ok := value(s[i])
		if !ok {
			return 0, fmt.Errorf("mrz: check digit: character %q at %d is not A-Z, 0-9 or <", s[i], i+1)
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), nil
}

func value(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '<':
		return 0, true
	}
	return 0, false
}

// check reports whether c is the check digit of field.
func check(field string, c byte) bool {
	d, err := CheckDigit(field)
	return err == nil && d == c
}

// Parse parses one MRZ of 2 or 3 lines, ended by "\n", "\r\n" or "\r".
// Each line is trimmed of
// surrounding white space and upper-cased; blank lines are ignored. The
// type follows from the shape: 3 × 30 is a TD1; 2 × 36 an MRV-B if the
// document code starts with 'V', else a TD2; 2 × 44 an MRV-A if the code
// starts with 'V', else a TD3. Parse returns a *SyntaxError if the input is
// malformed; check digits that do not match are reported in Checks.
func Parse(text string) (Document, error) {
	lines, err := normalize(text)
	if err != nil {
		return Document{}, err
	}
	l0 := lines[0]
	d := Document{
		Code:         trim(l0[0:2]),
		IssuingState: trim(l0[2:5]),
		Lines:        lines,
		Checks:       map[string]bool{},
	}
	if len(lines) == 3 {
		parseTD1(&d)
		return d, nil
	}
	l1 := lines[1]
	d.setName(l0[5:])
	d.Number = trim(l1[0:9])
	d.Checks[CheckNumber] = check(l1[0:9], l1[9])
	d.Nationality = trim(l1[10:13])
	d.BirthDate = l1[13:19]
	d.Checks[CheckBirthDate] = check(l1[13:19], l1[19])
	d.Sex = sex(l1[20])
	d.Expiry = l1[21:27]
	d.Checks[CheckExpiry] = check(l1[21:27], l1[27])
	visa := l0[0] == 'V'
	switch {
	case len(l1) == 36 && visa:
		d.Type = MRVB
		d.Optional = trim(l1[28:36])
	case len(l1) == 36:
		d.Type = TD2
		d.Optional = trim(l1[28:35])
		if l1[9] == '<' {
			d.overflow(l1[0:9], l1[28:35])
		}
		d.Checks[CheckComposite] = check(l1[0:10]+l1[13:20]+l1[21:35], l1[35])
	case visa:
		d.Type = MRVA
		d.Optional = trim(l1[28:44])
	default:
		d.Type = TD3
		d.Optional = trim(l1[28:42])
		// An empty personal number may have '<' as its check digit.
		d.Checks[CheckOptional] = check(l1[28:42], l1[42]) || l1[42] == '<' && d.Optional == ""
		d.Checks[CheckComposite] = check(l1[0:10]+l1[13:20]+l1[21:43], l1[43])
	}
	return d, nil
}

// ParseAll parses each block of lines of text separated by blank lines as
// one MRZ, in order, as Parse does. It returns the documents of the blocks
// that parse and the errors of those that do not, joined with errors.Join,
// each prefixed with the number of the block's first line in text.
func ParseAll(text string) ([]Document, error) {
	var (
		docs  []Document
		errs  []error
		block strings.Builder
		start int // line number of the block's first line
	)
	flush := func() {
		if block.Len() == 0 {
			return
		}
		d, err := Parse(block.String())
		if err != nil {
			errs = append(errs, fmt.Errorf("block at line %d: %w", start, err))
		} else {
			docs = append(docs, d)
		}
		block.Reset()
	}
	for i, l := range splitLines(text) {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		if block.Len() == 0 {
			start = i + 1
		}
		block.WriteString(l + "\n")
	}
	flush()
	return docs, errors.Join(errs...)
}

func parseTD1(d *Document) {
	l0, l1, l2 := d.Lines[0], d.Lines[1], d.Lines[2]
	d.Type = TD1
	d.Number = trim(l0[5:14])
	d.Checks[CheckNumber] = check(l0[5:14], l0[14])
	d.Optional = trim(l0[15:30])
	if l0[14] == '<' {
		d.overflow(l0[5:14], l0[15:30])
	}
	d.BirthDate = l1[0:6]
	d.Checks[CheckBirthDate] = check(l1[0:6], l1[6])
	d.Sex = sex(l1[7])
	d.Expiry = l1[8:14]
	d.Checks[CheckExpiry] = check(l1[8:14], l1[14])
	d.Nationality = trim(l1[15:18])
	d.Optional2 = trim(l1[18:29])
	d.Checks[CheckComposite] = check(l0[5:30]+l1[0:7]+l1[8:15]+l1[18:29], l1[29])
	d.setName(l2)
}

// overflow handles a TD1 or TD2 document number longer than 9 characters,
// whose check digit position holds '<': the rest of the number and its
// check digit open the optional data field opt, up to its first '<'. The
// check digit covers the whole number. If opt starts with '<' there is no
// overflow and the number check fails.
func (d *Document) overflow(principal, opt string) {
	n := strings.IndexByte(opt, '<')
	if n < 0 {
		n = len(opt)
	}
	if n == 0 {
		return
	}
	d.Number = trim(principal + opt[:n-1])
	d.Checks[CheckNumber] = check(d.Number, opt[n-1])
	d.Optional = trim(opt[n:])
}

// setName splits the name field f at its first "<<" into surname and given
// names; a field starting with "<<" has no surname.
func (d *Document) setName(f string) {
	sur, given, _ := strings.Cut(f, "<<")
	d.Surname, d.GivenNames = words(sur), words(given)
	d.NameTruncated = f[len(f)-1] != '<'
}

// words returns the name part s with its fillers trimmed and each run of
// fillers within it turned into one space.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

func trim(s string) string { return strings.Trim(s, "<") }

func sex(c byte) string {
	if c == '<' {
		return "X"
	}
	return string(c)
}

// splitLines splits text into lines ended by "\n", "\r\n" or "\r" (which
// keyboard-wedge MRZ readers send).
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
}

// normalize returns the non-blank lines of text, trimmed and upper-cased,
// or a *SyntaxError if they are not 3 × 30, 2 × 36 or 2 × 44 characters of
// A-Z, 0-9 and '<'.
func normalize(text string) ([]string, error) {
	var lines []string
	for _, l := range splitLines(text) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if n := len(lines); n != 2 && n != 3 {
		return nil, &SyntaxError{Msg: fmt.Sprintf("got %d lines, want 2 (TD2, TD3, MRV) or 3 (TD1)", n)}
	}
	for i, l := range lines {
		b := make([]byte, 0, len(l))
		col := 0
		for _, r := range l {
			col++
			if r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			if _, ok := value(byte(r)); !ok || r > 0x7f {
				return nil, &SyntaxError{Line: i + 1, Column: col, Msg: fmt.Sprintf("character %q is not A-Z, 0-9 or <", r)}
			}
			b = append(b, byte(r))
		}
		lines[i] = string(b)
	}
	want, shape := 30, "TD1"
	if len(lines) == 2 {
		want, shape = len(lines[0]), "like line 1"
		if want != 36 && want != 44 {
			return nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("%d characters, want 36 (TD2, MRV-B) or 44 (TD3, MRV-A)", want)}
		}
	}
	for i, l := range lines {
		if len(l) != want {
			return nil, &SyntaxError{Line: i + 1, Msg: fmt.Sprintf("%d characters, want %d (%s)", len(l), want, shape)}
		}
	}
	return lines, nil
}
