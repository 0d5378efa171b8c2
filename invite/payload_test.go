package invite

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestAppendID(t *testing.T) {
	for _, tc := range []struct {
		id    string
		flags byte
		want  []byte
	}{
		{"A", 0, []byte{0x40, 0x00}},
		{"_", 0, []byte{0x40, 0xfc}},
		{"AB", docBit, []byte{0xc1, 0x00, 0x10}},
		{"abcd", 0, []byte{0x43, 0x69, 0xb7, 0x1d}}, // base64url "abcd"
		{"a.b", 0, []byte{0x02, 'a', '.', 'b'}},
		{".", docBit, []byte{0x80, '.'}},
		{strings.Repeat("_", MaxName), 0, append([]byte{0x7f}, bytes.Repeat([]byte{0xff}, 48)...)},
	} {
		if got := appendID(nil, tc.id, tc.flags); !bytes.Equal(got, tc.want) {
			t.Errorf("appendID(%q, %#x) = %x, want %x", tc.id, tc.flags, got, tc.want)
		}
		d := decoder{b: tc.want}
		id, doc, err := d.id("id", true)
		if err != nil || id != tc.id || doc != (tc.flags == docBit) || len(d.b) != 0 {
			t.Errorf("id(%x) = %q, %v, %v with %d bytes left; want %q", tc.want, id, doc, err, len(d.b), tc.id)
		}
	}
}

func TestIDMalformed(t *testing.T) {
	for _, tc := range []struct {
		b    []byte
		want string
	}{
		{nil, "header: truncated"},
		{[]byte{0x41, 0x00}, "truncated"},           // 2 packed characters need 2 bytes
		{[]byte{0x40, 0x01}, "padding bits set"},    // "A" with a stray bit
		{[]byte{0x00, 'A'}, "not packed"},           // "A" must be packed
		{[]byte{0x01, '.'}, "truncated"},            // 2 bytes announced
		{[]byte{0xc0, 0x00}, "doc bit set"},         // not a person's id
		{[]byte{0x02, 'a', 'b', 'c'}, "not packed"}, // no '.'
	} {
		d := decoder{b: tc.b}
		if id, _, err := d.id("id", false); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("id(%x) = %q, %v; want an error saying %q", tc.b, id, err, tc.want)
		}
	}
}

// FuzzDecode checks that decoding never panics and that every payload it
// accepts is the one encoding of its invitation.
func FuzzDecode(f *testing.F) {
	f.Add(encode(example()))
	f.Add([]byte{})
	f.Add([]byte{version, 1, 'O', 0x40, 0, 0x02, 'a', '.', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, payload []byte) {
		inv, err := decode(payload)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("decode error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if err := validate(inv); err != nil {
			t.Fatalf("decoded an invalid invitation: %v", err)
		}
		if again := encode(inv); !bytes.Equal(again, payload) {
			t.Fatalf("decode(%x) = %+v, which encodes to %x", payload, inv, again)
		}
	})
}
