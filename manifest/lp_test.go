package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteLP(t *testing.T) {
	in := sample()
	in.Fixed = map[string]string{"G3": "F2"}
	var b bytes.Buffer
	if err := WriteLP(&b, in); err != nil {
		t.Fatal(err)
	}
	want := `\ airbridge manifest: maximize the priority-weighted people carried.
\ x<g>_<f> = 1 when groups[g] flies on flights[f].
\ groups[0] = "G1"
\ groups[1] = "G2"
\ groups[2] = "G3"
\ flights[0] = "F1"
\ flights[1] = "F2"
\ h0 = hub-day "Ramstein@2021-08-24"
Maximize
 obj: 32 x0_0 + 12 x1_0 + 8 x2_1
Subject To
 g0: x0_0 <= 1
 g1: x1_0 <= 1
 g2: x2_1 <= 1
 s0: 4 x0_0 + 3 x1_0 <= 6
 s1: 2 x2_1 <= 4
 l0: x1_0 <= 1
 h0: 4 x0_0 + 3 x1_0 <= 7
 fix2: x2_1 = 1
Binary
 x0_0 x1_0 x2_1
End
`
	if got := b.String(); got != want {
		t.Errorf("WriteLP:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteLPEmpty(t *testing.T) {
	// Groups but no compatible pair: the model is the placeholder.
	in := sample()
	for i := range in.Flights {
		in.Flights[i].Accepts.Categories = []string{"none"}
	}
	var b bytes.Buffer
	if err := WriteLP(&b, in); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n obj: 0 empty\n", "\n none: empty = 0\n", "\nBinary\n empty\nEnd\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WriteLP without pairs:\n%s\nwant it to hold %q", b.String(), want)
		}
	}
}

func TestWriteLPLines(t *testing.T) {
	// A peak-day instance: sums of thousands of terms, wrapped.
	in := Generate(1, 3000, 90, 10, false)
	in.Groups[0].ID = strings.Repeat("\u2028", 33) // the longest id, all escaped by %q
	var b bytes.Buffer
	if err := WriteLP(&b, in); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	lines, longest := 0, 0
	for sc.Scan() {
		lines++
		longest = max(longest, len(sc.Text()))
		if len(sc.Text()) >= 500 {
			t.Fatalf("line %d has %d bytes: %.80s…", lines, len(sc.Text()), sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d lines, the longest %d bytes", lines, longest)
}

func TestWriteLPErrors(t *testing.T) {
	in := sample()
	in.Groups[0].Size = 0
	var ie *InvalidError
	if err := WriteLP(&bytes.Buffer{}, in); !errors.As(err, &ie) {
		t.Errorf("WriteLP(invalid) = %v, want *InvalidError", err)
	}
	boom := errors.New("disk full")
	if err := WriteLP(failWriter{boom}, sample()); !errors.Is(err, boom) {
		t.Errorf("WriteLP(failing writer) = %v, want %v", err, boom)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
