package invite

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// The payload, version 1, is:
//
//	version    1 byte: 1
//	operation  1 byte n (1-64), then n bytes of UTF-8
//	group      id
//	gate       id
//	issued     4 bytes: Unix minutes, big-endian
//	start      4 bytes: Unix minutes, big-endian
//	length     2 bytes: End - Start in minutes (1-2880), big-endian
//	count      1 byte (1-100)
//	persons    count times: id, then 8 bytes of Doc when the id's doc bit is set
//
// An id starts with a header byte: bits 0-5 hold its length n less one, bit 6
// says it is packed, bit 7 (persons only) that a Doc follows. A packed id is
// n characters of alphabet, 6 bits each, most significant first, in
// ceil(6n/8) bytes whose last unused bits are 0; an unpacked id is n bytes. An
// id is packed exactly when it has no '.', so that every invitation has one
// encoding. Decoding rejects anything else: trailing bytes included.

const (
	version = 1
	// alphabet packs 6 bits a character: all id characters but '.'.
	alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

	packedBit = 0x40
	docBit    = 0x80

	// maxPayload is the length of the largest payload.
	maxPayload = 1 + 1 + 3*(1+MaxName) + 4 + 4 + 2 + 1 + MaxPersons*(1+MaxName+DocSize)
)

// encode returns the payload of inv, which must be valid.
func encode(inv Invitation) []byte {
	b := []byte{version, byte(len(inv.Operation))}
	b = append(b, inv.Operation...)
	b = appendID(b, inv.Group, 0)
	b = appendID(b, inv.Gate, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(inv.Issued.Unix()/60))
	b = binary.BigEndian.AppendUint32(b, uint32(inv.Start.Unix()/60))
	b = binary.BigEndian.AppendUint16(b, uint16(inv.End.Sub(inv.Start)/time.Minute))
	b = append(b, byte(len(inv.Persons)))
	for _, p := range inv.Persons {
		var flags byte
		if len(p.Doc) > 0 {
			flags = docBit
		}
		b = appendID(b, p.ID, flags)
		b = append(b, p.Doc...)
	}
	return b
}

// appendID appends the header byte, with flags, and the id.
func appendID(b []byte, id string, flags byte) []byte {
	if strings.Contains(id, ".") {
		return append(append(b, flags|byte(len(id)-1)), id...)
	}
	b = append(b, flags|packedBit|byte(len(id)-1))
	var acc uint32 // bits not yet appended, in its nbits low bits
	nbits := 0
	for i := range len(id) {
		acc = acc<<6 | uint32(strings.IndexByte(alphabet, id[i]))
		for nbits += 6; nbits >= 8; nbits -= 8 {
			b = append(b, byte(acc>>(nbits-8)))
		}
	}
	if nbits > 0 {
		b = append(b, byte(acc<<(8-nbits)))
	}
	return b
}

// decode parses and validates a payload. Errors wrap ErrMalformed.
func decode(payload []byte) (Invitation, error) {
	d := decoder{b: payload}
	inv, err := d.invitation()
	if err == nil && len(d.b) > 0 {
		err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	if err == nil {
		err = validate(inv)
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return inv, nil
}

// decoder consumes a payload from the front.
type decoder struct {
	b []byte
}

func (d *decoder) invitation() (Invitation, error) {
	var inv Invitation
	v, err := d.bytes("version", 1)
	if err != nil {
		return inv, err
	}
	if v[0] != version {
		return inv, fmt.Errorf("payload version %d, want %d", v[0], version)
	}
	n, err := d.bytes("operation length", 1)
	if err != nil {
		return inv, err
	}
	op, err := d.bytes("operation", int(n[0]))
	if err != nil {
		return inv, err
	}
	inv.Operation = string(op)
	if inv.Group, _, err = d.id("group", false); err != nil {
		return inv, err
	}
	if inv.Gate, _, err = d.id("gate", false); err != nil {
		return inv, err
	}
	times, err := d.bytes("times", 4+4+2)
	if err != nil {
		return inv, err
	}
	minute := func(b []byte) time.Time { return time.Unix(int64(binary.BigEndian.Uint32(b))*60, 0).UTC() }
	inv.Issued = minute(times[0:4])
	inv.Start = minute(times[4:8])
	inv.End = inv.Start.Add(time.Duration(binary.BigEndian.Uint16(times[8:10])) * time.Minute)
	count, err := d.bytes("person count", 1)
	if err != nil {
		return inv, err
	}
	inv.Persons = make([]Person, count[0])
	for i := range inv.Persons {
		what := fmt.Sprintf("persons[%d]", i)
		id, doc, err := d.id(what, true)
		if err != nil {
			return inv, err
		}
		inv.Persons[i].ID = id
		if doc {
			b, err := d.bytes(what+".doc", DocSize)
			if err != nil {
				return inv, err
			}
			inv.Persons[i].Doc = append([]byte(nil), b...)
		}
	}
	return inv, nil
}

// bytes consumes n bytes; what names them in the error.
func (d *decoder) bytes(what string, n int) ([]byte, error) {
	if len(d.b) < n {
		return nil, fmt.Errorf("%s: truncated", what)
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b, nil
}

// id consumes an id and reports whether its doc bit was set, which is an
// error unless docOK.
func (d *decoder) id(what string, docOK bool) (id string, doc bool, err error) {
	h, err := d.bytes(what+" header", 1)
	if err != nil {
		return "", false, err
	}
	doc = h[0]&docBit != 0
	if doc && !docOK {
		return "", false, fmt.Errorf("%s: doc bit set", what)
	}
	n := int(h[0]&0x3f) + 1
	if h[0]&packedBit == 0 {
		b, err := d.bytes(what, n)
		if err != nil {
			return "", false, err
		}
		if !strings.Contains(string(b), ".") {
			return "", false, fmt.Errorf("%s: not packed, but has no '.'", what)
		}
		return string(b), doc, nil
	}
	b, err := d.bytes(what, (6*n+7)/8)
	if err != nil {
		return "", false, err
	}
	s := make([]byte, n)
	for i := range s {
		bit := 6 * i
		// The 6 bits of character i span bytes bit/8 and maybe bit/8+1.
		w := uint16(b[bit/8]) << 8
		if bit/8+1 < len(b) {
			w |= uint16(b[bit/8+1])
		}
		s[i] = alphabet[w>>(10-bit%8)&0x3f]
	}
	if pad := 8*len(b) - 6*n; b[len(b)-1]&(1<<pad-1) != 0 {
		return "", false, fmt.Errorf("%s: padding bits set", what)
	}
	return string(s), doc, nil
}
