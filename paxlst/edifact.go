package paxlst

import (
	"bytes"
	"errors"
	"fmt"
)

// This file is the EDIFACT syntax layer: segments, escaping, and the
// splitting of an interchange into segments. It knows nothing of PAXLST.

// A segment is one EDIFACT segment: its tag and its data elements, each a
// list of components, unescaped.
type segment struct {
	tag string
	els [][]string
	pos int // 1-based position in the interchange, UNA not counted
}

// get returns component j of data element i, both 0-based and counted after
// the tag, or "" when there is none.
func (s segment) get(i, j int) string {
	if i >= len(s.els) || j >= len(s.els[i]) {
		return ""
	}
	return s.els[i][j]
}

// fits returns an error if s holds data beyond limits: a non-empty component j
// of element i with j >= limits[i], or a non-empty element past len(limits). Empty
// trailing components and elements are allowed, as the syntax permits.
func (s segment) fits(limits ...int) error {
	for i, el := range s.els {
		limit := 0
		if i < len(limits) {
			limit = limits[i]
		}
		for j := limit; j < len(el); j++ {
			if el[j] != "" {
				return s.errorf("unexpected data in element %d, component %d", i+1, j+1)
			}
		}
	}
	return nil
}

// errorf returns a *ParseError for s.
func (s segment) errorf(format string, args ...any) error {
	return &ParseError{Segment: s.pos, Tag: s.tag, Err: fmt.Errorf(format, args...)}
}

// wrap returns err as a *ParseError for s.
func (s segment) wrap(err error) error {
	return &ParseError{Segment: s.pos, Tag: s.tag, Err: err}
}

// delims are the separators of an interchange: component, data element,
// release (escape) and segment terminator.
type delims struct{ comp, data, release, term byte }

// una is the service string advice Encode writes, and the delimiters Parse
// assumes without one: component ':', data '+', decimal '.', release '?',
// reserved ' ', terminator '\”.
const una = "UNA:+.? '"

var std = delims{':', '+', '?', '\''}

// writer writes segments with the standard delimiters and counts them.
type writer struct {
	buf      bytes.Buffer
	newline  bool // a '\n' after each terminator
	segments int  // segments written, UNA not counted
}

// el makes a data element of its components.
func el(components ...string) []string { return components }

// seg writes one segment. Trailing empty components and elements are left
// out; every ':', '+', '\” and '?' in a component is preceded by '?'.
func (w *writer) seg(tag string, els ...[]string) {
	for len(els) > 0 && empty(els[len(els)-1]) {
		els = els[:len(els)-1]
	}
	w.buf.WriteString(tag)
	for _, e := range els {
		for len(e) > 0 && e[len(e)-1] == "" {
			e = e[:len(e)-1]
		}
		w.buf.WriteByte(std.data)
		for j, c := range e {
			if j > 0 {
				w.buf.WriteByte(std.comp)
			}
			for i := 0; i < len(c); i++ {
				switch c[i] {
				case std.comp, std.data, std.release, std.term:
					w.buf.WriteByte(std.release)
				}
				w.buf.WriteByte(c[i])
			}
		}
	}
	w.buf.WriteByte(std.term)
	if w.newline {
		w.buf.WriteByte('\n')
	}
	w.segments++
}

func empty(e []string) bool {
	for _, c := range e {
		if c != "" {
			return false
		}
	}
	return true
}

// split cuts an interchange into segments and un-escapes their components.
// A leading UNA sets the delimiters; CR and LF right after a terminator are
// skipped. Input that ends inside a segment is ErrTruncated.
func split(b []byte) ([]segment, error) {
	d := std
	if bytes.HasPrefix(b, []byte("UNA")) {
		if len(b) < len(una) {
			return nil, &ParseError{Segment: 0, Tag: "UNA", Err: fmt.Errorf("%w: service string advice", ErrTruncated)}
		}
		a := b[3:9]
		d = delims{comp: a[0], data: a[1], release: a[3], term: a[5]}
		if err := d.check(a[4]); err != nil {
			return nil, &ParseError{Segment: 0, Tag: "UNA", Err: err}
		}
		b = skipNewlines(b[len(una):])
	}
	var (
		segs    []segment
		els     [][]string
		el      []string
		comp    []byte
		pending bool // a segment has begun and not ended
	)
	for i := 0; i < len(b); i++ {
		pending = true
		switch c := b[i]; c {
		case d.release:
			i++
			if i == len(b) {
				return nil, &ParseError{Segment: len(segs) + 1, Err: fmt.Errorf("%w: input ends after a release character", ErrTruncated)}
			}
			comp = append(comp, b[i])
		case d.comp:
			el = append(el, string(comp))
			comp = comp[:0]
		case d.data:
			els = append(els, append(el, string(comp)))
			el, comp = nil, comp[:0]
		case d.term:
			els = append(els, append(el, string(comp)))
			el, comp = nil, comp[:0]
			s, err := newSegment(len(segs)+1, els)
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
			els, pending = nil, false
			for i+1 < len(b) && (b[i+1] == '\r' || b[i+1] == '\n') {
				i++
			}
		default:
			comp = append(comp, c)
		}
	}
	if pending {
		return nil, &ParseError{Segment: len(segs) + 1, Err: fmt.Errorf("%w: last segment has no terminator", ErrTruncated)}
	}
	return segs, nil
}

// check returns an error unless the four delimiters are distinct, none is a
// letter, digit, space, CR or LF, and the reserved character is a space.
func (d delims) check(reserved byte) error {
	if reserved != ' ' {
		return errors.New("reserved character in UNA is not a space")
	}
	all := []byte{d.comp, d.data, d.release, d.term}
	for i, c := range all {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ' ' || c == '\r' || c == '\n' {
			return fmt.Errorf("delimiter %q in UNA is a letter, digit or space", c)
		}
		if bytes.IndexByte(all[i+1:], c) >= 0 {
			return fmt.Errorf("delimiter %q in UNA used twice", c)
		}
	}
	return nil
}

func skipNewlines(b []byte) []byte {
	for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// newSegment makes segment pos of its elements, the first being the tag:
// three letters A-Z and nothing else.
func newSegment(pos int, els [][]string) (segment, error) {
	tag := els[0]
	ok := len(tag) == 1 && len(tag[0]) == 3
	for i := 0; ok && i < 3; i++ {
		ok = tag[0][i] >= 'A' && tag[0][i] <= 'Z'
	}
	if !ok {
		t := tag[0]
		if len(t) > 10 {
			t = t[:10]
		}
		return segment{}, &ParseError{Segment: pos, Err: fmt.Errorf("segment tag %q is not three letters A-Z", t)}
	}
	return segment{tag: tag[0], els: els[1:], pos: pos}, nil
}
