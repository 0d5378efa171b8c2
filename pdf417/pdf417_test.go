package pdf417

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"airbridge/pdf417/pdf417test"
)

func TestECCoefficients(t *testing.T) {
	// ISO/IEC 15438 Annex A.2 (levels 0 and 1).
	tests := []struct {
		k    int
		want []int
	}{
		{2, []int{27, 917}},
		{4, []int{522, 568, 723, 809}},
	}
	for _, tt := range tests {
		if got := ecCoefficients(tt.k); !equalInts(got, tt.want) {
			t.Errorf("ecCoefficients(%d) = %v, want %v", tt.k, got, tt.want)
		}
	}
}

// The codewords of every symbol, read as a polynomial with the first
// codeword as the highest power, vanish at 3^1..3^k.
func TestErrorCorrectionSyndromes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for level := 1; level <= MaxECLevel; level++ {
		data := make([]byte, 1+rng.IntN(200))
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		s, err := Encode(data, Options{ECLevel: level})
		if err != nil {
			if errors.Is(err, ErrTooLong) {
				continue
			}
			t.Fatal(err)
		}
		k := 2 << level
		root := 1
		for i := 1; i <= k; i++ {
			root = root * 3 % gfPrime
			sum := 0
			for _, c := range s.Codewords {
				sum = (sum*root + c) % gfPrime
			}
			if sum != 0 {
				t.Fatalf("level %d: syndrome %d = %d, want 0", level, i, sum)
			}
		}
	}
}

func TestRowIndicators(t *testing.T) {
	// 10 rows, 4 columns, level 2: (rows-1)/3 = 3, level*3+(rows-1)%3 = 6, cols-1 = 3.
	tests := []struct{ y, left, right int }{
		{0, 3, 3}, {1, 6, 3}, {2, 3, 6},
		{3, 33, 33}, {4, 36, 33}, {5, 33, 36},
		{9, 93, 93},
	}
	for _, tt := range tests {
		l, r := rowIndicators(tt.y, 10, 4, 2)
		if l != tt.left || r != tt.right {
			t.Errorf("row %d: indicators %d, %d; want %d, %d", tt.y, l, r, tt.left, tt.right)
		}
	}
}

func TestTextCompaction(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"AB", []int{0*30 + 1}},
		{"A", []int{0*30 + tcPS}},
		{"Ab", []int{0*30 + tcLL, 1*30 + tcPS}},
		{"A1", []int{0*30 + tcML, 1*30 + tcPS}},
		{"A;", []int{0*30 + tcPS, 0*30 + tcPS}},
		{"A;<B", []int{0*30 + tcML, tcPL*30 + 0, 1*30 + tcPA, 1*30 + tcPS}},
	}
	for _, tt := range tests {
		if got := textCompaction([]byte(tt.in)); !equalInts(got, tt.want) {
			t.Errorf("textCompaction(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		opt     Options
		tooLong bool
	}{
		{"columns", []byte("A"), Options{Columns: 31}, false},
		{"rows low", []byte("A"), Options{Rows: 2}, false},
		{"rows high", []byte("A"), Options{Rows: 91}, false},
		{"level", []byte("A"), Options{ECLevel: 9}, false},
		{"aspect", []byte("A"), Options{AspectRatio: -1}, false},
		{"too long", bytes.Repeat([]byte{0xff}, 2000), Options{}, true},
		{"too long for level", bytes.Repeat([]byte{0xff}, 600), Options{ECLevel: 8}, true},
		{"too small", bytes.Repeat([]byte{0xff}, 100), Options{Rows: 3, Columns: 3}, true},
		{"over 928", []byte("A"), Options{Rows: 90, Columns: 11}, true},
	}
	for _, tt := range tests {
		_, err := Encode(tt.data, tt.opt)
		if err == nil {
			t.Errorf("%s: Encode succeeded, want error", tt.name)
			continue
		}
		if got := errors.Is(err, ErrTooLong); got != tt.tooLong {
			t.Errorf("%s: Encode error %v; errors.Is(err, ErrTooLong) = %v, want %v", tt.name, err, got, tt.tooLong)
		}
	}
}

type decodeCase struct {
	name string
	data []byte
	opt  Options
	sym  *Symbol
}

// bcbpLike is uppercase boarding-pass-like text of length n.
func bcbpLike(rng *rand.Rand, n int) []byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /<>"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

// rowsCase returns a case with exactly rows rows: for odd counts with Rows
// forced, for even ones by growing the data in a fixed column count until
// the symbol has that many rows.
func rowsCase(t *testing.T, rng *rand.Rand, rows int) decodeCase {
	t.Helper()
	gen := randomBytes
	if rows%3 == 1 {
		gen = bcbpLike
	}
	if rows%2 == 1 {
		data := gen(rng, 2*rows)
		opt := Options{Rows: rows, ECLevel: 1 + rows%4}
		s, err := Encode(data, opt)
		if err != nil {
			t.Fatalf("rows %d: %v", rows, err)
		}
		return decodeCase{fmt.Sprintf("rows=%d forced", rows), data, opt, s}
	}
	for _, opt := range []Options{{Columns: 1 + rows%5, ECLevel: 1 + rows%3}, {Columns: 2}, {Columns: 1, ECLevel: 1}} {
		full := gen(rng, 3000)
		for n := 1; n < len(full); n++ {
			s, err := Encode(full[:n], opt)
			if err != nil || s.Rows > rows {
				break
			}
			if s.Rows == rows {
				return decodeCase{fmt.Sprintf("rows=%d from %d bytes %+v", rows, n, opt), full[:n], opt, s}
			}
		}
	}
	t.Fatalf("no data gives %d rows", rows)
	return decodeCase{}
}

// TestDecodeZXing renders symbols of every row count from 3 to 90, and a
// range of column counts, error correction levels and data, and requires
// ZXing to decode each to exactly its input.
func TestDecodeZXing(t *testing.T) {
	pdf417test.Reader(t)
	rng := rand.New(rand.NewPCG(417, 15438))
	var cases []decodeCase
	for rows := MinRows; rows <= MaxRows; rows++ {
		cases = append(cases, rowsCase(t, rng, rows))
	}
	add := func(name string, data []byte, opt Options) {
		s, err := Encode(data, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases = append(cases, decodeCase{name, data, opt, s})
	}
	for _, cols := range []int{1, 2, 5, 9, 17, 24, 30} {
		add(fmt.Sprintf("columns=%d", cols), bcbpLike(rng, 60+cols), Options{Columns: cols})
	}
	for level := 1; level <= MaxECLevel; level++ {
		add(fmt.Sprintf("level=%d", level), randomBytes(rng, 40), Options{ECLevel: level})
	}
	add("boarding pass", []byte("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"), Options{})
	add("all printable ASCII", []byte(func() string {
		var b strings.Builder
		for c := ' '; c <= '~'; c++ {
			b.WriteRune(c)
		}
		return b.String() + "\t\r\nmixed Case text; with: punctuation!? {x} |y| ~z~"
	}()), Options{})
	add("punctuation runs", []byte("A;<>@[B]\\_`~C!\"D'(E)?{F}|G"), Options{})
	add("lower and upper shifts", []byte("aBcDeFgHi jKl MNO pqr 123 abc"), Options{})
	add("single byte", []byte{0x80}, Options{})
	add("six bytes (924)", []byte{0, 1, 2, 0xfd, 0xfe, 0xff}, Options{})
	add("eleven bytes", randomBytes(rng, 11), Options{})
	add("large bytes", randomBytes(rng, 700), Options{})
	add("large text", bcbpLike(rng, 900), Options{})
	add("wide", bcbpLike(rng, 300), Options{AspectRatio: 8})

	pngs := make([][]byte, len(cases))
	for i, c := range cases {
		p, err := c.sym.PNG(2, 6, 2)
		if err != nil {
			t.Fatal(err)
		}
		pngs[i] = p
	}
	got, errs := pdf417test.Decode(t, pngs)
	for i, c := range cases {
		desc := fmt.Sprintf("%s (%d rows × %d columns, level %d)", c.name, c.sym.Rows, c.sym.Columns, c.sym.ECLevel)
		if errs[i] != nil {
			t.Errorf("%s: %v", desc, errs[i])
			continue
		}
		if !bytes.Equal(got[i], c.data) {
			t.Errorf("%s: decoded %q, want %q", desc, got[i], c.data)
		}
	}
	for rows := MinRows; rows <= MaxRows; rows++ {
		if cases[rows-MinRows].sym.Rows != rows {
			t.Errorf("case %s has %d rows", cases[rows-MinRows].name, cases[rows-MinRows].sym.Rows)
		}
	}
}

func TestPNG(t *testing.T) {
	s, err := Encode([]byte("ABC"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Image(2, 6, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Dx(), (s.Width+4)*2; got != want {
		t.Errorf("width %d, want %d", got, want)
	}
	if got, want := img.Bounds().Dy(), s.Rows*6+8; got != want {
		t.Errorf("height %d, want %d", got, want)
	}
	if img.ColorIndexAt(4, 4) != 1 || img.ColorIndexAt(3, 4) != 0 {
		t.Error("start pattern not where expected")
	}
	if _, err := s.PNG(0, 3, 2); err == nil {
		t.Error("PNG(0, 3, 2) succeeded")
	}
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte("M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"), uint8(0), uint8(0), uint8(0))
	f.Add([]byte{0, 1, 2, 3, 4, 5}, uint8(3), uint8(0), uint8(5))
	f.Add([]byte("a;b;c"), uint8(0), uint8(40), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, cols, rows, level uint8) {
		if len(data) > 2000 {
			return
		}
		opt := Options{Columns: int(cols) % 31, ECLevel: int(level) % 9}
		if rows%2 == 1 {
			opt.Rows = MinRows + int(rows)%(MaxRows-MinRows+1)
		}
		s, err := Encode(data, opt)
		if err != nil {
			if !errors.Is(err, ErrTooLong) {
				t.Fatalf("Encode(%d bytes, %+v): unexpected error %v", len(data), opt, err)
			}
			return
		}
		if s.Rows < MinRows || s.Rows > MaxRows || s.Columns < MinColumns || s.Columns > MaxColumns {
			t.Fatalf("symbol %d rows × %d columns out of limits", s.Rows, s.Columns)
		}
		if s.Rows*s.Columns > MaxCodewords || len(s.Codewords) != s.Rows*s.Columns {
			t.Fatalf("%d codewords in %d rows × %d columns", len(s.Codewords), s.Rows, s.Columns)
		}
		if (opt.Rows != 0 && s.Rows != opt.Rows) || (opt.Columns != 0 && s.Columns != opt.Columns) {
			t.Fatalf("symbol %d × %d, asked for %+v", s.Rows, s.Columns, opt)
		}
		for _, c := range s.Codewords {
			if c < 0 || c > 928 {
				t.Fatalf("codeword %d out of range", c)
			}
		}
		if s.Width != 17*s.Columns+69 || !s.Module(0, s.Rows-1) || s.Module(s.Width, 0) {
			t.Fatalf("bad module layout: width %d", s.Width)
		}
	})
}
