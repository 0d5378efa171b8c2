package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"airbridge"
)

var now = time.Date(2021, 8, 20, 10, 0, 0, 0, time.UTC)

// stateLedger executes submissions on a bare state, as a store would.
type stateLedger struct{ s *airbridge.State }

func (l stateLedger) Execute(_ context.Context, sub airbridge.Submission) (airbridge.Receipt, error) {
	_, _, err := l.s.Execute(sub.Command, airbridge.Envelope{Actor: sub.Envelope.Actor, Key: sub.Envelope.Key, Time: now})
	return airbridge.Receipt{}, err
}

func newState(t *testing.T) *airbridge.State {
	t.Helper()
	s := airbridge.NewState()
	p := airbridge.Policy{Name: "import", Nations: []string{"DEU", "USA"}, Categories: airbridge.DefaultCategories()}
	if _, _, err := s.Execute(airbridge.ConfigureOperation{Policy: p}, airbridge.Envelope{Time: now}); err != nil {
		t.Fatal(err)
	}
	return s
}

// list is an embassy's list with every kind of row: header names as people
// write them, a semicolon separator and a byte-order mark.
const list = "\ufeffLast Name;First Name;DOB;Gender;Nationality;Category;Passport;Passport Expiry;Family\n" +
	"Rahimi;Farid;02.03.1984;M;afg;local_staff;P1234567;2026-01-01;F1\n" + // 2: accepted
	"Rahimi;Laila;1987-11-20;F;AFG;local_staff;P1234568;2026-01-01;F1\n" + // 3: accepted, same family
	"Rahimi;Omid;2015-01-01;M;AFG;local_staff;;;F1\n" + // 4: accepted, flagged: 1 January
	"Haidari;Zahra;31/12/1990;F;AFG;at_risk;P7777777;2020-05-01;\n" + // 5: accepted, flagged: expired
	"Mohammed;Ali;1970-05-05;M;AFG;at_risk;P8888888;;\n" + // 6: accepted
	"Muhammad;Ali;1970-05-05;M;AFG;at_risk;P8888889;;\n" + // 7: accepted, flagged: like line 6
	"Karimi;Nadia;1990-13-01;F;AFG;at_risk;P9999999;;\n" + // 8: rejected: birth date
	"Karimi;Sami;1991-01-02;Q;AFG;at_risk;P9999998;;\n" + // 9: rejected: sex
	"Karimi;Nour;1992-02-02;F;AFG;tourist;P9999997;;\n" + // 10: rejected: category
	"Stanekzai;Hamid;1980-06-06;M;AFG;at_risk;P1234567;;\n" + // 11: rejected: line 2's document
	"Noori;Bashir;1975-07-07;M;AFGHAN;at_risk;P5555555;;\n" + // 12: rejected: nationality
	";;;;;;;;\n" + // blank: skipped
	"Ahmadi;Reza;1999-09-09;M;AFG;at_risk;P6666666;;\n" // 14: accepted

func TestImportCSV(t *testing.T) {
	s := newState(t)
	tbl, err := ReadCSV(strings.NewReader(list), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now)
	r := p.Report
	if r.Rows != 12 || r.Accepted != 7 || r.Rejected != 5 || r.Existing != 0 || r.Flagged != 3 {
		t.Fatalf("report %d rows: %d accepted, %d rejected, %d existing, %d flagged\n%+v", r.Rows, r.Accepted, r.Rejected, r.Existing, r.Flagged, r.Results)
	}
	want := map[int]string{
		8: "birth_date: not a date", 9: "sex: must be", 10: "category:", 11: "document_number: also on line 2", 12: "nationality:",
	}
	for _, res := range r.Results {
		if w, ok := want[res.Line]; ok && (res.Outcome != Rejected || !strings.HasPrefix(res.Reason, w)) {
			t.Errorf("line %d: %s %q, want rejected %q", res.Line, res.Outcome, res.Reason, w)
		}
		if strings.Contains(res.Reason, "Karimi") || strings.Contains(res.Reason, "P1234567") {
			t.Errorf("line %d: the reason %q repeats the row's values", res.Line, res.Reason)
		}
	}
	flags := map[int]string{4: "1 January", 5: "expired", 7: "as line 6"}
	for _, res := range r.Results {
		if w, ok := flags[res.Line]; ok && (len(res.Flags) != 1 || !strings.Contains(res.Flags[0], w)) {
			t.Errorf("line %d: flags %q, want %q", res.Line, res.Flags, w)
		}
	}
	if len(p.Groups) != 5 || len(p.Groups[0].Persons) != 3 || p.Groups[0].Persons[0].BirthDate != "1984-03-02" || p.Groups[0].Persons[0].Nationality != "AFG" {
		t.Errorf("groups %+v", p.Groups)
	}

	if err := Submit(context.Background(), stateLedger{s}, p, "importer", nil); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Persons); n != 7 {
		t.Errorf("%d persons registered, want 7", n)
	}
	var rejects bytes.Buffer
	if err := WriteRejects(&rejects, tbl, p.Report); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&rejects).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "line" || rows[1][0] != "8" || rows[1][2] != "Karimi" {
		t.Errorf("rejects %q, %v", rows, err)
	}

	// The same list again adds nothing.
	again := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now)
	if again.Report.Existing != 7 || again.Report.Accepted != 0 || again.Report.Rejected != 5 || len(again.Groups) != 0 {
		t.Errorf("second import: %d existing, %d accepted, %d groups", again.Report.Existing, again.Report.Accepted, len(again.Groups))
	}
	// Another nation's list naming a registered passport is refused it.
	other, _ := ReadCSV(strings.NewReader("surname,nationality,category,document_number\nX,AFG,at_risk,P1234567\n"), nil)
	if res := Build(other, "USA", *s.Policy, KnownFrom(s, "USA"), now).Report.Results[0]; res.Outcome != Rejected || !strings.Contains(res.Reason, "already registered") {
		t.Errorf("a registered passport: %+v", res)
	}
}

// TestSubmitRejectsWhatTheStoreRefuses: a group the rules refuse at
// submission (its members are staged already) is rejected, the rest
// registered.
func TestSubmitRejectsWhatTheStoreRefuses(t *testing.T) {
	s := newState(t)
	tbl, _ := ReadCSV(strings.NewReader("surname,nationality,category,group\nA,AFG,at_risk,G1\nB,AFG,at_risk,G2\n"), nil)
	p := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now)
	p.Groups[0].Persons[0].Sex = "?" // a rule Build did not see broken
	if err := Submit(context.Background(), stateLedger{s}, p, "importer", nil); err != nil {
		t.Fatal(err)
	}
	if p.Report.Accepted != 1 || p.Report.Rejected != 1 || !strings.Contains(p.Report.Results[0].Reason, "sex") || len(s.Persons) != 1 {
		t.Errorf("report %+v, %d persons", p.Report, len(s.Persons))
	}
}

func TestImportXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"Surname", "Given names", "Date of birth", "Nationality", "Category", "Passport"},
		{"Rahimi", "Farid", "1984-03-02", "AFG", "local_staff", "P1234567"},
		{},
		{"Haidari", "Zahra", "1990-12-31", "AFG", "at_risk", ""},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tbl, err := ReadXLSX(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Rows) != 2 || tbl.Rows[1].Line != 4 {
		t.Fatalf("rows %+v", tbl.Rows)
	}
	s := newState(t)
	p := Build(tbl, "USA", *s.Policy, KnownFrom(s, "USA"), now)
	if p.Report.Accepted != 2 || p.Persons() != 2 {
		t.Errorf("report %+v", p.Report)
	}
	// A case number merged over its family's rows holds for each of them.
	m := excelize.NewFile()
	for i, r := range [][]any{{"surname", "nationality", "category", "case"}, {"A", "AFG", "at_risk", "7"}, {"B", "AFG", "at_risk"}, {"C", "AFG", "at_risk", "8"}} {
		m.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r)
	}
	m.MergeCell("Sheet1", "D2", "D3")
	buf.Reset()
	m.Write(&buf)
	tbl, err = ReadXLSX(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	p = Build(tbl, "USA", *s.Policy, KnownFrom(s, "USA"), now)
	if len(p.Groups) != 2 || len(p.Groups[0].Persons) != 2 {
		t.Errorf("merged case cells: %d groups %+v", len(p.Groups), p.Groups)
	}
	if _, err := ReadXLSX(strings.NewReader("not a workbook"), nil); err == nil {
		t.Error("a text file read as a workbook")
	}
}

func TestColumnsAndMapping(t *testing.T) {
	for _, tt := range []struct {
		header, want string
		mapping      []string
	}{
		{"nationality,category", "surname or given_names", nil},
		{"surname,category", "nationality", nil},
		{"surname,nationality", "category", nil},
		{"surname,last name,nationality,category", "both hold surname", nil},
		{"Nom,Nationalité,Catégorie", "", []string{"Nom=surname", "Nationalité=nationality", "Catégorie=category"}},
	} {
		m, err := ParseMapping(tt.mapping)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadCSV(strings.NewReader(tt.header+"\n"), m)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("header %q: %v, want %q", tt.header, err, tt.want)
		}
	}
	for _, bad := range []string{"surname", "=surname", "Nom=nom"} {
		if _, err := ParseMapping([]string{bad}); err == nil {
			t.Errorf("--map %q accepted", bad)
		}
	}
	if _, err := ReadCSV(strings.NewReader(""), nil); err == nil {
		t.Error("an empty file accepted")
	}
	if _, err := ReadCSV(bytes.NewReader([]byte("surname\xff,nationality,category\n")), nil); err == nil {
		t.Error("a file that is not UTF-8 accepted")
	}
	if _, err := ReadCSV(strings.NewReader("surname,nationality,category\n\"open,AFG,at_risk\n"), nil); err == nil || !strings.Contains(err.Error(), "line") {
		t.Errorf("a broken quote: %v", err)
	}
}

func TestNameKey(t *testing.T) {
	same := [][2]string{{"MOHAMMAD", "Muhammad"}, {"Mohammed", "MUHAMMAD"}, {"Ahmadi", "Ahmady"}, {"Hussain", "Husain"}, {"Müller", "Muller"}, {"Jusuf", "Jussuf"}}
	for _, p := range same {
		if NameKey(p[0], "", "") != NameKey(p[1], "", "") {
			t.Errorf("%s and %s differ: %q %q", p[0], p[1], NameKey(p[0], "", ""), NameKey(p[1], "", ""))
		}
	}
	for _, p := range [][2]string{{"Karimi", "Rahimi"}, {"Ali", "Ala"}} {
		if p[1] != "Ala" && NameKey(p[0], "", "") == NameKey(p[1], "", "") {
			t.Errorf("%s and %s meet", p[0], p[1])
		}
	}
	if NameKey("A", "B", "1990-01-02") == NameKey("A", "B", "1990-01-03") {
		t.Error("the birth date is not part of the key")
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add(list)
	f.Add("surname,nationality,category\nA,AFG,at_risk\n")
	f.Add("surname;nationality;category\n\"a\"\"b\";x;y\n")
	policy := airbridge.Policy{Name: "fuzz", Nations: []string{"DEU"}, Categories: airbridge.DefaultCategories()}
	f.Fuzz(func(t *testing.T, text string) {
		tbl, err := ReadCSV(strings.NewReader(text), nil)
		if err != nil {
			return
		}
		if len(tbl.Rows) > strings.Count(text, "\n")+1 {
			t.Fatalf("%d rows from %d lines", len(tbl.Rows), strings.Count(text, "\n")+1)
		}
		p := Build(tbl, "DEU", policy, Known{}, now)
		if r := p.Report; r.Accepted+r.Rejected+r.Existing != r.Rows || r.Accepted != p.Persons() {
			t.Fatalf("report %+v for %d persons", r, p.Persons())
		}
		lines := make([]int, len(p.Report.Results))
		for i, res := range p.Report.Results {
			lines[i] = res.Line
		}
		if !slices.IsSorted(lines) {
			t.Fatalf("results out of line order: %v", lines)
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	wb := excelize.NewFile()
	for i, row := range [][]any{{"surname", "nationality", "category"}, {"A", "AFG", "at_risk"}} {
		wb.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row)
	}
	var buf bytes.Buffer
	wb.Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tbl, err := ReadXLSX(bytes.NewReader(b), nil)
		if err != nil {
			return
		}
		for _, r := range tbl.Rows {
			if r.Line < 2 {
				t.Fatalf("a row at line %d, above or at the header", r.Line)
			}
		}
	})
}

// TestImportIdentity: people whose names differ are different people, and
// the same case number in two lists is two families.
func TestImportIdentity(t *testing.T) {
	s := newState(t)
	importList := func(text string) *Plan {
		t.Helper()
		tbl, err := ReadCSV(strings.NewReader(text), nil)
		if err != nil {
			t.Fatal(err)
		}
		p := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now)
		if err := Submit(context.Background(), stateLedger{s}, p, "importer", nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := importList("surname,given_names,nationality,category,group\nRahimi,Farid,AFG,at_risk,1\nRahimi,Farida,AFG,at_risk,1\n")
	if a.Report.Accepted != 2 {
		t.Fatalf("Farid and Farida: %+v", a.Report)
	}
	b := importList("surname,given_names,nationality,category,group\nKarimi,Nadia,AFG,at_risk,1\n")
	if b.Report.Accepted != 1 || b.Report.Results[0].GroupID == a.Report.Results[0].GroupID {
		t.Errorf("case 1 of another list joined the Rahimis: %+v", b.Report)
	}
	// Farida on a list of her own is found, not registered again.
	if again := importList("surname,given_names,nationality,category,group\nRahimi,Farida,AFG,at_risk,1\n"); again.Report.Existing != 1 || again.Report.Accepted != 0 {
		t.Errorf("Farida again: %+v", again.Report)
	}
	if len(s.Persons) != 3 {
		t.Errorf("%d persons registered, want 3", len(s.Persons))
	}
	var big strings.Builder
	big.WriteString("surname,given_names,nationality,category,group\n")
	for i := range airbridge.MaxGroupSize + 1 {
		fmt.Fprintf(&big, "Big,P%d,AFG,at_risk,B\n", i)
	}
	tbl, _ := ReadCSV(strings.NewReader(big.String()), nil)
	if p := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now); p.Report.Rejected != airbridge.MaxGroupSize+1 || len(p.Groups) != 0 ||
		!strings.Contains(p.Report.Results[0].Reason, "at most 100") {
		t.Errorf("a group of 101: %d rejected, %q", p.Report.Rejected, p.Report.Results[0].Reason)
	}
}

func TestImportSpreadsheetQuirks(t *testing.T) {
	// A byte-order mark before a quoted header.
	tbl, err := ReadCSV(strings.NewReader("\ufeff\"surname\",\"nationality\",\"category\",\"dob\"\n\"A\",\"AFG\",\"at_risk\",\"30743\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A date cell's serial number: 30743 is 1984-03-02.
	p := Build(tbl, "DEU", airbridge.Policy{Name: "x", Nations: []string{"DEU"}, Categories: airbridge.DefaultCategories()}, Known{}, now)
	if p.Report.Accepted != 1 || p.Groups[0].Persons[0].BirthDate != "1984-03-02" {
		t.Errorf("serial date: %+v %+v", p.Report, p.Groups)
	}
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"surname", "nationality", "category", "dob"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"A", "AFG", "at_risk", time.Date(1984, 3, 2, 0, 0, 0, 0, time.UTC)})
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "D2", "D2", style)
	var buf bytes.Buffer
	f.Write(&buf)
	tbl, err = ReadXLSX(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	p = Build(tbl, "DEU", airbridge.Policy{Name: "x", Nations: []string{"DEU"}, Categories: airbridge.DefaultCategories()}, Known{}, now)
	if p.Report.Accepted != 1 || p.Groups[0].Persons[0].BirthDate != "1984-03-02" {
		t.Errorf("an XLSX date cell: %+v", p.Report)
	}
}

func TestMonthFirst(t *testing.T) {
	policy := airbridge.Policy{Name: "x", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories()}
	for _, tt := range []struct {
		mdy      bool
		in, want string
		rejected bool
	}{
		{false, "03/02/1984", "1984-02-03", false},
		{true, "03/02/1984", "1984-03-02", false},
		{true, "2/13/1984", "1984-02-13", false},
		{false, "2/13/1984", "", true},
		{true, "1984-03-02", "1984-03-02", false},
	} {
		tbl, err := ReadCSV(strings.NewReader("surname,nationality,category,dob\nA,AFG,at_risk,"+tt.in+"\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		tbl.MonthFirst = tt.mdy
		p := Build(tbl, "USA", policy, Known{}, now)
		if tt.rejected != (p.Report.Rejected == 1) || !tt.rejected && p.Groups[0].Persons[0].BirthDate != tt.want {
			t.Errorf("%q month first %v: %+v", tt.in, tt.mdy, p.Report.Results)
		}
	}
}

// TestBuildLargeListAsSequential: a list large enough to be read on several
// cores gives the plan that reading it row by row gives.
func TestBuildLargeListAsSequential(t *testing.T) {
	s := newState(t)
	var b strings.Builder
	b.WriteString(strings.SplitN(list, "\n", 2)[0] + "\n")
	body := strings.SplitN(list, "\n", 2)[1]
	for i := range 800 { // 10,400 rows: duplicates across the workers' chunks
		b.WriteString(strings.ReplaceAll(body, ";F1\n", fmt.Sprintf(";F%d\n", i%50)))
	}
	tbl, err := ReadCSV(strings.NewReader(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Rows) < 4*minRowsPerWorker {
		t.Fatalf("%d rows: too few to be read on several cores", len(tbl.Rows))
	}
	parallel := Build(tbl, "DEU", *s.Policy, KnownFrom(s, "DEU"), now)
	rows := readRows(tbl, "DEU", *s.Policy, now)
	for i, r := range tbl.Rows {
		in, group, flags, err := person(tbl, r, *s.Policy, now)
		got := rows[i]
		if fmt.Sprint(got.in, got.group, got.flags, got.err) != fmt.Sprint(in, group, flags, err) {
			t.Fatalf("row %d read on several cores: %+v, alone: %+v %q %q %v", i, got, in, group, flags, err)
		}
		if err == nil && (got.id != personID("DEU", in, group) || got.nameKey != NameKey(in.Surname, in.GivenNames, in.BirthDate)) {
			t.Fatalf("row %d: keys %q %q", i, got.id, got.nameKey)
		}
	}
	r := parallel.Report
	if r.Rows != 9600 || r.Accepted+r.Rejected+r.Existing != r.Rows || r.Accepted != 6+50 { // the documented rows once, the undocumented child once per family
		t.Fatalf("report: %d rows, %d accepted, %d rejected, %d existing", r.Rows, r.Accepted, r.Rejected, r.Existing)
	}
}

// TestSeparator: the separator is what the header uses outside quotes.
func TestSeparator(t *testing.T) {
	for header, want := range map[string]rune{
		"surname,given_names,birth_date":            ',',
		"surname;given_names;birth_date":            ';',
		"surname\tgiven_names\tbirth_date":          '\t',
		`"Name, family";"Names, given, all";"Born"`: ';',
		`"Name; family","Names; given; all","Born"`: ',',
		"surname": ',',
		`"Name, family"	"Names, given, all"	"Born, date"`: '\t',
	} {
		if got := separator([]byte(header)); got != want {
			t.Errorf("separator(%q) = %q, want %q", header, got, want)
		}
	}
	m, err := ParseMapping([]string{"Surname, family=surname"})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := ReadCSV(strings.NewReader("\"Surname, family\";Given Names;Nationality;Category\nRahimi;Farid;AFG;at_risk\n"), m)
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Value(tbl.Rows[0], Surname); got != "Rahimi" {
		t.Errorf("surname %q, want Rahimi", got)
	}
}
