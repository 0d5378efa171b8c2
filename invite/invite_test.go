package invite

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testKey returns a fixed key pair for seed.
func testKey(seed byte) (ed25519.PrivateKey, ed25519.PublicKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv, priv.Public().(ed25519.PublicKey)
}

// example returns a typical invitation: a family of 6 with server-made ids,
// the youngest without a document.
func example() Invitation {
	doc := func(b byte) []byte { return bytes.Repeat([]byte{b}, DocSize) }
	return Invitation{
		Operation: "Allies Refuge",
		Group:     "G7K2M9QXR4T1B",
		Persons: []Person{
			{ID: "P0Z3XW9KD2M4A", Doc: doc(0x01)},
			{ID: "P1B7HJ4Q8RS2T", Doc: doc(0xfe)},
			{ID: "P2C9KM5T0VW3X", Doc: doc(0x80)},
			{ID: "P3D1NP6V2XY4Z", Doc: doc(0x7f)},
			{ID: "P4E3QR7W4Z05A", Doc: doc(0x00)},
			{ID: "P5F5ST8X6A16B"},
		},
		Gate:   "abbey-gate",
		Start:  time.Date(2021, 8, 20, 14, 0, 0, 0, time.UTC),
		End:    time.Date(2021, 8, 20, 16, 0, 0, 0, time.UTC),
		Issued: time.Date(2021, 8, 20, 9, 37, 0, 0, time.UTC),
	}
}

// mustSign signs inv with the key of seed 1.
func mustSign(t testing.TB, inv Invitation) string {
	t.Helper()
	priv, _ := testKey(1)
	text, err := Sign(inv, priv)
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func TestRoundTrip(t *testing.T) {
	kabul := time.FixedZone("AFT", 4*3600+1800)
	many := example()
	many.Persons = nil
	for i := range MaxPersons {
		p := Person{ID: fmt.Sprintf("P%d", i)}
		if i%2 == 1 {
			p = Person{ID: fmt.Sprintf("P.%d", i), Doc: []byte{byte(i), 1, 2, 3, 4, 5, 6, 7}}
		}
		many.Persons = append(many.Persons, p)
	}
	for _, tc := range []struct {
		name string
		edit func(*Invitation)
	}{
		{"typical", func(*Invitation) {}},
		{"local times", func(inv *Invitation) {
			inv.Start, inv.End, inv.Issued = inv.Start.In(kabul), inv.End.In(kabul), inv.Issued.In(kabul)
		}},
		{"ids with dots", func(inv *Invitation) {
			inv.Group, inv.Gate, inv.Persons[0].ID = "g.1", ".", "a.b-c_d"
		}},
		{"every packed length", func(inv *Invitation) {
			inv.Persons = nil
			for n := 1; n <= MaxName; n++ {
				inv.Persons = append(inv.Persons, Person{ID: (alphabet + alphabet)[n : 2*n]})
			}
		}},
		{"longest names", func(inv *Invitation) {
			inv.Operation = strings.Repeat("é", MaxName/2)
			inv.Group, inv.Gate = strings.Repeat("-", MaxName), strings.Repeat("9", MaxName)
		}},
		{"most persons", func(inv *Invitation) { *inv = many }},
		{"longest window", func(inv *Invitation) { inv.End = inv.Start.Add(MaxWindow) }},
		{"shortest window", func(inv *Invitation) { inv.End = inv.Start.Add(time.Minute) }},
		{"epoch", func(inv *Invitation) {
			inv.Issued, inv.Start, inv.End = time.Unix(0, 0), time.Unix(0, 0), time.Unix(60, 0)
		}},
		{"last minute", func(inv *Invitation) {
			last := time.Unix(maxMinutes*60, 0)
			inv.Issued, inv.Start, inv.End = last, last.Add(-time.Hour), last
		}},
		{"issued after the window", func(inv *Invitation) { inv.Issued = inv.End.Add(24 * time.Hour) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := example()
			tc.edit(&inv)
			priv, pub := testKey(1)
			text, err := Sign(inv, priv)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := Sign(inv, priv); again != text {
				t.Errorf("Sign is not deterministic:\n%s\n%s", text, again)
			}
			got, err := Verify(text, pub)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := inv
			want.Start, want.End, want.Issued = inv.Start.UTC(), inv.End.UTC(), inv.Issued.UTC()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Verify(Sign(inv)) (-want +got):\n%s", diff)
			}
			if resigned, _ := Sign(got, priv); resigned != text {
				t.Errorf("re-signed text differs:\n%s\n%s", text, resigned)
			}
		})
	}
}

// TestCompact pins the size of the typical invitation: two SMS segments
// (306 characters) at most, and only the characters of unpadded base64url.
func TestCompact(t *testing.T) {
	text := mustSign(t, example())
	t.Logf("%d characters: %s", len(text), text)
	if len(text) > 306 {
		t.Errorf("typical invitation is %d characters, want at most 306", len(text))
	}
	if !regexp.MustCompile(`^ABI1\.[A-Za-z0-9_-]+$`).MatchString(text) {
		t.Errorf("text %q has characters outside the text form", text)
	}
}

func TestSignInvalid(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Invitation)
		want string // in the error
	}{
		{func(inv *Invitation) { inv.Operation = "" }, "operation"},
		{func(inv *Invitation) { inv.Operation = strings.Repeat("a", MaxName+1) }, "operation"},
		{func(inv *Invitation) { inv.Operation = "a\nb" }, "operation"},
		{func(inv *Invitation) { inv.Operation = "\xff" }, "operation"},
		{func(inv *Invitation) { inv.Group = "" }, "group"},
		{func(inv *Invitation) { inv.Group = "G 1" }, "group"},
		{func(inv *Invitation) { inv.Group = strings.Repeat("g", MaxName+1) }, "group"},
		{func(inv *Invitation) { inv.Gate = "" }, "gate"},
		{func(inv *Invitation) { inv.Gate = "gate/1" }, "gate"},
		{func(inv *Invitation) { inv.Gate = "gäte" }, "gate"},
		{func(inv *Invitation) { inv.Persons = nil }, "persons"},
		{func(inv *Invitation) {
			inv.Persons = make([]Person, MaxPersons+1)
		}, "persons: 101"},
		{func(inv *Invitation) { inv.Persons[2].ID = "" }, "persons[2].id"},
		{func(inv *Invitation) { inv.Persons[2].ID = "P+1" }, "persons[2].id"},
		{func(inv *Invitation) { inv.Persons[3].ID = inv.Persons[1].ID }, "persons[3].id"},
		{func(inv *Invitation) { inv.Persons[4].Doc = make([]byte, 7) }, "persons[4].doc"},
		{func(inv *Invitation) { inv.Persons[4].Doc = make([]byte, 32) }, "persons[4].doc"},
		{func(inv *Invitation) { inv.Issued = inv.Issued.Add(time.Second) }, "issued"},
		{func(inv *Invitation) { inv.Issued = time.Unix(-60, 0) }, "issued"},
		{func(inv *Invitation) { inv.Issued = time.Unix((maxMinutes+1)*60, 0) }, "issued"},
		{func(inv *Invitation) { inv.Start = inv.Start.Add(time.Nanosecond) }, "start"},
		{func(inv *Invitation) { inv.Start = time.Time{} }, "start"},
		{func(inv *Invitation) { inv.End = inv.End.Add(30 * time.Second) }, "end"},
		{func(inv *Invitation) { inv.End = time.Unix((maxMinutes+1)*60, 0); inv.Start = inv.End.Add(-time.Hour) }, "end"},
		{func(inv *Invitation) { inv.End = inv.Start }, "window"},
		{func(inv *Invitation) { inv.End = inv.Start.Add(-time.Hour) }, "window"},
		{func(inv *Invitation) { inv.End = inv.Start.Add(MaxWindow + time.Minute) }, "window"},
	} {
		inv := example()
		tc.edit(&inv)
		priv, _ := testKey(1)
		text, err := Sign(inv, priv)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Sign = %q, %v; want an ErrInvalid naming %q", text, err, tc.want)
		}
	}
}

func TestKeySize(t *testing.T) {
	if _, err := Sign(example(), make([]byte, 10)); err == nil {
		t.Error("Sign with a short key: no error")
	}
	if _, err := Verify(mustSign(t, example()), make([]byte, 10)); err == nil || errors.Is(err, ErrForged) || errors.Is(err, ErrMalformed) {
		t.Errorf("Verify with a short key: %v, want another error", err)
	}
}

// raw returns the payload and signature of a text.
func raw(t *testing.T, text string) (payload, sig []byte) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, prefix))
	if err != nil {
		t.Fatal(err)
	}
	n := len(b) - ed25519.SignatureSize
	return b[:n], b[n:]
}

// join returns the text form of payload and signature.
func join(payload, sig []byte) string {
	return prefix + base64.RawURLEncoding.EncodeToString(append(append([]byte(nil), payload...), sig...))
}

// Offsets in the payload of example(): version, operation (1+13), group
// (1+10 packed), gate (1+8 packed), then times, count and persons.
const (
	groupAt  = 1 + 1 + 13
	startAt  = groupAt + 11 + 9 + 4
	lengthAt = startAt + 4
	countAt  = lengthAt + 2
	docAt    = countAt + 1 + 1 + 10 // the first person's
)

func TestVerifyForged(t *testing.T) {
	priv, pub := testKey(1)
	other, _ := testKey(2)
	text := mustSign(t, example())
	payload, sig := raw(t, text)
	flip := func(b []byte, i int) []byte {
		b = append([]byte(nil), b...)
		b[i] ^= 1
		return b
	}
	otherText, err := Sign(example(), other)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"doc byte altered":         join(flip(payload, docAt+3), sig),
		"start altered":            join(flip(payload, startAt+3), sig),
		"signature altered":        join(payload, flip(sig, 10)),
		"signed with other key":    otherText,
		"signature of other key":   join(payload, ed25519.Sign(other, message(payload))),
		"signature without domain": join(payload, ed25519.Sign(priv, payload)),
	} {
		if _, err := Verify(text, pub); err != ErrForged {
			t.Errorf("%s: Verify = %v, want ErrForged", name, err)
		}
	}

	// No single-bit change anywhere verifies: each is malformed or forged.
	forged := 0
	for i := range 8 * (len(payload) + len(sig)) {
		b := append(append([]byte(nil), payload...), sig...)
		b[i/8] ^= 1 << (i % 8)
		_, err := Verify(join(b[:len(payload)], b[len(payload):]), pub)
		switch {
		case err == ErrForged:
			forged++
		case !errors.Is(err, ErrMalformed):
			t.Fatalf("bit %d flipped: Verify = %v, want ErrForged or ErrMalformed", i, err)
		}
	}
	if forged < 8*len(sig) {
		t.Errorf("%d flips forged, want at least the %d of the signature", forged, 8*len(sig))
	}
}

func TestVerifyMalformed(t *testing.T) {
	priv, pub := testKey(1)
	text := mustSign(t, example())
	payload, sig := raw(t, text)
	body := strings.TrimPrefix(text, prefix)
	// signed returns payload validly signed: only its form is wrong.
	signed := func(payload []byte) string { return join(payload, ed25519.Sign(priv, message(payload))) }
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), payload...)) }
	for name, tc := range map[string]struct {
		text string
		want string // in the error
	}{
		"empty":             {"", "does not start"},
		"garbage":           {"hello, world", "does not start"},
		"prefix only":       {prefix, "too short"},
		"lower case":        {strings.ToLower(prefix) + body, "does not start"},
		"other version":     {"ABI2." + body, "unknown version"},
		"no dot":            {"ABI1" + body, "unknown version"},
		"signature only":    {prefix + base64.RawURLEncoding.EncodeToString(sig), "too short"},
		"truncated":         {text[:len(text)-1], ""},
		"truncated 3 bytes": {text[:len(text)-4], ""},
		"half":              {text[:len(text)/2], ""},
		"trailing newline":  {text + "\n", "base64"},
		"leading space":     {" " + text, "does not start"},
		"line break":        {text[:50] + "\r\n" + text[50:], "base64"},
		"padding":           {text + "==", "base64"},
		"standard base64":   {prefix + base64.RawStdEncoding.EncodeToString([]byte("\xfb\xff\xfe"+strings.Repeat("x", 100))), "base64"},
		"too long":          {prefix + strings.Repeat("A", maxText), "characters"},
		"payload version":   {signed(edit(func(b []byte) []byte { b[0] = 2; return b })), "version 2"},
		"trailing byte":     {signed(append(edit(func(b []byte) []byte { return b }), 0)), "trailing"},
		"no persons":        {signed(edit(func(b []byte) []byte { return b[:countAt+1] })), "persons[0] header: truncated"},
		"zero window": {signed(edit(func(b []byte) []byte {
			b[lengthAt], b[lengthAt+1] = 0, 0
			return b
		})), "window"},
		"group with doc bit": {signed(edit(func(b []byte) []byte { b[groupAt] |= docBit; return b })), "group: doc bit"},
	} {
		_, err := Verify(tc.text, pub)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Verify = %v, want ErrMalformed saying %q", name, err, tc.want)
		}
	}
}

func TestID(t *testing.T) {
	text := mustSign(t, example())
	id := ID(text)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
		t.Errorf("ID = %q, want 16 hex digits", id)
	}
	if again := ID(mustSign(t, example())); again != id {
		t.Errorf("ID of the same invitation: %q, then %q", id, again)
	}
	later := example()
	later.End = later.End.Add(time.Minute)
	if other := ID(mustSign(t, later)); other == id {
		t.Errorf("two invitations have the same ID %q", id)
	}
	for _, bad := range []string{"", "ABI1.", "ABI1.!!", "ABI1.AAAA", text + "="} {
		if got := ID(bad); got != "" {
			t.Errorf("ID(%q) = %q, want \"\"", bad, got)
		}
	}
}
