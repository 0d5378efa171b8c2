package airbridge

import (
	"strings"
	"testing"
	"time"
)

// TestFlightActionAllowed holds the flight lifecycle: scheduled → boarding
// → closed → departed → arrived, departing straight from boarding too, and
// cancelling until departure.
func TestFlightActionAllowed(t *testing.T) {
	want := map[[2]string]FlightStatus{
		{"scheduled", ActionBoarding}: StatusBoarding,
		{"boarding", ActionClose}:     StatusClosed,
		{"boarding", ActionDepart}:    StatusDeparted,
		{"closed", ActionDepart}:      StatusDeparted,
		{"departed", ActionArrive}:    StatusArrived,
		{"scheduled", ActionCancel}:   StatusCancelled,
		{"boarding", ActionCancel}:    StatusCancelled,
		{"closed", ActionCancel}:      StatusCancelled,
	}
	statuses := []FlightStatus{StatusScheduled, StatusBoarding, StatusClosed, StatusDeparted, StatusArrived, StatusCancelled}
	for _, s := range statuses {
		for _, a := range []string{ActionBoarding, ActionClose, ActionDepart, ActionArrive, ActionCancel, "fly"} {
			to, ok := FlightActionAllowed(s, a)
			w, wok := want[[2]string{string(s), a}]
			if ok != wok || (ok && to != w) {
				t.Errorf("%s from %s: %q, %v; want %q, %v", a, s, to, ok, w, wok)
			}
		}
	}
}

// TestScanMoves holds the person lifecycle at each kind of site.
func TestScanMoves(t *testing.T) {
	cases := []struct {
		kind     SiteKind
		stage    Stage
		decision string
		to       Stage
		ok       bool
	}{
		{Gate, Registered, "", AtGate, true},
		{Gate, Called, "", AtGate, true},
		{Gate, AtGate, "", AtGate, false},
		{Holding, Screened, Cleared, Staged, true},
		{Holding, Screened, Referred, Staged, false},
		{Holding, AtGate, "", Staged, false},
		{Ramp, Manifested, "", Boarded, true},
		{Ramp, Staged, Cleared, Boarded, false},
		{Hub, Manifested, "", "", false},
	}
	for _, c := range cases {
		if to, ok := ScanMoves(c.kind, c.stage, c.decision); to != c.to || ok != c.ok {
			t.Errorf("scan at %s of %s (%q): %q, %v; want %q, %v", c.kind, c.stage, c.decision, to, ok, c.to, c.ok)
		}
	}
	if !Screenable(AtGate, "") || !Screenable(Screened, Referred) || Screenable(Screened, Cleared) || Screenable(Staged, Cleared) {
		t.Error("Screenable: want at_gate and referrals only")
	}
	if HubRoom(0, 5, 0) != -1 || HubRoom(100, 120, 30) != 10 || HubRoom(100, 120, 0) != 0 {
		t.Error("HubRoom: want -1 without a limit, capacity less those counted and not freed, never below 0")
	}
}

// TestFlightInputCheck: Check fills in the aircraft's defaults and refuses
// what scheduling refuses.
func TestFlightInputCheck(t *testing.T) {
	p := Policy{Name: "op", Nations: []string{"USA"}, Categories: DefaultCategories()}
	in := FlightInput{ID: "F1", Callsign: "RCH1", Operator: "USA", Aircraft: "C-17", Slot: time.Date(2021, 8, 20, 10, 0, 0, 0, time.UTC), Destination: "al-udeid"}
	got, err := in.Check(p)
	if err != nil || got.Seats == 0 || got.Litters == nil || in.Seats != 0 {
		t.Errorf("Check: %+v, %v; want the C-17's seats and litters filled in on a copy", got, err)
	}
	in.Operator = "FRA"
	if _, err := in.Check(p); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "operator") {
		t.Errorf("another nation's flight: %v, want invalid operator", err)
	}
}
