package pdf417

// Mode latch codewords.
const (
	latchText     = 900
	latchByte     = 901
	latchByteFull = 924 // byte compaction, length a multiple of 6
)

// highLevel returns the source codewords for data: text compaction when
// every byte is printable ASCII, tab, CR or LF; byte compaction otherwise.
func highLevel(data []byte) []int {
	if len(data) > 0 && isText(data) {
		return textCompaction(data)
	}
	return byteCompaction(data)
}

func isText(data []byte) bool {
	for _, b := range data {
		if !(b >= ' ' && b <= '~' || b == '\t' || b == '\r' || b == '\n') {
			return false
		}
	}
	return true
}

// byteCompaction encodes data after a 901 or 924 latch: groups of six bytes
// as five base-900 codewords, a final partial group one codeword per byte.
func byteCompaction(data []byte) []int {
	cw := make([]int, 0, 1+len(data))
	if len(data)%6 == 0 {
		cw = append(cw, latchByteFull)
	} else {
		cw = append(cw, latchByte)
	}
	i := 0
	for ; len(data)-i >= 6; i += 6 {
		var v uint64
		for _, b := range data[i : i+6] {
			v = v<<8 | uint64(b)
		}
		var g [5]int
		for j := 4; j >= 0; j-- {
			g[j] = int(v % 900)
			v /= 900
		}
		cw = append(cw, g[:]...)
	}
	for _, b := range data[i:] {
		cw = append(cw, int(b))
	}
	return cw
}

// Text compaction sub-modes.
const (
	subAlpha = iota
	subLower
	subMixed
	subPunct
)

// Sub-mode switch values.
const (
	tcLL = 27 // latch to lower (from alpha, mixed)
	tcAS = 27 // shift to alpha (from lower)
	tcML = 28 // latch to mixed (from alpha, lower)
	tcAL = 28 // latch to alpha (from mixed)
	tcPS = 29 // shift to punctuation (alpha, lower, mixed)
	tcPL = 25 // latch to punctuation (from mixed)
	tcPA = 29 // latch to alpha (from punctuation)
)

var (
	mixedChars = "0123456789&\r\t,:#-.$/+%*=^"        // values 0..24
	punctChars = ";<>@[\\]_`~!\r\t,:\n-.$/\"|*()?{}'" // values 0..28
)

func mixedValue(b byte) int {
	if b == ' ' {
		return 26
	}
	return indexByte(mixedChars, b)
}

func punctValue(b byte) int { return indexByte(punctChars, b) }

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' || b == ' ' }
func isLower(b byte) bool { return b >= 'a' && b <= 'z' || b == ' ' }

func alphaValue(b byte) int {
	if b == ' ' {
		return 26
	}
	return int(b - 'A')
}

func lowerValue(b byte) int {
	if b == ' ' {
		return 26
	}
	return int(b - 'a')
}

// textCompaction encodes text-compactable data (see isText), starting in
// the alpha sub-mode that is in force at the start of a symbol.
func textCompaction(data []byte) []int {
	var v []int // values 0..29
	sub := subAlpha
	for i := 0; i < len(data); {
		b := data[i]
		nextPunct := i+1 < len(data) && punctValue(data[i+1]) >= 0
		switch sub {
		case subAlpha:
			switch {
			case isUpper(b):
				v = append(v, alphaValue(b))
				i++
			case isLower(b):
				v = append(v, tcLL)
				sub = subLower
			case mixedValue(b) >= 0:
				v = append(v, tcML)
				sub = subMixed
			case nextPunct:
				v = append(v, tcML, tcPL)
				sub = subPunct
			default:
				v = append(v, tcPS, punctValue(b))
				i++
			}
		case subLower:
			switch {
			case isLower(b):
				v = append(v, lowerValue(b))
				i++
			case isUpper(b):
				v = append(v, tcAS, alphaValue(b))
				i++
			case mixedValue(b) >= 0:
				v = append(v, tcML)
				sub = subMixed
			case nextPunct:
				v = append(v, tcML, tcPL)
				sub = subPunct
			default:
				v = append(v, tcPS, punctValue(b))
				i++
			}
		case subMixed:
			switch {
			case mixedValue(b) >= 0:
				v = append(v, mixedValue(b))
				i++
			case isUpper(b):
				v = append(v, tcAL)
				sub = subAlpha
			case isLower(b):
				v = append(v, tcLL)
				sub = subLower
			case nextPunct:
				v = append(v, tcPL)
				sub = subPunct
			default:
				v = append(v, tcPS, punctValue(b))
				i++
			}
		default: // subPunct
			if p := punctValue(b); p >= 0 {
				v = append(v, p)
				i++
			} else {
				v = append(v, tcPA)
				sub = subAlpha
			}
		}
	}
	if len(v)%2 == 1 {
		v = append(v, tcPS) // padding
	}
	cw := make([]int, 0, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		cw = append(cw, 30*v[i]+v[i+1])
	}
	return cw
}
