// Package importer reads the lists embassies keep — CSV or XLSX, one person
// a row — checks every row by the rules a registration is held to, finds
// duplicates, and turns the rows that pass into group registrations. Nothing
// is dropped silently: every row is accepted, already imported, or rejected
// with its reason, and accepted rows may carry flags (a birth date that looks
// like a placeholder, a possible duplicate).
package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Field is a column's meaning.
type Field string

// The fields a row may carry. Surname or given names, nationality and
// category are required; the rest are optional.
const (
	Surname        Field = "surname"
	GivenNames     Field = "given_names"
	BirthDate      Field = "birth_date"
	Sex            Field = "sex"
	Nationality    Field = "nationality"
	Category       Field = "category"
	DocumentType   Field = "document_type"
	DocumentNumber Field = "document_number"
	DocumentExpiry Field = "document_expiry"
	IssuingState   Field = "issuing_state"
	Group          Field = "group" // rows with the same value travel together
)

// Fields lists every field.
var Fields = []Field{Surname, GivenNames, BirthDate, Sex, Nationality, Category, DocumentType, DocumentNumber, DocumentExpiry, IssuingState, Group}

// aliases are the header names a list may use for a field, besides the
// field's own name, compared in lower case with spaces and '-' as '_'.
var aliases = map[string]Field{
	"last_name": Surname, "family_name": Surname, "name": Surname,
	"first_name": GivenNames, "first_names": GivenNames, "given_name": GivenNames, "forenames": GivenNames,
	"dob": BirthDate, "date_of_birth": BirthDate, "birthdate": BirthDate,
	"gender":      Sex,
	"citizenship": Nationality,
	"doc_type":    DocumentType,
	"passport":    DocumentNumber, "passport_number": DocumentNumber, "passport_no": DocumentNumber, "document": DocumentNumber, "doc_number": DocumentNumber,
	"expiry": DocumentExpiry, "passport_expiry": DocumentExpiry, "date_of_expiry": DocumentExpiry,
	"issuing_country": IssuingState,
	"family":          Group, "household": Group, "case": Group, "case_number": Group, "group_id": Group,
}

// Limits on a list.
const (
	MaxRows     = 1_000_000
	MaxCellSize = 1024
)

// Table is a list as read: its header and its rows, each with the line (CSV)
// or row (XLSX) it came from, counting the header as 1.
type Table struct {
	Header  []string
	Columns map[Field]int // the column of each field present
	Rows    []Row
	// MonthFirst reads dates written with slashes or dots month first
	// (02/13/1984), as US lists do; by default they are day first.
	MonthFirst bool
}

// Row is one person's line.
type Row struct {
	Line  int
	Cells []string
}

// Value returns the row's trimmed value of field, "" if absent.
func (t *Table) Value(r Row, f Field) string {
	i, ok := t.Columns[f]
	if !ok || i >= len(r.Cells) {
		return ""
	}
	return strings.TrimSpace(r.Cells[i])
}

// ParseMapping reads "column=field" pairs (--map): a header name of the list
// and the field it holds.
func ParseMapping(pairs []string) (map[string]Field, error) {
	m := map[string]Field{}
	for _, p := range pairs {
		col, f, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(col) == "" {
			return nil, fmt.Errorf("--map %q: give COLUMN=FIELD", p)
		}
		field := Field(strings.TrimSpace(f))
		if !known(field) {
			return nil, fmt.Errorf("--map %q: %q is not a field; the fields are %s", p, f, fieldList())
		}
		m[headerKey(col)] = field
	}
	return m, nil
}

func known(f Field) bool {
	for _, k := range Fields {
		if k == f {
			return true
		}
	}
	return false
}

func fieldList() string {
	names := make([]string, len(Fields))
	for i, f := range Fields {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

func headerKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_", ".", "").Replace(h)
}

// columns maps a header to fields: mapping first, then field names, then
// aliases. Two columns for one field, or none for the required ones, is an
// error naming them.
func columns(header []string, mapping map[string]Field) (map[Field]int, error) {
	cols := map[Field]int{}
	for i, h := range header {
		key := headerKey(h)
		f, ok := mapping[key]
		if !ok && known(Field(key)) {
			f, ok = Field(key), true
		}
		if !ok {
			f, ok = aliases[key]
		}
		if !ok {
			continue // a column the import does not use
		}
		if j, dup := cols[f]; dup {
			return nil, fmt.Errorf("columns %d (%q) and %d (%q) both hold %s; map one away with --map", j+1, header[j], i+1, h, f)
		}
		cols[f] = i
	}
	_, s := cols[Surname]
	_, g := cols[GivenNames]
	if !s && !g {
		return nil, fmt.Errorf("no column holds surname or given_names (header %q); name them, or use --map COLUMN=surname", header)
	}
	for _, f := range []Field{Nationality, Category} {
		if _, ok := cols[f]; !ok {
			return nil, fmt.Errorf("no column holds %s (header %q); add it, or use --map COLUMN=%s", f, header, f)
		}
	}
	return cols, nil
}

// maxListBytes bounds the lists ReadCSV takes whole into memory.
const maxListBytes = 1 << 30

// separator is the one of comma, semicolon and tab that the header line
// uses most outside quoted names; a comma on a tie.
func separator(header []byte) rune {
	var n [3]int
	quoted := false
	for _, c := range header {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			n[0]++
		case c == ';':
			n[1]++
		case c == '\t':
			n[2]++
		}
	}
	best := 0
	for i := range n {
		if n[i] > n[best] {
			best = i
		}
	}
	return []rune{',', ';', '\t'}[best]
}

// ReadCSV reads a CSV list (comma, semicolon or tab separated, as the
// header shows) whose first line is its header.
func ReadCSV(r io.Reader, mapping map[string]Field) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxListBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxListBytes {
		return nil, fmt.Errorf("the file is larger than %d MiB: split the list", maxListBytes>>20)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8 text: save it as CSV UTF-8")
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // the byte-order mark spreadsheets write
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = separator(first)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: it needs a header line")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	t := &Table{Header: header}
	if t.Columns, err = columns(header, mapping); err != nil {
		return nil, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // csv.ParseError names the line and column
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(t.Rows) == MaxRows {
			return nil, fmt.Errorf("more than %d rows: split the list", MaxRows)
		}
		t.Rows = append(t.Rows, Row{Line: line, Cells: rec})
	}
	return t, t.checkCells()
}

// ReadXLSX reads the first sheet of an XLSX workbook whose first row is its
// header.
func ReadXLSX(r io.Reader, mapping map[string]Field) (*Table, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheets[0], err)
	}
	defer rows.Close()
	t := &Table{}
	n := 0
	for rows.Next() {
		n++
		// Raw values: a date cell gives its serial number, which Build reads
		// as a date, not its display in whatever format the sheet has.
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q row %d: %w", sheets[0], n, err)
		}
		if t.Header == nil {
			if blank(cells) {
				continue
			}
			t.Header = cells
			if t.Columns, err = columns(cells, mapping); err != nil {
				return nil, err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		if len(t.Rows) == MaxRows {
			return nil, fmt.Errorf("more than %d rows: split the list", MaxRows)
		}
		t.Rows = append(t.Rows, Row{Line: n, Cells: cells})
	}
	if t.Header == nil {
		return nil, fmt.Errorf("sheet %q is empty: it needs a header row", sheets[0])
	}
	if err := fillMerged(f, sheets[0], t); err != nil {
		return nil, err
	}
	return t, t.checkCells()
}

// fillMerged gives every cell of a merged range the range's value: a family
// whose case number spans its rows is one family.
func fillMerged(f *excelize.File, sheet string, t *Table) error {
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		return fmt.Errorf("sheet %q: merged cells: %w", sheet, err)
	}
	byLine := make(map[int]int, len(t.Rows))
	for i, r := range t.Rows {
		byLine[r.Line] = i
	}
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		v := m.GetCellValue()
		for line := r1; line <= r2; line++ {
			i, ok := byLine[line]
			if !ok {
				continue
			}
			for col := c1; col <= c2; col++ {
				cells := t.Rows[i].Cells
				for len(cells) < col {
					cells = append(cells, "")
				}
				if cells[col-1] == "" {
					cells[col-1] = v
				}
				t.Rows[i].Cells = cells
			}
		}
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (t *Table) checkCells() error {
	for _, r := range t.Rows {
		for i, c := range r.Cells {
			if len(c) > MaxCellSize {
				return fmt.Errorf("line %d, column %d: a cell of %d bytes; at most %d", r.Line, i+1, len(c), MaxCellSize)
			}
		}
	}
	return nil
}
