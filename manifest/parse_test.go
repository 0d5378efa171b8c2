package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleJSON is a small valid instance; sample is the same in Go.
const sampleJSON = `{
 "weights": {"1": 8, "2": 4},
 "groups": [
  {"id": "G1", "size": 4, "priority": 1, "nationality": "USA", "category": "own_citizen", "ready": "2021-08-24T08:00:00Z"},
  {"id": "G2", "size": 3, "priority": 2, "nationality": "AFG", "category": "local_staff", "litters": 1,
   "ready": "2021-08-24T09:00:00Z", "destinations": ["Ramstein"]},
  {"id": "G3", "size": 2, "priority": 2, "nationality": "AFG", "category": "at_risk", "ready": "2021-08-24T13:00:00Z"}
 ],
 "flights": [
  {"id": "F1", "operator": "USA", "seats": 6, "litters": 1, "departure": "2021-08-24T12:00:00Z",
   "destination": "Ramstein", "accepts": {}},
  {"id": "F2", "operator": "DEU", "seats": 4, "departure": "2021-08-24T14:00:00Z", "destination": "Rota",
   "accepts": {"nationalities": ["DEU", "AFG"]}}
 ],
 "hubs": [{"id": "Ramstein", "capacity": 7}]
}`

// sample: G1 may board F1 only, G2 F1 only, G3 F2 only; G1 and G2 together
// overfill F1 (7 of 6 seats).
func sample() *Instance {
	at := func(h int) time.Time { return time.Date(2021, 8, 24, h, 0, 0, 0, time.UTC) }
	return &Instance{
		Weights: map[string]float64{"1": 8, "2": 4},
		Groups: []Group{
			{ID: "G1", Size: 4, Priority: 1, Nationality: "USA", Category: "own_citizen", Ready: at(8)},
			{ID: "G2", Size: 3, Priority: 2, Nationality: "AFG", Category: "local_staff", Litters: 1, Ready: at(9), Destinations: []string{"Ramstein"}},
			{ID: "G3", Size: 2, Priority: 2, Nationality: "AFG", Category: "at_risk", Ready: at(13)},
		},
		Flights: []Flight{
			{ID: "F1", Operator: "USA", Seats: 6, Litters: 1, Departure: at(12), Destination: "Ramstein"},
			{ID: "F2", Operator: "DEU", Seats: 4, Departure: at(14), Destination: "Rota", Accepts: Accepts{Nationalities: []string{"DEU", "AFG"}}},
		},
		Hubs: []Hub{{ID: "Ramstein", Capacity: 7}},
	}
}

// equalInstances reports whether a and b are the same instance: times the
// same instants, an empty list or map the same as none.
func equalInstances(a, b *Instance) bool {
	return maps.Equal(a.Weights, b.Weights) &&
		slices.EqualFunc(a.Groups, b.Groups, func(g, h Group) bool {
			return g.ID == h.ID && g.Size == h.Size && g.Priority == h.Priority &&
				g.Nationality == h.Nationality && g.Category == h.Category && g.Litters == h.Litters &&
				g.Ready.Equal(h.Ready) && slices.Equal(g.Destinations, h.Destinations)
		}) &&
		slices.EqualFunc(a.Flights, b.Flights, func(f, e Flight) bool {
			return f.ID == e.ID && f.Operator == e.Operator && f.Seats == e.Seats && f.Litters == e.Litters &&
				f.Departure.Equal(e.Departure) && f.Destination == e.Destination &&
				slices.Equal(f.Accepts.Nationalities, e.Accepts.Nationalities) &&
				slices.Equal(f.Accepts.Categories, e.Accepts.Categories)
		}) &&
		slices.Equal(a.Hubs, b.Hubs) &&
		maps.Equal(a.Fixed, b.Fixed)
}

func TestParse(t *testing.T) {
	got, err := Parse(strings.NewReader(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !equalInstances(got, sample()) {
		t.Errorf("Parse(sampleJSON) = %+v, want %+v", got, sample())
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", ``, "decode instance: EOF"},
		{"syntax", `{"weights": }`, "decode instance: invalid character"},
		{"unknown field", `{"weights": {}, "planes": []}`, `unknown field "planes"`},
		{"unknown nested field", `{"groups": [{"id": "G1", "sise": 4}]}`, `unknown field "sise"`},
		{"wrong type", `{"groups": [{"id": "G1", "size": "4"}]}`, "cannot unmarshal string"},
		{"bad time", `{"groups": [{"id": "G1", "size": 4, "ready": "24 Aug"}]}`, "cannot parse"},
		{"trailing data", `{} {}`, "data after the instance"},
		{"trailing garbage", `{}x`, "data after the instance"},
		{"not an object", `null`, "an instance is a JSON object"},
		{"field twice", `{"groups": [{}, {"id": "G1", "id": "G2"}]}`, "groups[1].id: given twice"},
		{"fixed twice", `{"fixed": {"G1": "F1", "G1": "F2"}}`, `fixed["G1"]: given twice`},
		{"weight twice", `{"weights": {"1": 8, "1": 4}}`, `weights["1"]: given twice`},
		{"member twice", `{"hubs": [], "hubs": []}`, "hubs: given twice"},
		{"case folded", `{"groups": [{"ID": "G1"}]}`, "groups[0].ID: unknown field"},
		{"accepts case folded", `{"flights": [{"accepts": {"Categories": []}}]}`, "flights[0].accepts.Categories: unknown field"},
		{"kelvin folded", `{"hubs": [{"id": "H", "capacity": 1, "\u212aey": 1}]}`, "unknown field"},
		{"invalid", `{"groups": [{"id": "G1", "size": 0}]}`, "groups[0].size: must be 1..1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%s) = %v, want an error with %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	in := []byte(sampleJSON)
	if _, err := parse(bytes.NewReader(in), int64(len(in))); err != nil {
		t.Errorf("parse at the limit: %v", err)
	}
	_, err := parse(bytes.NewReader(append(in, ' ')), int64(len(in)))
	if want := "instance is larger than the limit of"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("parse past the limit = %v, want an error with %q", err, want)
	}
	_, err = parse(io.LimitReader(endlessSpaces{}, 1<<20+1), 1<<20)
	if want := "instance is larger than the limit of 1 MiB"; err == nil || err.Error() != want {
		t.Errorf("parse(1 MiB and a byte) = %v, want %q", err, want)
	}
}

// endlessSpaces is an endless JSON document of white space.
type endlessSpaces struct{}

func (endlessSpaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(in *Instance)
		want   string
	}{
		{"weight key", func(in *Instance) { in.Weights["01"] = 1 }, `weights["01"]: not a priority: must be a whole number ≥ 0 such as "1"`},
		{"weight key negative", func(in *Instance) { in.Weights["-1"] = 1 }, `weights["-1"]: not a priority: must be a whole number ≥ 0 such as "1"`},
		{"weight key word", func(in *Instance) { in.Weights["high"] = 1 }, `weights["high"]: not a priority: must be a whole number ≥ 0 such as "1"`},
		{"weight negative", func(in *Instance) { in.Weights["2"] = -1 }, `weights["2"]: must be 0..1e+09`},
		{"weight huge", func(in *Instance) { in.Weights["2"] = 1e300 }, `weights["2"]: must be 0..1e+09`},
		{"weight NaN", func(in *Instance) { in.Weights["2"] = math.NaN() }, `weights["2"]: must be 0..1e+09`},
		{"group id empty", func(in *Instance) { in.Groups[1].ID = "" }, "groups[1].id: must not be empty"},
		{"group id long", func(in *Instance) { in.Groups[1].ID = strings.Repeat("G", 101) }, "groups[1].id: must be at most 100 bytes"},
		{"group id control", func(in *Instance) { in.Groups[1].ID = "G\n2" }, "groups[1].id: must be UTF-8 text without control characters"},
		{"group id UTF-8", func(in *Instance) { in.Groups[1].ID = "G\xff" }, "groups[1].id: must be UTF-8 text without control characters"},
		{"group id twice", func(in *Instance) { in.Groups[2].ID = "G1" }, `groups[2].id: "G1" is listed twice`},
		{"size 0", func(in *Instance) { in.Groups[0].Size = 0 }, "groups[0].size: must be 1..1000"},
		{"size 1001", func(in *Instance) { in.Groups[0].Size = 1001 }, "groups[0].size: must be 1..1000"},
		{"priority negative", func(in *Instance) { in.Groups[0].Priority = -1 }, "groups[0].priority: must be ≥ 0"},
		{"priority without weight", func(in *Instance) { in.Groups[2].Priority = 3 }, "weights: priority 3 of groups[2] has no weight"},
		{"litters negative", func(in *Instance) { in.Groups[1].Litters = -1 }, "groups[1].litters: must be 0..3 (the group's size)"},
		{"litters over size", func(in *Instance) { in.Groups[1].Litters = 4 }, "groups[1].litters: must be 0..3 (the group's size)"},
		{"no ready", func(in *Instance) { in.Groups[1].Ready = time.Time{} }, "groups[1].ready: must be given"},
		{"empty destination", func(in *Instance) { in.Groups[1].Destinations = []string{"Rota", ""} }, "groups[1].destinations[1]: must not be empty"},
		{"flight id empty", func(in *Instance) { in.Flights[0].ID = "" }, "flights[0].id: must not be empty"},
		{"flight id twice", func(in *Instance) { in.Flights[1].ID = "F1" }, `flights[1].id: "F1" is listed twice`},
		{"seats negative", func(in *Instance) { in.Flights[1].Seats = -1 }, "flights[1].seats: must be 0..100000"},
		{"seats over", func(in *Instance) { in.Flights[1].Seats = 100001 }, "flights[1].seats: must be 0..100000"},
		{"flight litters negative", func(in *Instance) { in.Flights[0].Litters = -1 }, "flights[0].litters: must be 0..6 (the flight's seats)"},
		{"flight litters over seats", func(in *Instance) { in.Flights[0].Litters = 7 }, "flights[0].litters: must be 0..6 (the flight's seats)"},
		{"no departure", func(in *Instance) { in.Flights[1].Departure = time.Time{} }, "flights[1].departure: must be given"},
		{"empty nationality", func(in *Instance) { in.Flights[1].Accepts.Nationalities[1] = "" }, "flights[1].accepts.nationalities[1]: must not be empty"},
		{"empty category", func(in *Instance) { in.Flights[1].Accepts.Categories = []string{""} }, "flights[1].accepts.categories[0]: must not be empty"},
		{"hub id empty", func(in *Instance) { in.Hubs[0].ID = "" }, "hubs[0].id: must not be empty"},
		{"hub id twice", func(in *Instance) { in.Hubs = append(in.Hubs, Hub{ID: "Ramstein"}) }, `hubs[1].id: "Ramstein" is listed twice`},
		{"hub capacity negative", func(in *Instance) { in.Hubs[0].Capacity = -1 }, "hubs[0].capacity: must be ≥ 0"},
		{"fixed group", func(in *Instance) { in.Fixed = map[string]string{"G9": "F1"} }, `fixed["G9"]: no such group`},
		{"fixed flight", func(in *Instance) { in.Fixed = map[string]string{"G1": "F9"} }, `fixed["G1"]: no such flight "F9"`},
		{"fixed incompatible", func(in *Instance) { in.Fixed = map[string]string{"G1": "F2"} },
			`fixed["G1"]: the group cannot board flight "F2": the operator does not accept the group's nationality`},
		{"fixed over seats", func(in *Instance) { in.Fixed = map[string]string{"G1": "F1", "G2": "F1"} },
			`fixed: the groups fixed on flight "F1" take 7 seats; it has 6`},
		{"fixed over litters", func(in *Instance) { in.Flights[0].Litters = 0; in.Fixed = map[string]string{"G2": "F1"} },
			`fixed: the groups fixed on flight "F1" take 1 litter positions; it has 0`},
		{"fixed over hub", func(in *Instance) { in.Hubs[0].Capacity = 3; in.Fixed = map[string]string{"G1": "F1"} },
			`fixed: the groups fixed on flights to hub "Ramstein" on 2021-08-24 take 4 places; its capacity is 3`},
		{"fixed over hub across flights", func(in *Instance) {
			// Two flights to the hub on one UTC day, the second departing
			// 01:30 on the 25th at +03:00, which is 22:30Z on the 24th.
			in.Flights[0].Seats = 10
			in.Flights = append(in.Flights, Flight{ID: "F3", Seats: 9, Departure: time.Date(2021, 8, 25, 1, 30, 0, 0, time.FixedZone("AST", 3*3600)), Destination: "Ramstein"})
			in.Groups[2].Destinations = []string{"Ramstein"}
			in.Fixed = map[string]string{"G1": "F1", "G2": "F1", "G3": "F3"}
		}, `fixed: the groups fixed on flights to hub "Ramstein" on 2021-08-24 take 9 places; its capacity is 7`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sample()
			tc.change(in)
			err := in.Validate()
			var ie *InvalidError
			if !errors.As(err, &ie) || err.Error() != tc.want {
				t.Errorf("Validate() = %v, want *InvalidError %q", err, tc.want)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(in *Instance)
	}{
		{"sample", func(in *Instance) {}},
		{"empty", func(in *Instance) { *in = Instance{} }},
		{"bounds", func(in *Instance) {
			in.Weights["0"] = 0
			in.Weights["2"] = 1e9
			in.Groups[0].Priority = 0
			in.Groups[0].ID = strings.Repeat("é", 50)
			in.Groups[1].Size, in.Groups[1].Litters = 1000, 1000
			in.Flights[0].Seats, in.Flights[0].Litters = 100000, 100000
			in.Flights[1].Seats = 0
			in.Hubs[0].Capacity = 0
		}},
		{"fixed at capacity", func(in *Instance) { in.Fixed = map[string]string{"G1": "F1", "G3": "F2"} }},
		{"fixed on a hub over two days", func(in *Instance) {
			in.Flights[0].Seats = 10
			in.Flights = append(in.Flights, Flight{ID: "F3", Seats: 9, Departure: time.Date(2021, 8, 25, 0, 30, 0, 0, time.UTC), Destination: "Ramstein"})
			in.Groups[2].Destinations = []string{"Ramstein"}
			in.Fixed = map[string]string{"G1": "F1", "G2": "F1", "G3": "F3"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sample()
			tc.change(in)
			if err := in.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleJSON))
	f.Add([]byte(`{"weights": {"0": 0.5}, "groups": [{"id": "é", "size": 1, "ready": "2021-08-24T08:00:00+04:30"}],
		"flights": [{"id": "F", "seats": 1, "departure": "2021-08-24T08:00:00.5-01:00", "accepts": {"categories": ["x"]}}],
		"fixed": {"é": "F"}}`))
	f.Add([]byte(`{"groups": [{"ID": "G1"}]}`))
	f.Add([]byte(`{"fixed": {"G1": "F1", "G1": "F2"}}`))
	f.Add([]byte(`{} []`))
	f.Add([]byte(`{"weights": {"1": 1e400}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		out, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("accepted instance does not encode: %v", err)
		}
		again, err := Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded instance refused: %v\n%s", err, out)
		}
		if !equalInstances(in, again) {
			t.Fatalf("re-encoded instance differs:\n%s", out)
		}
	})
}
