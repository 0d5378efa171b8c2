package bcbp

import (
	"fmt"
	"strings"
)

// reader reads fixed-size items from a BCBP string, tracking the position
// for error messages.
type reader struct {
	s   string
	pos int
}

func (r *reader) take(name string, n int) (string, error) {
	if r.pos+n > len(r.s) {
		return "", errorf("%s at position %d: need %d characters, have %d", name, r.pos+1, n, len(r.s)-r.pos)
	}
	v := r.s[r.pos : r.pos+n]
	r.pos += n
	return v, nil
}

// value reads an item of width n and checks it; the value is returned
// without trailing spaces.
func (r *reader) value(where, name string, n int) (string, error) {
	start := r.pos
	raw, err := r.take(where+name, n)
	if err != nil {
		return "", err
	}
	v := strings.TrimRight(raw, " ")
	if err := checkValue(name, n, v); err != nil {
		return "", errorf("%s%v (position %d)", where, err, start+1)
	}
	return v, nil
}

// hex reads a 2-digit upper-case hexadecimal size.
func (r *reader) hex(name string) (int, error) {
	start := r.pos
	raw, err := r.take(name, 2)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := 0; i < 2; i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			n = n*16 + int(c-'0')
		case c >= 'A' && c <= 'F':
			n = n*16 + int(c-'A'+10)
		default:
			return 0, errorf("%s at position %d: %q is not 2 upper-case hexadecimal digits", name, start+1, raw)
		}
	}
	return n, nil
}

// block reads the items of a conditional block of size bytes: the items
// that fit entirely, which must fill it exactly. It returns how many were
// read.
func (r *reader) block(where, name string, items []item, size int) (int, error) {
	start := r.pos
	end := r.pos + size
	n := 0
	for _, it := range items {
		if r.pos+it.width > end {
			break
		}
		v, err := r.value(where, it.name, it.width)
		if err != nil {
			return 0, err
		}
		*it.value = v
		n++
	}
	if r.pos != end {
		return 0, errorf("%s%s at position %d: size %d ends inside an item", where, name, start+1, size)
	}
	return n, nil
}

// Decode parses a BCBP string. Errors wrap ErrInvalid and name the item and
// its position, as in "leg 1 flight number: ... (position 37)". Decode
// accepts exactly the strings that Encode produces: Encode(Decode(s)) == s.
func Decode(s string) (Pass, error) {
	var p Pass
	r := &reader{s: s}
	if err := printable(s); err != nil {
		return Pass{}, errorf("%v", err)
	}
	format, err := r.take("format code", 1)
	if err != nil {
		return Pass{}, err
	}
	if format != "M" {
		return Pass{}, errorf("format code at position 1: %q, want \"M\"", format)
	}
	legs, err := r.take("number of legs encoded", 1)
	if err != nil {
		return Pass{}, err
	}
	if legs < "1" || legs > "4" {
		return Pass{}, errorf("number of legs encoded at position 2: %q not in 1..%d", legs, MaxLegs)
	}
	if p.Name, err = r.value("", "passenger name", 20); err != nil {
		return Pass{}, err
	}
	et, err := r.take("electronic ticket indicator", 1)
	if err != nil {
		return Pass{}, err
	}
	switch et {
	case "E":
		p.ElectronicTicket = true
	case " ":
	default:
		return Pass{}, errorf("electronic ticket indicator at position 23: %q, want \"E\" or \" \"", et)
	}

	p.Legs = make([]Leg, int(legs[0]-'0'))
	for i := range p.Legs {
		l := &p.Legs[i]
		where := fmt.Sprintf("leg %d ", i+1)
		for _, it := range l.mandatoryItems() {
			if *it.value, err = r.value(where, it.name, it.width); err != nil {
				return Pass{}, err
			}
		}
		size, err := r.hex(where + "field size of variable size field")
		if err != nil {
			return Pass{}, err
		}
		vstart := r.pos
		if _, err := r.take(where+"variable size field", size); err != nil {
			return Pass{}, err
		}
		v := &reader{s: s[:vstart+size], pos: vstart}
		if err := decodeVariable(v, &p, i, where); err != nil {
			return Pass{}, err
		}
	}

	if r.pos < len(s) {
		if s[r.pos] != '^' {
			return Pass{}, errorf("position %d: unexpected %q after the last leg", r.pos+1, s[r.pos:])
		}
		r.pos++
		sec := &Security{}
		if sec.Type, err = r.take("type of security data", 1); err != nil {
			return Pass{}, err
		}
		n, err := r.hex("length of security data")
		if err != nil {
			return Pass{}, err
		}
		if sec.Data, err = r.take("security data", n); err != nil {
			return Pass{}, err
		}
		if r.pos != len(s) {
			return Pass{}, errorf("position %d: unexpected %q after the security data", r.pos+1, s[r.pos:])
		}
		p.Security = sec
	}
	return p, nil
}

// decodeVariable decodes the variable-size field of leg i, which v holds
// up to its end.
func decodeVariable(v *reader, p *Pass, i int, where string) error {
	l := &p.Legs[i]
	if i == 0 && v.pos < len(v.s) && v.s[v.pos] == '>' {
		v.pos++
		ver, err := v.take(where+"version number", 1)
		if err != nil {
			return err
		}
		if ver < "1" || ver > "9" {
			return errorf("%sversion number at position %d: %q is not a digit 1..9", where, v.pos, ver)
		}
		p.Version = int(ver[0] - '0')
		size, err := v.hex(where + "field size of following structured message - unique")
		if err != nil {
			return err
		}
		if v.pos+size > len(v.s) {
			return errorf("%sfield size of following structured message - unique at position %d: %d exceeds the variable size field", where, v.pos-1, size)
		}
		items := p.uniqueItems()
		n, err := v.block(where, "structured message - unique", items, size)
		if err != nil {
			return err
		}
		if n > lastNonEmpty(items) {
			p.ConditionalItems = n
		}
	}
	if p.Version > 0 && v.pos < len(v.s) {
		size, err := v.hex(where + "field size of following structured message - repeated")
		if err != nil {
			return err
		}
		if v.pos+size > len(v.s) {
			return errorf("%sfield size of following structured message - repeated at position %d: %d exceeds the variable size field", where, v.pos-1, size)
		}
		items := l.repeatedItems()
		n, err := v.block(where, "structured message - repeated", items, size)
		if err != nil {
			return err
		}
		if n > lastNonEmpty(items) {
			l.ConditionalItems = n
		}
		if n == 0 && v.pos == len(v.s) {
			return errorf("%sfield size of following structured message - repeated at position %d: empty block with nothing after it", where, v.pos-1)
		}
	}
	l.AirlineData = v.s[v.pos:]
	return nil
}
