package withdraw

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readSmall(t testing.TB) *Scenario {
	t.Helper()
	return readScenarioFile(t, "testdata/small.json")
}

func readScenarioFile(t testing.TB, path string) *Scenario {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadScenario(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func TestReadScenarioRoundTrip(t *testing.T) {
	s := readSmall(t)
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadScenario(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip changed the scenario:\n got %+v\nwant %+v", got, s)
	}
}

// TestValidateErrors checks that each malformed scenario is refused with an
// error that names the field.
func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Scenario)
		want   string
	}{
		{"no name", func(s *Scenario) { s.Name = "" }, "scenario name: is empty"},
		{"bad start", func(s *Scenario) { s.Start = "14.4.2021" }, `scenario start: "14.4.2021" is not a date`},
		{"no days", func(s *Scenario) { s.Days = 0 }, "scenario days: 0 is not between 1 and 3650"},
		{"too many days", func(s *Scenario) { s.Days = 4000 }, "scenario days: 4000"},
		{"pallets per vehicle", func(s *Scenario) { s.PalletsPerVehicle = 0 }, "scenario pallets_per_vehicle: 0"},
		{"evacuation after horizon", func(s *Scenario) { s.EvacuationLastDay = 20 }, "scenario evacuation_last_day: 20 is not a day"},
		{"no sites", func(s *Scenario) { s.Sites = nil }, "scenario sites: is empty"},
		{"duplicate site", func(s *Scenario) { s.Sites[2].ID = "BAF" }, `scenario sites[2].id: "BAF" is not unique`},
		{"empty site id", func(s *Scenario) { s.Sites[1].ID = "" }, "scenario sites[1].id: is empty"},
		{"negative floor", func(s *Scenario) { s.Sites[1].SecurityFloor = -1 }, "scenario sites[1].security_floor: -1"},
		{"no airport", func(s *Scenario) { s.Sites[0].Airport = false }, "scenario sites: no site is an airport"},
		{"floor above security", func(s *Scenario) { s.Sites[1].SecurityFloor = 51 }, "scenario sites[1].security_floor: 51 is more than the security at BAF on day 0 (50)"},
		{"airport floor above security", func(s *Scenario) { s.Sites[0].SecurityFloor = 81 }, "scenario sites[0].security_floor: 81"},
		{"unknown contingent site", func(s *Scenario) { s.Contingents[3].Site = "XYZ" }, `scenario contingents[3].site: "XYZ" is not a site`},
		{"contingent without nation", func(s *Scenario) { s.Contingents[0].Nation = "" }, "scenario contingents[0].nation: is empty"},
		{"duplicate contingent", func(s *Scenario) { s.Contingents[4].Nation, s.Contingents[4].Site = "USA", "BAF" }, `scenario contingents[4]: a second contingent of "USA" at "BAF"`},
		{"security above personnel", func(s *Scenario) { s.Contingents[0].Security = 121 }, "scenario contingents[0].security: 121 is more than the personnel (120)"},
		{"negative pallets", func(s *Scenario) { s.Contingents[1].Pallets = -3 }, "scenario contingents[1].pallets: -3"},
		{"too many personnel", func(s *Scenario) { s.Contingents[1].Personnel = 2_000_000 }, "scenario contingents[1].personnel: 2000000"},
		{"negative vehicles", func(s *Scenario) { s.Contingents[2].Vehicles = -1 }, "scenario contingents[2].vehicles: -1"},
		{"move from nowhere", func(s *Scenario) { s.Moves[0].From = "KDH" }, `scenario moves[0].from: "KDH" is not a site`},
		{"move to nowhere", func(s *Scenario) { s.Moves[1].To = "KDH" }, `scenario moves[1].to: "KDH" is not a site`},
		{"move to itself", func(s *Scenario) { s.Moves[0].To = "BAF" }, `scenario moves[0].to: "BAF" is the site the move starts from`},
		{"move by sea", func(s *Scenario) { s.Moves[0].Mode = "sea" }, `scenario moves[0].mode: "sea" is neither`},
		{"duplicate move", func(s *Scenario) { s.Moves = append(s.Moves, s.Moves[0]) }, `scenario moves[2]: a second road move from "BAF" to "HKIA"`},
		{"negative link capacity", func(s *Scenario) { s.Moves[1].PalletsPerDay = -1 }, "scenario moves[1].pallets_per_day: -1"},
		{"airlift from a base", func(s *Scenario) { s.Airlift[0].Airport = "BAF" }, `scenario airlift[0].airport: "BAF" is not an airport`},
		{"airlift from nowhere", func(s *Scenario) { s.Airlift[0].Airport = "KDH" }, `scenario airlift[0].airport: "KDH" is not a site`},
		{"airlift window reversed", func(s *Scenario) { s.Airlift[1].ToDay = 2 }, "scenario airlift[1].to_day: 2 is not a day from from_day (5)"},
		{"airlift window after horizon", func(s *Scenario) { s.Airlift[1].ToDay = 20 }, "scenario airlift[1].to_day: 20"},
		{"airlift before day 0", func(s *Scenario) { s.Airlift[2].FromDay = -1 }, "scenario airlift[2].from_day: -1"},
		{"aircraft carries nothing", func(s *Scenario) { s.Airlift[3].Passengers, s.Airlift[3].Pallets = 0, 0 }, "scenario airlift[3]: a C-17 that carries neither"},
		{"aircraft without type", func(s *Scenario) { s.Airlift[3].Aircraft = "" }, "scenario airlift[3].aircraft: is empty"},
		{"capacities disagree", func(s *Scenario) {
			a := s.Airlift[0]
			a.Passengers = 90
			s.Airlift = append(s.Airlift, a)
		}, "scenario airlift[4]: USA C-17 carries 90 passengers"},
		{"nation without airlift", func(s *Scenario) { s.Airlift = s.Airlift[:3] }, `scenario contingents[4].nation: "GBR" has no airlift`},
		{"deadline of a stranger", func(s *Scenario) { s.Deadlines[0].Nation = "FRA" }, `scenario deadlines[0].nation: "FRA" has no contingent`},
		{"two deadlines", func(s *Scenario) { s.Deadlines = append(s.Deadlines, Deadline{"DEU", 15}) }, `scenario deadlines[1].nation: "DEU" has a second deadline`},
		{"deadline after horizon", func(s *Scenario) { s.Deadlines[0].Day = 25 }, "scenario deadlines[0].day: 25"},
		{"no way out", func(s *Scenario) { s.Moves = s.Moves[:1] }, `scenario contingents[2].site: no moves lead from "MES" to an airport where DEU has airlift`},
		{"too many nations for the sites", func(s *Scenario) {
			for i := range 1001 {
				s.Contingents = append(s.Contingents, Contingent{Nation: "N" + strings.Repeat("X", i), Site: "HKIA"})
			}
		}, "scenario contingents: 1004 nations, more than 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := readSmall(t)
			tt.change(s)
			err := s.Validate()
			if err == nil {
				t.Fatalf("Validate accepted it, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
			if _, err := Plan(s); err == nil {
				t.Error("Plan accepted it")
			}
			var buf bytes.Buffer
			if err := WriteLP(&buf, s); err == nil {
				t.Error("WriteLP accepted it")
			}
		})
	}
}

func TestReadScenarioRefuses(t *testing.T) {
	valid, err := os.ReadFile("testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, input, want string
	}{
		{"unknown field", strings.Replace(string(valid), `"days": 20`, `"days": 20, "weather": "dusty"`, 1), `unknown field "weather"`},
		{"trailing data", string(valid) + "{}", "data after the scenario object"},
		{"not json", "name: x", "scenario: invalid character"},
		{"wrong type", strings.Replace(string(valid), `"days": 20`, `"days": "20"`, 1), "scenario: json: cannot unmarshal string"},
		{"invalid", strings.Replace(string(valid), `"days": 20`, `"days": -1`, 1), "scenario days: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadScenario(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzReadScenario checks that ReadScenario never panics, that what it
// accepts is valid and written back the same, and that a small accepted
// scenario is planned validly.
func FuzzReadScenario(f *testing.F) {
	valid, err := os.ReadFile("testdata/small.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	for seed := range uint64(4) {
		var buf bytes.Buffer
		if err := randomScenario(seed, smallGen).WriteJSON(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"name":"x","start":"2021-01-01","days":1,"pallets_per_vehicle":1,"sites":[{"id":"A","airport":true,"security_floor":0}],"contingents":[],"moves":[],"airlift":[],"deadlines":[],"evacuation_last_day":0}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadScenario(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ReadScenario returned an invalid scenario: %v", err)
		}
		var buf bytes.Buffer
		if err := s.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ReadScenario(&buf)
		if err != nil {
			t.Fatalf("written back, it is refused: %v", err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("written back, it reads differently")
		}
		if small(s) {
			t0 := time.Now()
			r, err := Plan(s)
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(t0); el > 10*time.Second {
				t.Fatalf("Plan took %v on a small scenario", el)
			}
			if errs := Validate(s, r); len(errs) > 0 {
				t.Fatalf("the plan breaks rules: %q", errs)
			}
		}
	})
}

// small tells whether s is small enough to plan inside a fuzz run.
func small(s *Scenario) bool {
	total := 0
	for _, c := range s.Contingents {
		total += c.Personnel + c.Pallets + c.Vehicles
	}
	for _, a := range s.Airlift {
		if a.SortiesPerDay > 50 {
			return false
		}
	}
	return s.Days <= 60 && len(s.Sites) <= 6 && len(s.Contingents) <= 12 && len(s.Airlift) <= 12 && total <= 20_000
}
