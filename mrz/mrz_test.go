package mrz

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

type specimen struct {
	Name string         `json:"name"`
	MRZ  []string       `json:"mrz"`
	Want map[string]any `json:"want"` // the JSON encoding of the parsed Document
}

func loadSpecimens(t testing.TB) []specimen {
	t.Helper()
	b, err := os.ReadFile("testdata/specimens.json")
	if err != nil {
		t.Fatal(err)
	}
	var specs []specimen
	if err := json.Unmarshal(b, &specs); err != nil {
		t.Fatal(err)
	}
	return specs
}

func TestParseSpecimens(t *testing.T) {
	for _, s := range loadSpecimens(t) {
		t.Run(s.Name, func(t *testing.T) {
			d, err := Parse(strings.Join(s.MRZ, "\n"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, s.Want) {
				t.Errorf("got  %s\nwant %s", b, mustJSON(t, s.Want))
			}
			if !d.Valid() {
				t.Errorf("Valid() = false, checks %v", d.Checks)
			}
			if !reflect.DeepEqual(d.Lines, s.MRZ) {
				t.Errorf("Lines = %q, want %q", d.Lines, s.MRZ)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
		err  bool
	}{
		{"", '0', false},
		{"<<<<<<<<<", '0', false},
		{"L898902C3", '6', false},
		{"740812", '2', false},
		{"120415", '9', false},
		{"ZE184226B<<<<<", '1', false},
		{"D23145890", '7', false},
		{"A", '0', false},  // 10 × 7
		{"Z", '5', false},  // 35 × 7
		{"1A", '7', false}, // 7 + 30
		{"l898902C3", 0, true},
		{"AB CD", 0, true},
	} {
		got, err := CheckDigit(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

type pos struct{ line, col int } // 0-based

// checkDigitsAt returns where each check digit of a document of type typ
// with lines sits, from ICAO 9303 parts 4 to 7.
func checkDigitsAt(typ string, lines []string) map[string]pos {
	switch typ {
	case TD1:
		num := pos{0, 14}
		if n := overflowLen(lines[0][14], lines[0][15:30]); n > 0 {
			num = pos{0, 15 + n - 1}
		}
		return map[string]pos{CheckNumber: num, CheckBirthDate: {1, 6}, CheckExpiry: {1, 14}, CheckComposite: {1, 29}}
	case TD2:
		num := pos{1, 9}
		if n := overflowLen(lines[1][9], lines[1][28:35]); n > 0 {
			num = pos{1, 28 + n - 1}
		}
		return map[string]pos{CheckNumber: num, CheckBirthDate: {1, 19}, CheckExpiry: {1, 27}, CheckComposite: {1, 35}}
	case TD3:
		return map[string]pos{CheckNumber: {1, 9}, CheckBirthDate: {1, 19}, CheckExpiry: {1, 27}, CheckOptional: {1, 42}, CheckComposite: {1, 43}}
	case MRVA, MRVB:
		return map[string]pos{CheckNumber: {1, 9}, CheckBirthDate: {1, 19}, CheckExpiry: {1, 27}}
	}
	panic("unknown type " + typ)
}

// overflowLen returns the length of the document number overflow (its
// check digit included) in optional field opt, or 0 if there is none.
func overflowLen(check byte, opt string) int {
	if check != '<' {
		return 0
	}
	if n := strings.IndexByte(opt, '<'); n >= 0 {
		return n
	}
	return len(opt)
}

// judge recomputes every check of a document of type typ from its lines,
// restating ICAO 9303 independently of Parse.
func judge(typ string, lines []string) map[string]bool {
	cd := func(field string, c byte) bool {
		d, err := CheckDigit(field)
		return err == nil && d == c
	}
	at := checkDigitsAt(typ, lines)
	digit := func(name string) byte { p := at[name]; return lines[p.line][p.col] }
	got := map[string]bool{}
	l0, l1 := lines[0], lines[1]
	switch typ {
	case TD1:
		num := l0[5:14]
		if n := overflowLen(l0[14], l0[15:30]); n > 0 {
			num += l0[15 : 15+n-1]
		}
		got[CheckNumber] = cd(num, digit(CheckNumber))
		got[CheckBirthDate] = cd(l1[0:6], l1[6])
		got[CheckExpiry] = cd(l1[8:14], l1[14])
		got[CheckComposite] = cd(l0[5:30]+l1[0:7]+l1[8:15]+l1[18:29], l1[29])
		return got
	case TD2:
		num := l1[0:9]
		if n := overflowLen(l1[9], l1[28:35]); n > 0 {
			num += l1[28 : 28+n-1]
		}
		got[CheckNumber] = cd(num, digit(CheckNumber))
		got[CheckComposite] = cd(l1[0:10]+l1[13:20]+l1[21:35], l1[35])
	case TD3:
		got[CheckNumber] = cd(l1[0:9], l1[9])
		got[CheckOptional] = cd(l1[28:42], l1[42]) || l1[42] == '<' && l1[28:42] == strings.Repeat("<", 14)
		got[CheckComposite] = cd(l1[0:10]+l1[13:20]+l1[21:43], l1[43])
	default:
		got[CheckNumber] = cd(l1[0:9], l1[9])
	}
	got[CheckBirthDate] = cd(l1[13:19], l1[19])
	got[CheckExpiry] = cd(l1[21:27], l1[27])
	return got
}

// TestCheckDigitAltered replaces each check digit of each specimen by each
// other digit and wants the matching check, and the composite check where
// the format has one (it covers every other check digit), to fail while
// the other checks still hold.
func TestCheckDigitAltered(t *testing.T) {
	for _, s := range loadSpecimens(t) {
		typ := s.Want["type"].(string)
		for name, p := range checkDigitsAt(typ, s.MRZ) {
			orig := s.MRZ[p.line][p.col]
			for c := byte('0'); c <= '9'; c++ {
				if c == orig || orig == '<' && c == '0' { // '<' counts as 0
					continue
				}
				lines := append([]string(nil), s.MRZ...)
				lines[p.line] = lines[p.line][:p.col] + string(c) + lines[p.line][p.col+1:]
				d, err := Parse(strings.Join(lines, "\n"))
				if err != nil {
					t.Fatalf("%s: %s %c→%c: %v", s.Name, name, orig, c, err)
				}
				for n, ok := range d.Checks {
					want := n != name && (n != CheckComposite || typ == MRVA || typ == MRVB)
					if ok != want {
						t.Errorf("%s: %s %c→%c: check %s = %v, want %v", s.Name, name, orig, c, n, ok, want)
					}
				}
				if d.Valid() {
					t.Errorf("%s: %s %c→%c: Valid() = true", s.Name, name, orig, c)
				}
			}
		}
	}
}

// TestFieldDigitAltered replaces each digit of the number and date fields
// by each other digit and wants the field's check to fail: the weights 7,
// 3 and 1 are prime to 10.
func TestFieldDigitAltered(t *testing.T) {
	s := loadSpecimens(t)[0] // TD3
	for _, f := range []struct {
		name       string
		start, end int
	}{{CheckNumber, 0, 9}, {CheckBirthDate, 13, 19}, {CheckExpiry, 21, 27}} {
		for i := f.start; i < f.end; i++ {
			orig := s.MRZ[1][i]
			if orig < '0' || orig > '9' {
				continue
			}
			for c := byte('0'); c <= '9'; c++ {
				if c == orig {
					continue
				}
				l1 := s.MRZ[1][:i] + string(c) + s.MRZ[1][i+1:]
				d, err := Parse(s.MRZ[0] + "\n" + l1)
				if err != nil {
					t.Fatal(err)
				}
				if d.Checks[f.name] {
					t.Errorf("%s column %d %c→%c: check passes", f.name, i+1, orig, c)
				}
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	const (
		td3a = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
		td3b = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
		td1a = "I<UTOD231458907<<<<<<<<<<<<<<<"
		td1b = "7408122F1204159UTO<<<<<<<<<<<6"
		td1c = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
	)
	for _, tc := range []struct {
		name, in     string
		line, column int
		want         string
	}{
		{"empty", "", 0, 0, "mrz: got 0 lines, want 2 (TD2, TD3, MRV) or 3 (TD1)"},
		{"blank", " \n\t\n", 0, 0, "mrz: got 0 lines, want 2 (TD2, TD3, MRV) or 3 (TD1)"},
		{"one line", td3a, 0, 0, "mrz: got 1 lines, want 2 (TD2, TD3, MRV) or 3 (TD1)"},
		{"four lines", td1a + "\n" + td1b + "\n" + td1c + "\n" + td1c, 0, 0, "mrz: got 4 lines, want 2 (TD2, TD3, MRV) or 3 (TD1)"},
		{"short line 2", td3a + "\n" + td3b[:43], 2, 0, "mrz: line 2: 43 characters, want 44 (like line 1)"},
		{"long line 2", td3a + "\n" + td3b + "<", 2, 0, "mrz: line 2: 45 characters, want 44 (like line 1)"},
		{"TD2 line 1 with TD3 line 2", td3a[:36] + "\n" + td3b, 2, 0, "mrz: line 2: 44 characters, want 36 (like line 1)"},
		{"odd line 1", td3a[:40] + "\n" + td3b[:40], 1, 0, "mrz: line 1: 40 characters, want 36 (TD2, MRV-B) or 44 (TD3, MRV-A)"},
		{"short TD1 line 3", td1a + "\n" + td1b + "\n" + td1c[:29], 3, 0, "mrz: line 3: 29 characters, want 30 (TD1)"},
		{"TD1 of 44", td3a + "\n" + td3b + "\n" + td3b, 1, 0, "mrz: line 1: 44 characters, want 30 (TD1)"},
		{"punctuation", td3a + "\n" + "L898#02C36UTO7408122F1204159ZE184226B<<<<<10", 2, 5, `mrz: line 2, column 5: character '#' is not A-Z, 0-9 or <`},
		{"inner space", "P<UTO ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<\n" + td3b, 1, 6, `mrz: line 1, column 6: character ' ' is not A-Z, 0-9 or <`},
		{"non-ASCII", td1a + "\n" + td1b + "\n" + "ERIKSSÖN<<ANNA<MARIA<<<<<<<<<<", 3, 7, `mrz: line 3, column 7: character 'Ö' is not A-Z, 0-9 or <`},
		{"guillemet", td3a + "\n" + "L898902C36UTO7408122F1204159ZE184226B«<<<<10", 2, 38, `mrz: line 2, column 38: character '«' is not A-Z, 0-9 or <`},
		{"invalid UTF-8", td3a + "\n" + "\xff" + td3b[1:], 2, 1, `mrz: line 2, column 1: character '�' is not A-Z, 0-9 or <`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || se.Column != tc.column || err.Error() != tc.want {
				t.Errorf("got line %d, column %d, %q\nwant line %d, column %d, %q", se.Line, se.Column, err, tc.line, tc.column, tc.want)
			}
		})
	}
}

func TestParseTolerance(t *testing.T) {
	want, err := Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nl898902c36uto7408122f1204159ze184226b<<<<<10",
		"  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\t\r\n\r\n\n L898902C36UTO7408122F1204159ZE184226B<<<<<10 \n\n",
		"\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\rL898902C36UTO7408122F1204159ZE184226B<<<<<10",
	} {
		got, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestParseQuirks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mrz   string
		check func(d Document) string // "" if d is as expected
	}{
		{"TD3 personal number with check digit <", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<<0",
			func(d Document) string {
				if d.Checks[CheckOptional] {
					return "optional check passes on '<' with a personal number"
				}
				return ""
			}},
		{"TD1 check digit < without overflow", "I<UTOD23145890<<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<0\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			func(d Document) string {
				if d.Checks[CheckNumber] || d.Number != "D23145890" {
					return fmt.Sprintf("number %q, check %v; want D23145890, false", d.Number, d.Checks[CheckNumber])
				}
				return ""
			}},
		{"TD1 overflow and optional data", "I<UTOD23145890<7349<AB12<<<<<<\n7408122F1204159UTO<<<<<<<<<<<4\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			func(d Document) string {
				if d.Number != "D23145890734" || d.Optional != "AB12" || !d.Valid() {
					return fmt.Sprintf("number %q, optional %q, checks %v", d.Number, d.Optional, d.Checks)
				}
				return ""
			}},
		{"TD1 second optional field", "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<XY<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
			func(d Document) string {
				if d.Optional2 != "XY" || d.Checks[CheckComposite] {
					return fmt.Sprintf("optional2 %q, composite %v; want XY, false (composite covers it)", d.Optional2, d.Checks[CheckComposite])
				}
				return ""
			}},
		{"name without given names", "P<UTOERIKSSON<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
			func(d Document) string {
				if d.Surname != "ERIKSSON" || d.GivenNames != "" || d.NameTruncated {
					return fmt.Sprintf("%q, %q, truncated %v", d.Surname, d.GivenNames, d.NameTruncated)
				}
				return ""
			}},
		{"compound surname", "P<UTOVAN<DER<BERG<<ANNA<<<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
			func(d Document) string {
				if d.Surname != "VAN DER BERG" || d.GivenNames != "ANNA" {
					return fmt.Sprintf("%q, %q", d.Surname, d.GivenNames)
				}
				return ""
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.mrz)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tc.check(d); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestParseAll(t *testing.T) {
	specs := loadSpecimens(t)
	var b strings.Builder
	for _, s := range specs[:3] {
		b.WriteString(strings.Join(s.MRZ, "\n") + "\n\n")
	}
	b.WriteString("P<UTOERIKSSON\nL898902C3\n\n\n") // lines 11 and 12
	b.WriteString(strings.Join(specs[3].MRZ, "\r\n"))
	docs, err := ParseAll(b.String())
	if len(docs) != 4 {
		t.Fatalf("got %d documents, want 4", len(docs))
	}
	for i, want := range []string{TD3, TD1, TD2, MRVA} {
		if docs[i].Type != want || !docs[i].Valid() {
			t.Errorf("document %d: type %s, valid %v; want %s, true", i, docs[i].Type, docs[i].Valid(), want)
		}
	}
	const wantErr = "block at line 11: mrz: line 1: 13 characters, want 36 (TD2, MRV-B) or 44 (TD3, MRV-A)"
	var se *SyntaxError
	if err == nil || err.Error() != wantErr || !errors.As(err, &se) {
		t.Errorf("error %v, want %q wrapping a *SyntaxError", err, wantErr)
	}
	if docs, err := ParseAll(""); len(docs) != 0 || err != nil {
		t.Errorf("ParseAll(\"\") = %v, %v", docs, err)
	}
}

func TestMarshalJSONInvalid(t *testing.T) {
	d, err := Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204159ZE184226B<<<<<10")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"valid":false`, `"document_number":false`, `"composite":false`, `"birth_date":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range loadSpecimens(f) {
		f.Add(strings.Join(s.MRZ, "\n"))
	}
	f.Add("I<UTOD23145890<7349<AB12<<<<<<\n7408122F1204159UTO<<<<<<<<<<<4\nERIKSSON<<ANNA<MARIA<<<<<<<<<<")
	f.Add("I<UTOD23145890<<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<0\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<")
	f.Add("p<uto\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		if got := judge(d.Type, d.Lines); !reflect.DeepEqual(d.Checks, got) {
			t.Fatalf("checks %v, recomputed %v", d.Checks, got)
		}
		if again, err := Parse(strings.Join(d.Lines, "\n")); err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("reparsing the lines: %+v, %v; want %+v", again, err, d)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	})
}
