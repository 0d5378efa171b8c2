// Package manifest is the coalition manifest optimizer: it assigns staged
// groups to open flights so that the most priority-weighted people are
// carried. It is pure and deterministic: an instance in, an assignment out,
// with the objective and an upper bound, so that every answer carries its own
// optimality gap.
package manifest

import "time"

// Instance is one planning problem, as JSON:
//
//	{"weights": {"1": 8, "2": 4, "3": 2, "4": 1},
//	 "groups": [{"id": "G1", "size": 4, "priority": 1, "nationality": "AFG",
//	             "category": "local_staff", "litters": 1,
//	             "ready": "2021-08-24T10:00:00Z", "destinations": ["Ramstein"]}],
//	 "flights": [{"id": "F1", "operator": "USA", "seats": 400, "litters": 36,
//	              "departure": "2021-08-24T14:00:00Z", "destination": "Ramstein",
//	              "accepts": {"nationalities": ["AFG", "USA"], "categories": ["local_staff"]}}],
//	 "hubs": [{"id": "Ramstein", "capacity": 5000}],
//	 "fixed": {"G7": "F1"}}
//
// An omitted list means no restriction: a group with no destinations goes
// anywhere, a flight with no accepted nationalities or categories takes all,
// a destination that is not a hub takes any number. An omitted number of
// litters is zero. Times are RFC 3339. A hub's capacity is per UTC day of the
// flights' departures. Fixed groups (on a published manifest) keep their
// flight and count in the objective.
type Instance struct {
	Weights map[string]float64 `json:"weights"` // priority → weight of one person
	Groups  []Group            `json:"groups"`
	Flights []Flight           `json:"flights"`
	Hubs    []Hub              `json:"hubs,omitempty"`
	Fixed   map[string]string  `json:"fixed,omitempty"` // group id → flight id
}

// Group travels whole or not at all.
type Group struct {
	ID           string    `json:"id"`
	Size         int       `json:"size"`
	Priority     int       `json:"priority"`
	Nationality  string    `json:"nationality,omitempty"`
	Category     string    `json:"category,omitempty"`
	Litters      int       `json:"litters,omitempty"` // members who travel on a litter; each also takes a seat
	Ready        time.Time `json:"ready"`             // when it can board; earlier means it has waited longer
	Destinations []string  `json:"destinations,omitempty"`
}

// Flight is an open flight with its free capacity.
type Flight struct {
	ID          string    `json:"id"`
	Operator    string    `json:"operator,omitempty"`
	Seats       int       `json:"seats"`
	Litters     int       `json:"litters,omitempty"`
	Departure   time.Time `json:"departure"`
	Destination string    `json:"destination,omitempty"`
	Accepts     Accepts   `json:"accepts"`
}

// Accepts is an operating nation's acceptance policy for a flight.
type Accepts struct {
	Nationalities []string `json:"nationalities,omitempty"`
	Categories    []string `json:"categories,omitempty"`
}

// Hub is a transit hub with a daily intake.
type Hub struct {
	ID       string `json:"id"`
	Capacity int    `json:"capacity"` // persons a UTC day
}

// Solution is an assignment with its objective and an upper bound on every
// assignment's objective.
type Solution struct {
	Objective  float64           `json:"objective"` // Σ weight × size of the carried groups
	Bound      float64           `json:"bound"`
	Assignment map[string]string `json:"assignment"` // group id → flight id; unassigned groups absent
}
