package scenario

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"airbridge"
)

func TestKabul2021(t *testing.T) {
	now := time.Date(2021, 8, 24, 12, 0, 0, 0, time.UTC)
	subs, err := Kabul2021(1, now, 3000)
	if err != nil {
		t.Fatal(err)
	}
	s := airbridge.NewState()
	for i, sub := range subs {
		if sub.Envelope.Time.After(now) {
			t.Fatalf("submission %d is in the future: %v", i, sub.Envelope.Time)
		}
		if _, _, err := s.Execute(sub.Command, sub.Envelope); err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
	}
	if n := len(s.Persons); n < 2900 || n > 3100 {
		t.Errorf("got %d persons, want about 3000", n)
	}
	stages := map[airbridge.Stage]int{}
	for _, p := range s.Persons {
		stages[p.Stage]++
	}
	for _, st := range airbridge.Stages {
		if stages[st] == 0 {
			t.Errorf("no person is %s; the demo should show every stage: %v", st, stages)
		}
	}
	statuses := map[airbridge.FlightStatus]int{}
	for _, f := range s.Flights {
		statuses[f.Status]++
	}
	for _, st := range []airbridge.FlightStatus{airbridge.StatusScheduled, airbridge.StatusBoarding, airbridge.StatusDeparted, airbridge.StatusArrived} {
		if statuses[st] == 0 {
			t.Errorf("no flight is %s: %v", st, statuses)
		}
	}
}

func TestKabul2021Deterministic(t *testing.T) {
	now := time.Date(2021, 8, 24, 12, 0, 0, 0, time.UTC)
	a, err := Kabul2021(7, now, 500)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Kabul2021(7, now, 500)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different commands (-first +second):\n%s", diff)
	}
	c, err := Kabul2021(8, now, 500)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(a, c) {
		t.Error("different seeds gave the same commands")
	}
}
