// Package pdf417 encodes PDF417 barcodes (ISO/IEC 15438).
//
// Data that is entirely printable ASCII (plus tab, CR and LF) is encoded with
// text compaction; anything else with byte compaction (mode 901/924). Error
// correction is Reed–Solomon over GF(929). Row indicators follow ISO/IEC 15438
// §5.3.3 for every row count, so symbols of any size from 3 to 90 rows decode.
package pdf417

import (
	"errors"
	"fmt"
	"math"
)

// Limits of a PDF417 symbol.
const (
	MinRows    = 3
	MaxRows    = 90
	MinColumns = 1
	MaxColumns = 30
	// MaxCodewords is the largest number of codewords (data, length
	// descriptor, padding and error correction) in one symbol.
	MaxCodewords = 928
	// MaxECLevel is the highest error correction level.
	MaxECLevel = 8
)

// ErrTooLong is returned (wrapped) when the data does not fit in a symbol
// with the requested or automatically chosen size and error correction level.
var ErrTooLong = errors.New("pdf417: data too long")

// Options control the shape and error correction of a symbol.
// The zero value chooses everything automatically.
type Options struct {
	// Columns is the number of data columns, 1..30; 0 chooses one.
	Columns int
	// Rows is the number of rows, 3..90; 0 chooses the fewest that fit.
	Rows int
	// ECLevel is the error correction level, 1..8 (2^(level+1) error
	// correction codewords); 0 chooses by data length, never below 2.
	// Level 0 (detection only) cannot be requested.
	ECLevel int
	// AspectRatio is the preferred width/height of the symbol when Columns
	// is not given, measured with rows three modules high (the usual
	// rendering). 0 means 3.
	AspectRatio float64
}

// Symbol is an encoded PDF417 symbol: Rows rows of 17*Columns+69 modules.
type Symbol struct {
	Rows    int // rows, 3..90
	Columns int // data columns, 1..30
	ECLevel int // error correction level used
	// Width is the number of modules in a row: start pattern, left row
	// indicator, Columns data codewords, right row indicator, stop pattern.
	Width int
	// Codewords holds every codeword in placement order: the data
	// codewords (length descriptor first, padding last), then the error
	// correction codewords.
	Codewords []int

	modules [][]bool // [row][x], true for dark
}

// Module reports whether module x of row y is dark. Out-of-range
// coordinates are light.
func (s *Symbol) Module(x, y int) bool {
	if y < 0 || y >= len(s.modules) || x < 0 || x >= s.Width {
		return false
	}
	return s.modules[y][x]
}

const (
	startPattern = 0x1fea8 // 17 modules
	stopPattern  = 0x3fa29 // 18 modules
	padCodeword  = 900
)

// Encode encodes data into a PDF417 symbol.
//
// It returns an error wrapping ErrTooLong if the data does not fit, and an
// error for out-of-range options or a Rows×Columns pair that cannot hold it.
func Encode(data []byte, opt Options) (*Symbol, error) {
	if opt.Columns < 0 || opt.Columns > MaxColumns {
		return nil, fmt.Errorf("pdf417: columns %d out of range %d..%d", opt.Columns, MinColumns, MaxColumns)
	}
	if opt.Rows != 0 && (opt.Rows < MinRows || opt.Rows > MaxRows) {
		return nil, fmt.Errorf("pdf417: rows %d out of range %d..%d", opt.Rows, MinRows, MaxRows)
	}
	if opt.ECLevel < 0 || opt.ECLevel > MaxECLevel {
		return nil, fmt.Errorf("pdf417: error correction level %d out of range 1..%d", opt.ECLevel, MaxECLevel)
	}
	if opt.AspectRatio < 0 || math.IsNaN(opt.AspectRatio) || math.IsInf(opt.AspectRatio, 0) {
		return nil, fmt.Errorf("pdf417: invalid aspect ratio %v", opt.AspectRatio)
	}

	src := highLevel(data)
	m := len(src) + 1 // with the length descriptor
	level := opt.ECLevel
	if level == 0 {
		level = autoECLevel(m)
	}
	k := 2 << level // error correction codewords
	if m+k > MaxCodewords {
		return nil, fmt.Errorf("%w: %d data and %d error correction codewords exceed %d", ErrTooLong, m, k, MaxCodewords)
	}
	cols, rows, err := dimensions(m+k, opt)
	if err != nil {
		return nil, err
	}

	n := cols*rows - k // data codewords including length descriptor and padding
	cw := make([]int, 0, cols*rows)
	cw = append(cw, n)
	cw = append(cw, src...)
	for len(cw) < n {
		cw = append(cw, padCodeword)
	}
	cw = append(cw, errorCorrection(cw, k)...)

	s := &Symbol{Rows: rows, Columns: cols, ECLevel: level, Width: 17*cols + 69, Codewords: cw}
	s.modules = make([][]bool, rows)
	for y := range rows {
		row := make([]bool, 0, s.Width)
		row = appendPattern(row, startPattern, 17)
		left, right := rowIndicators(y, rows, cols, level)
		table := &codewordPatterns[y%3]
		row = appendPattern(row, table[left], 17)
		for _, c := range cw[y*cols : (y+1)*cols] {
			row = appendPattern(row, table[c], 17)
		}
		row = appendPattern(row, table[right], 17)
		row = appendPattern(row, stopPattern, 18)
		s.modules[y] = row
	}
	return s, nil
}

// rowIndicators returns the left and right row indicator codeword values of
// row y (ISO/IEC 15438 §5.3.3). Row y uses cluster 3*(y mod 3).
func rowIndicators(y, rows, cols, level int) (left, right int) {
	base := (y / 3) * 30
	r := (rows - 1) / 3
	c := cols - 1
	l := level*3 + (rows-1)%3
	switch y % 3 {
	case 0:
		return base + r, base + c
	case 1:
		return base + l, base + r
	default:
		return base + c, base + l
	}
}

func appendPattern(row []bool, pattern uint32, n int) []bool {
	for i := n - 1; i >= 0; i-- {
		row = append(row, pattern>>uint(i)&1 == 1)
	}
	return row
}

// autoECLevel is the recommended error correction level for m data
// codewords (ISO/IEC 15438 Annex E), never below 2.
func autoECLevel(m int) int {
	switch {
	case m <= 40:
		return 2
	case m <= 160:
		return 3
	case m <= 320:
		return 4
	case m <= 863:
		return 5
	default:
		return 6
	}
}

// dimensions chooses columns and rows for need codewords.
func dimensions(need int, opt Options) (cols, rows int, err error) {
	fits := func(c, r int) bool {
		return c*r >= need && c*r <= MaxCodewords
	}
	switch {
	case opt.Columns > 0 && opt.Rows > 0:
		if !fits(opt.Columns, opt.Rows) {
			return 0, 0, fmt.Errorf("%w: %d codewords do not fit %d rows × %d columns (%d..%d codewords)",
				ErrTooLong, need, opt.Rows, opt.Columns, need, MaxCodewords)
		}
		return opt.Columns, opt.Rows, nil
	case opt.Columns > 0:
		r := max(MinRows, ceilDiv(need, opt.Columns))
		if r > MaxRows || !fits(opt.Columns, r) {
			return 0, 0, fmt.Errorf("%w: %d codewords do not fit %d columns", ErrTooLong, need, opt.Columns)
		}
		return opt.Columns, r, nil
	case opt.Rows > 0:
		c := max(MinColumns, ceilDiv(need, opt.Rows))
		if c > MaxColumns || !fits(c, opt.Rows) {
			return 0, 0, fmt.Errorf("%w: %d codewords do not fit %d rows", ErrTooLong, need, opt.Rows)
		}
		return c, opt.Rows, nil
	}
	want := opt.AspectRatio
	if want == 0 {
		want = 3
	}
	best := math.Inf(1)
	for c := MinColumns; c <= MaxColumns; c++ {
		r := max(MinRows, ceilDiv(need, c))
		if r > MaxRows || !fits(c, r) {
			continue
		}
		ratio := float64(17*c+69) / float64(3*r)
		if d := math.Abs(math.Log(ratio / want)); d < best {
			best, cols, rows = d, c, r
		}
	}
	if cols == 0 {
		return 0, 0, fmt.Errorf("%w: %d codewords fit no symbol", ErrTooLong, need)
	}
	return cols, rows, nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
