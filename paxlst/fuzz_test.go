package paxlst

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse checks that no input makes Parse panic or return an error other
// than a *ParseError, and that whatever it accepts encodes and parses back
// to the same manifest.
func FuzzParse(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "two-passengers.edi"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	for _, c := range []struct {
		m   Manifest
		opt Options
	}{
		{twoPassengers(), Options{}},
		{crowd(5), Options{MaxPassengers: 2}},
		{crowd(0), Options{}},
	} {
		b, err := Encode(c.m, c.opt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[len(una):])
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("UNA*|.! ~UNB|UNOA*4|S|R|210824*0915|1~UNG|PAXLST|S|R|210824*0915|1|UN|D*05B~UNH|1|PAXLST*D*05B*UN*IATA~BGM|745~TDT|20|X1|||X~LOC|125|A~DTM|189*2108241005*201~LOC|87|B~DTM|232*2108241140*201~CNT|42*0~UNT|9|1~UNE|1|1~UNZ|1|1~"))
	f.Add([]byte(""))
	f.Add([]byte("UNA"))
	f.Add([]byte("UNB+UNOA:4?"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %v is not a *ParseError", b, err)
			}
			return
		}
		again, err := Encode(m, Options{})
		if err != nil {
			t.Fatalf("Encode(Parse(%q)): %v", b, err)
		}
		m2, err := Parse(again)
		if err != nil {
			t.Fatalf("Parse(Encode(Parse(%q))): %v\n%s", b, err, again)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Parse(%q) = %+v, but after Encode %+v", b, m, m2)
		}
	})
}
