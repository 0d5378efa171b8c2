package server

import (
	"testing"
	"time"
)

func TestMRZDate(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		past bool
		want string
	}{
		{"251201", true, "1925-12-01"}, // later this year: a century ago
		{"250531", true, "2025-05-31"},
		{"740812", true, "1974-08-12"},
		{"000101", true, "2000-01-01"},
		{"350415", false, "2035-04-15"},
		{"120415", false, "2012-04-15"},
		{"800101", false, "1980-01-01"},
		{"99<<<<", true, ""},
	} {
		if got := mrzDate(tt.in, now, tt.past); got != tt.want {
			t.Errorf("mrzDate(%s, past %v) = %q, want %q", tt.in, tt.past, got, tt.want)
		}
	}
	if alpha3("D") != "DEU" || alpha3("UTO") != "UTO" {
		t.Error("alpha3")
	}
}

func TestSameAsMRZ(t *testing.T) {
	for _, tt := range []struct {
		field, given, mrz string
		same              bool
	}{
		{"surname", "Müller", "MUELLER", true},
		{"surname", "Müller", "MULLER", true},
		{"given_names", "Anna-Maria", "ANNA MARIA", true},
		{"given_names", "  anna maria ", "ANNA MARIA", true},
		{"surname", "Smith", "ERIKSSON", false},
		{"birth_date", "1980-1-1", "1980-01-01", true},
		{"birth_date", "1980-01-02", "1980-01-01", false},
		{"nationality", "deu", "DEU", true},
	} {
		if got := sameAsMRZ(tt.field, tt.given, tt.mrz); got != tt.same {
			t.Errorf("sameAsMRZ(%s, %q, %q) = %v", tt.field, tt.given, tt.mrz, got)
		}
	}
}
