package bcbp

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"airbridge/pdf417"
	"airbridge/pdf417/pdf417test"
)

const security = "GIWVC5EH7JNT684FVNJ91W2QA4DVN5J8K4F0L0GEQ3DF5TGBN8709HKT5D3DW3GBHFCVHMY7J5T6HFR41W2QA4DVN5J8K4F0L0GE"

func examples(t testing.TB) []string {
	b, err := os.ReadFile("testdata/res792.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func TestDecodeExamples(t *testing.T) {
	ex := examples(t)
	leg := Leg{PNR: "ABC123", From: "YUL", To: "FRA", Carrier: "AC", Flight: "0834", Date: "326",
		Compartment: "J", Seat: "001A", CheckInSequence: "0025", PassengerStatus: "1"}
	want := map[int]Pass{
		0: {Name: "DESMARAIS/LUC", ElectronicTicket: true, Legs: []Leg{leg}},
		1: {Name: "DESMARAIS/LUC", ElectronicTicket: true, Legs: []Leg{leg}, Security: &Security{Type: "1", Data: security}},
		2: {Name: "DESMARAIS/LUC", ElectronicTicket: true, Version: 6,
			PassengerDescription: "1", CheckInSource: "W", IssuanceSource: "W", IssueDate: "6225",
			DocumentType: "B", Issuer: "AC", BagTags: "0014123456003",
			Legs: []Leg{
				{PNR: "ABC123", From: "YUL", To: "FRA", Carrier: "AC", Flight: "0834", Date: "226",
					Compartment: "F", Seat: "001A", CheckInSequence: "0025", PassengerStatus: "1",
					AirlineNumeric: "014", DocumentSerial: "1234567890", DocVerification: "1",
					MarketingCarrier: "AC", FrequentFlyerLine: "AC", FrequentFlyer: "1234567890123",
					FreeBaggage: "20K", FastTrack: "Y", AirlineData: "LX58Z"},
				{PNR: "DEF456", From: "FRA", To: "GVA", Carrier: "LH", Flight: "3664", Date: "227",
					Compartment: "C", Seat: "012C", CheckInSequence: "0002", PassengerStatus: "1",
					AirlineNumeric: "014", DocumentSerial: "0987654321", DocVerification: "1",
					MarketingCarrier: "AC", FrequentFlyerLine: "AC", FrequentFlyer: "1234567890123",
					FreeBaggage: "2PC", FastTrack: "N", AirlineData: "WQ"},
			},
			Security: &Security{Type: "1", Data: security}},
		// Version 2: blank trailing unique items (bag tag) and repeated
		// items (free baggage allowance) are present in the string.
		3: {Name: "TEST/HIDDEN", ElectronicTicket: true, Version: 2,
			PassengerDescription: "0", CheckInSource: "W", IssuanceSource: "W", IssueDate: "6012",
			DocumentType: "B", Issuer: "LH", ConditionalItems: 7,
			Legs: []Leg{{PNR: "8OQ6FU", From: "FRA", To: "RLG", Carrier: "LH", Flight: "4010", Date: "012",
				Compartment: "C", Seat: "004D", CheckInSequence: "0001", PassengerStatus: "3",
				AirlineNumeric: "220", DocumentSerial: "2364224106", Selectee: "0", MarketingCarrier: "LH",
				ConditionalItems: 9, AirlineData: "*30600000K09         "}}},
		4: {Name: "TEST/PETER", ElectronicTicket: true, Version: 5, IssuanceSource: "W",
			Legs: []Leg{{PNR: "24Z5RN", From: "AMS", To: "BRU", Carrier: "KL", Flight: "1733", Date: "019",
				Compartment: "M", Seat: "008A", CheckInSequence: "0001", PassengerStatus: "3",
				AirlineNumeric: "074", DocumentSerial: "2497067621"}}},
	}
	for i, s := range ex {
		got, err := Decode(s)
		if err != nil {
			t.Errorf("example %d: Decode: %v", i, err)
			continue
		}
		if w, ok := want[i]; ok && !reflect.DeepEqual(got, w) {
			t.Errorf("example %d: Decode =\n%+v\nwant\n%+v", i, got, w)
		}
		enc, err := Encode(got)
		if err != nil || enc != s {
			t.Errorf("example %d: Encode(Decode(s)) = %q, %v; want %q", i, enc, err, s)
		}
	}
}

func samplePasses() []Pass {
	leg := func(from, to, flight, seat string) Leg {
		return Leg{PNR: "XK7Q2M", From: from, To: to, Carrier: "RCH", Flight: flight, Date: "227",
			Compartment: "Y", Seat: seat, CheckInSequence: "0142", PassengerStatus: "1"}
	}
	full := leg("KBL", "DOH", "0871", "012A")
	full.AirlineNumeric, full.DocumentSerial, full.Selectee, full.DocVerification = "014", "1234567890", "0", "1"
	full.MarketingCarrier, full.FrequentFlyerLine, full.FrequentFlyer = "QR", "QR", "123456789"
	full.IDAD, full.FreeBaggage, full.FastTrack, full.AirlineData = "0", "1PC", "N", "EVAC/GRP 17"
	second := leg("DOH", "RMS", "0123Z", "")
	second.FreeBaggage = "23K"
	return []Pass{
		{Name: "AHMADI/FARID", ElectronicTicket: true, Legs: []Leg{leg("KBL", "DOH", "0871", "")}},
		{Name: "NAZARI/ZAHRA MARYAM", Version: 6, PassengerDescription: "2", CheckInSource: "O",
			IssuanceSource: "O", IssueDate: "1227", DocumentType: "B", Issuer: "RCH",
			Legs: []Leg{full, second}, Security: &Security{Type: "1", Data: "MEUCIQDx0Z"}},
		{Name: "SMITH/JOHN", Version: 6, DocumentType: "B",
			Legs: []Leg{leg("KBL", "DOH", "0001", "INF"), leg("DOH", "RMS", "0002", "001C"), leg("RMS", "IAD", "0003", "002C"), leg("IAD", "DCA", "0004", "003C")}},
		{Name: "A/B", Version: 6, ConditionalItems: 9, Legs: []Leg{{PNR: "P", From: "KBL", To: "ISB", Carrier: "PK",
			Flight: "0001", Date: "001", ConditionalItems: 10, AirlineData: ">^"}}},
	}
}

func TestRoundTrip(t *testing.T) {
	for i, p := range samplePasses() {
		s, err := Encode(p)
		if err != nil {
			t.Fatalf("pass %d: Encode: %v", i, err)
		}
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("pass %d: Decode(%q): %v", i, s, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("pass %d: Decode(Encode(p)) =\n%+v\nwant\n%+v", i, got, p)
		}
	}
	// The mandatory block of a single-leg pass is 60 characters.
	s, _ := Encode(samplePasses()[0])
	if want := "M1AHMADI/FARID        EXK7Q2M KBLDOHRCH0871 227Y    0142 100"; s != want {
		t.Errorf("Encode = %q, want %q", s, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	base := samplePasses()[0]
	tests := []struct {
		name   string
		modify func(p *Pass)
		want   string
	}{
		{"no legs", func(p *Pass) { p.Legs = nil }, "number of legs"},
		{"five legs", func(p *Pass) { p.Legs = append(p.Legs, p.Legs[0], p.Legs[0], p.Legs[0], p.Legs[0]) }, "number of legs"},
		{"name", func(p *Pass) { p.Name = "A VERY LONG SURNAME/GIVEN" }, "passenger name"},
		{"flight", func(p *Pass) { p.Legs[0].Flight = "871" }, "leg 1 flight number"},
		{"flight suffix", func(p *Pass) { p.Legs[0].Flight = "08711" }, "leg 1 flight number"},
		{"date", func(p *Pass) { p.Legs[0].Date = "2x7" }, "leg 1 date of flight"},
		{"seat", func(p *Pass) { p.Legs[0].Seat = "012AB" }, "leg 1 seat number"},
		{"trailing space", func(p *Pass) { p.Legs[0].Carrier = "AC " }, "leg 1 operating carrier designator"},
		{"non-ASCII", func(p *Pass) { p.Name = "MÜLLER/JAN" }, "passenger name"},
		{"no version", func(p *Pass) { p.DocumentType = "B" }, "version"},
		{"leg without version", func(p *Pass) { p.Legs[0].FastTrack = "Y" }, "leg 1 conditional items"},
		{"issue date", func(p *Pass) { p.Version = 6; p.IssueDate = "227" }, "date of issue"},
		{"security type", func(p *Pass) { p.Security = &Security{Type: "12"} }, "type of security data"},
	}
	for _, tt := range tests {
		p := base
		p.Legs = append([]Leg(nil), base.Legs...)
		tt.modify(&p)
		_, err := Encode(p)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Encode error %v, want ErrInvalid mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	ok := "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"
	tests := []struct{ in, want string }{
		{"", "format code"},
		{"X" + ok[1:], "format code at position 1"},
		{"M5" + ok[2:], "number of legs"},
		{ok[:40], "leg 1 flight number at position 40"},
		{strings.Replace(ok, "0834 ", "08A4 ", 1), "leg 1 flight number"},
		{strings.Replace(ok, "0834 ", "0834 ", 1)[:58] + "0G", "leg 1 field size of variable size field at position 59"},
		{ok[:58] + "05>6", "leg 1 variable size field"},
		{ok[:58] + "03>600", "leg 1 field size of following structured message - unique"},
		{ok[:58] + "09>6040ABCD", "structured message - unique at position 65: size 4 ends inside an item"},
		{ok + "X", "unexpected"},
		{ok + "^1", "length of security data"},
		{ok + "^103AB", "security data"},
		{"M2" + ok[2:], "leg 2 operating carrier PNR code"},
		{ok[:22] + "X" + ok[23:], "electronic ticket indicator"},
	}
	for _, tt := range tests {
		_, err := Decode(tt.in)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%q) error %v, want ErrInvalid mentioning %q", tt.in, err, tt.want)
		}
	}
}

// TestPDF417ZXing renders boarding passes as PDF417 and requires ZXing to
// read back exactly the BCBP string.
func TestPDF417ZXing(t *testing.T) {
	pdf417test.Reader(t)
	var want []string
	for _, p := range samplePasses() {
		s, err := Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
	}
	want = append(want, examples(t)...)
	var pngs [][]byte
	for _, s := range want {
		sym, err := pdf417.Encode([]byte(s), pdf417.Options{})
		if err != nil {
			t.Fatal(err)
		}
		png, err := sym.PNG(2, 6, 2)
		if err != nil {
			t.Fatal(err)
		}
		pngs = append(pngs, png)
	}
	got, errs := pdf417test.Decode(t, pngs)
	for i := range want {
		if errs[i] != nil {
			t.Errorf("pass %d: %v", i, errs[i])
		} else if string(got[i]) != want[i] {
			t.Errorf("pass %d: ZXing read %q, want %q", i, got[i], want[i])
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range examples(f) {
		f.Add(s)
	}
	for _, p := range samplePasses() {
		s, _ := Encode(p)
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Decode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode(%q): error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		got, err := Encode(p)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)): %v", s, err)
		}
		if got != s {
			t.Fatalf("Encode(Decode(s)) = %q, want %q", got, s)
		}
	})
}
