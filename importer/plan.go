package importer

import (
	"cmp"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"airbridge"
	"airbridge/csvsafe"
	"airbridge/translit"
)

// Known is what the rows are checked against: the persons already
// registered. KnownFrom copies it out of a state cheaply; the indexes are
// built by Build, away from the state.
type Known struct {
	Documents map[string]string // normalised document number → person id
	persons   []knownPerson
	members   map[string]int // group id → members
	nation    string

	ids   map[string]string // person id → its NameKey
	names map[string]string // NameKey of the nation's persons → a person id
}

type knownPerson struct{ id, nation, surname, given, birth string }

// KnownFrom copies from s what Build checks rows for nation against.
func KnownFrom(s *airbridge.State, nation string) Known {
	k := Known{Documents: make(map[string]string, len(s.Documents)), persons: make([]knownPerson, 0, len(s.Persons)), nation: nation}
	for id, p := range s.Persons {
		k.persons = append(k.persons, knownPerson{id, p.Nation, p.Surname, p.GivenNames, p.BirthDate})
	}
	for doc, id := range s.Documents {
		k.Documents[doc] = id
	}
	k.members = make(map[string]int, len(s.Groups))
	for id, g := range s.Groups {
		k.members[id] = len(g.Members)
	}
	return k
}

func (k *Known) index() {
	if k.ids != nil {
		return
	}
	k.ids, k.names = make(map[string]string, len(k.persons)), map[string]string{}
	for _, p := range k.persons {
		key := NameKey(p.surname, p.given, p.birth)
		k.ids[p.id] = key
		if p.nation == k.nation && p.birth != "" {
			k.names[key] = p.id
		}
	}
}

// Outcomes of a row.
const (
	Accepted = "accepted"
	Existing = "existing" // imported before: nothing to add
	Rejected = "rejected"
)

// Result is what became of one row. Reasons and flags never repeat a value
// of the row's: reports are shared.
type Result struct {
	Line     int      `json:"line"`
	Outcome  string   `json:"outcome"`
	PersonID string   `json:"person_id,omitempty"`
	GroupID  string   `json:"group_id,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Flags    []string `json:"flags,omitempty"`
}

// Report counts the rows by outcome, with every row's result in line order.
type Report struct {
	Rows     int      `json:"rows"`
	Accepted int      `json:"accepted"`
	Existing int      `json:"existing"`
	Rejected int      `json:"rejected"`
	Flagged  int      `json:"flagged"`
	Results  []Result `json:"results"`
}

// Plan is an import ready to submit: the registrations of the accepted
// rows, grouped, and the report.
type Plan struct {
	Groups []airbridge.GroupInput
	Report Report
}

// Build checks every row of t for nation under policy at now against known
// and the other rows, and groups the accepted ones: rows with the same
// group value form one group, a row without one is a group of its own. Ids
// are derived from the nation and the document number (or, without one,
// the name, birth date and group), so that importing the same list again
// finds its persons already there and adds nothing.
func Build(t *Table, nation string, policy airbridge.Policy, known Known, now time.Time) *Plan {
	p := &Plan{}
	p.Report.Rows = len(t.Rows)
	known.index()
	docLine := map[string]int{}
	nameLine := map[string]int{}
	acceptedLine := map[string]int{} // person id → line
	firstOf := map[string]string{}   // group value → its first person's id
	groups := map[string]*airbridge.GroupInput{}
	var order []string
	rows := readRows(t, nation, policy, now)
	for i, r := range t.Rows {
		res := Result{Line: r.Line}
		in, group, flags, err, nameKey := rows[i].in, rows[i].group, rows[i].flags, rows[i].err, rows[i].nameKey
		switch {
		case err != nil:
			res.Outcome, res.Reason = Rejected, err.Error()
		default:
			res.PersonID = rows[i].id
			first, ok := firstOf[group]
			if !ok || group == "" {
				first = res.PersonID
				firstOf[group] = first
			}
			res.GroupID = groupID(nation, group, first)
			res.Flags = flags
			var doc string
			if len(in.Documents) > 0 {
				doc = in.Documents[0].Number
			}
			switch {
			case known.ids[res.PersonID] != "" && known.ids[res.PersonID] == nameKey:
				res.Outcome, res.Reason = Existing, "imported before"
			case doc != "" && docLine[doc] != 0:
				res.Outcome, res.Reason = Rejected, fmt.Sprintf("document_number: also on line %d", docLine[doc])
			case doc != "" && known.Documents[doc] != "":
				res.Outcome, res.Reason = Rejected, "document_number: already registered to another person"
			case acceptedLine[res.PersonID] != 0:
				res.Outcome, res.Reason = Rejected, fmt.Sprintf("the same person as line %d (name, birth date and group, no document)", acceptedLine[res.PersonID])
			default:
				res.Outcome = Accepted
				acceptedLine[res.PersonID] = r.Line
				if doc != "" {
					docLine[doc] = r.Line
				}
				if in.BirthDate != "" {
					key := nameKey
					if l, ok := nameLine[key]; ok {
						res.Flags = append(res.Flags, fmt.Sprintf("possible duplicate: the same name and birth date as line %d", l))
					} else if id, ok := known.names[key]; ok {
						res.Flags = append(res.Flags, fmt.Sprintf("possible duplicate: the same name and birth date as person %s", id))
					}
					if _, ok := nameLine[key]; !ok {
						nameLine[key] = r.Line
					}
				}
				in.ID = res.PersonID
				g, ok := groups[res.GroupID]
				if !ok {
					g = &airbridge.GroupInput{ID: res.GroupID, Nation: nation}
					groups[res.GroupID] = g
					order = append(order, res.GroupID)
				}
				g.Persons = append(g.Persons, in)
			}
		}
		p.Report.Results = append(p.Report.Results, res)
	}
	for _, id := range order {
		p.Groups = append(p.Groups, *groups[id])
	}
	for _, g := range slices.Clone(p.Groups) {
		if n := len(g.Persons) + known.members[g.ID]; n > airbridge.MaxGroupSize {
			p.Reject(g.ID, fmt.Sprintf("group: %d persons; a group is at most %d, give larger parties several group values", n, airbridge.MaxGroupSize))
		}
	}
	p.count()
	return p
}

// parsedRow is what Build needs of one row on its own, before it is compared
// with the others.
type parsedRow struct {
	in      airbridge.PersonInput
	group   string
	flags   []string
	err     error
	id      string // personID, if err is nil
	nameKey string // NameKey, if err is nil
}

// minRowsPerWorker is the least number of rows worth a goroutine of its own.
const minRowsPerWorker = 2048

// readRows checks and keys every row of t on its own, on every core.
func readRows(t *Table, nation string, policy airbridge.Policy, now time.Time) []parsedRow {
	rows := make([]parsedRow, len(t.Rows))
	parse := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := &rows[i]
			r.in, r.group, r.flags, r.err = person(t, t.Rows[i], policy, now)
			if r.err == nil {
				r.id = personID(nation, r.in, r.group)
				r.nameKey = NameKey(r.in.Surname, r.in.GivenNames, r.in.BirthDate)
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(rows)/minRowsPerWorker)
	if workers <= 1 {
		parse(0, len(rows))
		return rows
	}
	chunk := (len(rows) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { parse(w*chunk, min(len(rows), (w+1)*chunk)) })
	}
	wg.Wait()
	return rows
}

func (p *Plan) count() {
	r := &p.Report
	r.Accepted, r.Existing, r.Rejected, r.Flagged = 0, 0, 0, 0
	for _, res := range r.Results {
		switch res.Outcome {
		case Accepted:
			r.Accepted++
		case Existing:
			r.Existing++
		case Rejected:
			r.Rejected++
		}
		if len(res.Flags) > 0 && res.Outcome != Rejected {
			r.Flagged++
		}
	}
}

// Reject turns the accepted rows of group into rejections with reason (say,
// a rule the store refused the group on) and drops the group from the
// plan.
func (p *Plan) Reject(groupID, reason string) {
	p.Groups = slices.DeleteFunc(p.Groups, func(g airbridge.GroupInput) bool { return g.ID == groupID })
	for i := range p.Report.Results {
		if res := &p.Report.Results[i]; res.GroupID == groupID && res.Outcome == Accepted {
			res.Outcome, res.Reason = Rejected, reason
		}
	}
	p.count()
}

// Persons counts the persons the plan registers.
func (p *Plan) Persons() int {
	n := 0
	for _, g := range p.Groups {
		n += len(g.Persons)
	}
	return n
}

// person reads one row into a registration, checked as the domain checks
// it; its group value; and its flags.
func person(t *Table, r Row, policy airbridge.Policy, now time.Time) (airbridge.PersonInput, string, []string, error) {
	v := func(f Field) string { return t.Value(r, f) }
	in := airbridge.PersonInput{
		Surname: v(Surname), GivenNames: v(GivenNames),
		Nationality: strings.ToUpper(v(Nationality)), Category: strings.ToLower(strings.ReplaceAll(v(Category), " ", "_")),
	}
	var flags []string
	var err error
	if in.BirthDate, err = date(v(BirthDate), t.MonthFirst); err != nil {
		return in, "", nil, fmt.Errorf("birth_date: %w", err)
	}
	if strings.HasSuffix(in.BirthDate, "-01-01") {
		flags = append(flags, "birth date 1 January: often a placeholder for an unknown date")
	}
	switch s := strings.ToUpper(v(Sex)); s {
	case "", "F", "M", "X":
		in.Sex = s
	case "FEMALE", "W":
		in.Sex = "F"
	case "MALE":
		in.Sex = "M"
	default:
		return in, "", nil, fmt.Errorf("sex: must be F, M or X")
	}
	if number := v(DocumentNumber); number != "" {
		d := airbridge.Document{Number: number, IssuingState: strings.ToUpper(v(IssuingState))}
		switch typ := strings.ToLower(strings.ReplaceAll(v(DocumentType), " ", "_")); typ {
		case "", "p", "passport":
			d.Type = "passport"
		case "i", "id", "id_card", "identity_card":
			d.Type = "id_card"
		case "v", "visa":
			d.Type = "visa"
		default:
			d.Type = typ // the domain names the types it takes
		}
		if d.Expiry, err = date(v(DocumentExpiry), t.MonthFirst); err != nil {
			return in, "", nil, fmt.Errorf("document_expiry: %w", err)
		}
		if d.Expiry != "" && d.Expiry < now.Format(time.DateOnly) {
			flags = append(flags, "the document has expired")
		}
		in.Documents = []airbridge.Document{d}
	}
	checked, err := in.Check(policy, now)
	if err != nil {
		return in, "", nil, fmt.Errorf("%s", fieldName(airbridge.ErrorMessage(err)))
	}
	return checked, v(Group), flags, nil
}

// fieldName turns the domain's field names for one person into the
// import's columns: "documents[0].number" is document_number.
func fieldName(msg string) string {
	return strings.NewReplacer("documents[0].number", "document_number", "documents[0].type", "document_type",
		"documents[0].expiry", "document_expiry", "documents[0].issuing_state", "issuing_state").Replace(msg)
}

var (
	dayFirst   = []string{time.DateOnly, "02.01.2006", "02/01/2006", "20060102", "2006/01/02", "2.1.2006", "2/1/2006"}
	monthFirst = []string{time.DateOnly, "01.02.2006", "01/02/2006", "20060102", "2006/01/02", "1.2.2006", "1/2/2006"}
)

// date reads a date as lists write it — 2006-01-02, 02.01.2006,
// 02/01/2006 (day first, or month first if asked), 20060102, or a
// spreadsheet's serial number — into YYYY-MM-DD; "" stays "".
func date(s string, mdy bool) (string, error) {
	if s == "" {
		return "", nil
	}
	layouts := dayFirst
	if mdy {
		layouts = monthFirst
	}
	for _, layout := range layouts {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format(time.DateOnly), nil
		}
	}
	// A spreadsheet's date cell: days since 1899-12-30.
	if serial, err := strconv.ParseFloat(s, 64); err == nil && serial >= 1 && serial < 2958466 && !strings.ContainsAny(s, "eE") {
		if d, err := excelize.ExcelDateToTime(serial, false); err == nil {
			return d.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("not a date: write YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY")
}

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

func hashID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + idEncoding.EncodeToString(sum[:10])[:14]
}

// personID is derived from the document number, or without one from the
// whole name as written (case and diacritics aside), the birth date and the
// group value: people whose names differ in a letter are different people.
func personID(nation string, in airbridge.PersonInput, group string) string {
	if len(in.Documents) > 0 {
		return hashID("IP", nation, "doc", in.Documents[0].Number)
	}
	return hashID("IP", nation, "name", folded(in.Surname), folded(in.GivenNames), in.BirthDate, group)
}

// groupID is derived from the group value and the group's first person in
// the list, so that case 1 of one list and case 1 of another are different
// families, while the same family imported again is the same group.
func groupID(nation, group, firstPerson string) string {
	if group == "" {
		return hashID("IG", nation, "person", firstPerson)
	}
	return hashID("IG", nation, "group", group, firstPerson)
}

func folded(s string) string {
	return translit.Marks(strings.ToUpper(strings.Join(strings.Fields(s), " ")))
}

// NameKey is a key under which transliterations of one name meet:
// diacritics and case dropped, then each name part reduced to its first
// letter and its consonants but H, W and Y, doubled letters once —
// MOHAMMAD, Mohammed and MUHAMMAD all give MD — followed by the birth date.
func NameKey(surname, given, birth string) string {
	return skeleton(surname) + "|" + skeleton(given) + "|" + birth
}

func skeleton(name string) string {
	s := translit.Marks(strings.ToUpper(name))
	var b strings.Builder
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(part[0])
		last := part[0]
		for i := 1; i < len(part); i++ {
			if c := part[i]; strings.IndexByte("AEIOUHWY", c) < 0 && c != last {
				b.WriteByte(c)
				last = c
			}
		}
	}
	return b.String()
}

// WriteRejects writes the rejected rows as CSV: the list's header and the
// row as it was, with its line and the reason in front; a cell a
// spreadsheet would take for a formula gets a leading apostrophe (csvsafe).
func WriteRejects(w io.Writer, t *Table, r Report) error {
	cw := csvsafe.NewWriter(w) // the rows are as the list gave them
	cw.Write(append([]string{"line", "reason"}, t.Header...))
	byLine := map[int]Row{}
	for _, row := range t.Rows {
		byLine[row.Line] = row
	}
	rejected := slices.DeleteFunc(slices.Clone(r.Results), func(res Result) bool { return res.Outcome != Rejected })
	slices.SortFunc(rejected, func(a, b Result) int { return cmp.Compare(a.Line, b.Line) })
	for _, res := range rejected {
		cw.Write(append([]string{strconv.Itoa(res.Line), res.Reason}, byLine[res.Line].Cells...))
	}
	cw.Flush()
	return cw.Error()
}
