package invite

import (
	"crypto/ed25519"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2021, 8, 24, 10, 0, 0, 0, time.UTC)
	inv := Invitation{Operation: "op", Group: "G1", Persons: []Person{{ID: "P1"}}, Gate: "north", Start: start, End: start.Add(time.Hour), Issued: start.Add(-time.Hour)}
	text, err := Sign(inv, key)
	if err != nil {
		t.Fatal(err)
	}
	otherPub, _, _ := ed25519.GenerateKey(nil)
	for _, tt := range []struct {
		name string
		key  ed25519.PublicKey
		gate string
		at   time.Time
		want string
	}{
		{"inside", pub, "north", start.Add(10 * time.Minute), Admit},
		{"within the early tolerance", pub, "north", start.Add(-30 * time.Minute), Admit},
		{"within the late tolerance", pub, "north", start.Add(2 * time.Hour), Admit},
		{"early", pub, "north", start.Add(-31 * time.Minute), Early},
		{"late", pub, "north", start.Add(2*time.Hour + time.Second), Late},
		{"wrong gate", pub, "abbey", start, WrongGate},
		{"another key", otherPub, "north", start, Forged},
	} {
		got, result, reason := Check(text, tt.key, tt.gate, tt.at, 30*time.Minute, time.Hour)
		if result != tt.want || reason == "" {
			t.Errorf("%s: %s (%s), want %s", tt.name, result, reason, tt.want)
		}
		if result != Forged && got.Group != "G1" {
			t.Errorf("%s: invitation %+v", tt.name, got)
		}
	}
	if _, result, _ := Check("ABI1.!!", pub, "north", start, 0, 0); result != Forged {
		t.Errorf("garbage: %s", result)
	}
}
