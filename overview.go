package airbridge

import (
	"slices"
	"sort"
	"time"
)

// Overview is the operations picture at one moment: where the people are,
// how fast they leave, how long the staged wait, whether the seats about to
// leave match the people ready, and which flights leave under-filled. It
// holds counts only, never a person.
type Overview struct {
	At      time.Time                `json:"at"`
	Stages  []Stage                  `json:"stages"`
	Nations []string                 `json:"nations"`
	Counts  map[string]map[Stage]int `json:"counts"` // by nation, then stage
	Totals  map[Stage]int            `json:"totals"`
	Total   int                      `json:"total"`
	// Departures counts the persons carried per hour over the last
	// OverviewHours hours, oldest first, by their flight's departure (the
	// slot, for a flight that has since arrived).
	Departures []HourCount `json:"departures"`
	Waiting    WaitStats   `json:"waiting"`
	// Seats compares, for each horizon, the free seats of the flights due
	// to leave within it with the people ready to fly (staged).
	Seats  []SeatsAhead   `json:"seats"`
	Alerts []FlightAlert  `json:"alerts"`
	Loads  []FlightLoad   `json:"loads"` // the open flights, earliest slot first
	Flows  map[string]int `json:"flows"` // persons by destination of their flight, once carried
}

// HourCount is a count in the hour starting at Hour.
type HourCount struct {
	Hour  time.Time `json:"hour"`
	Count int       `json:"count"`
}

// WaitStats is how long the staged people have waited since they were staged.
type WaitStats struct {
	Staged    int           `json:"staged"`
	Median    time.Duration `json:"median_ns"`
	P90       time.Duration `json:"p90_ns"`
	Longest   time.Duration `json:"longest_ns"`
	OverHours int           `json:"over_hours"` // how many have waited over WaitAlarm
}

// SeatsAhead is the free seats leaving within Hours against the people ready.
type SeatsAhead struct {
	Hours int `json:"hours"`
	Free  int `json:"free"`
	Ready int `json:"ready"`
}

// FlightAlert is an open load-guard alert of a flight.
type FlightAlert struct {
	FlightID string    `json:"flight_id"`
	Callsign string    `json:"callsign"`
	Operator string    `json:"operator"`
	Slot     time.Time `json:"slot"`
	Alert    LoadAlert `json:"alert"`
}

// FlightLoad is an open flight's load.
type FlightLoad struct {
	FlightID    string       `json:"flight_id"`
	Callsign    string       `json:"callsign"`
	Operator    string       `json:"operator"`
	Destination string       `json:"destination"`
	Slot        time.Time    `json:"slot"`
	Status      FlightStatus `json:"status"`
	Seats       int          `json:"seats"`
	Manifested  int          `json:"manifested"`
	Boarded     int          `json:"boarded"`
	Alert       bool         `json:"alert"`
}

const (
	// OverviewHours is the span of the overview's hourly counts.
	OverviewHours = 24
	// WaitAlarm is the wait past which a staged person is counted apart.
	WaitAlarm = 6 * time.Hour
)

// SeatHorizons are the horizons, in hours, of Overview.Seats.
var SeatHorizons = []int{2, 6, 12, 24}

// OverviewOf computes the overview of s at now. It reads s and changes
// nothing; it takes one pass over the persons and one over the flights.
func OverviewOf(s *State, now time.Time) Overview {
	now = now.UTC()
	o := Overview{At: now, Stages: Stages, Counts: map[string]map[Stage]int{}, Totals: map[Stage]int{},
		Alerts: []FlightAlert{}, Loads: []FlightLoad{}, Flows: map[string]int{}}
	for nation, byStage := range s.Counts {
		c := map[Stage]int{}
		n := 0
		for stage, k := range byStage {
			if k != 0 {
				c[stage] = k
				o.Totals[stage] += k
				n += k
			}
		}
		if n > 0 {
			o.Counts[nation] = c
			o.Nations = append(o.Nations, nation)
			o.Total += n
		}
	}
	slices.Sort(o.Nations)

	start := now.Truncate(time.Hour).Add(-(OverviewHours - 1) * time.Hour)
	o.Departures = make([]HourCount, OverviewHours)
	for i := range o.Departures {
		o.Departures[i].Hour = start.Add(time.Duration(i) * time.Hour)
	}
	bucket := func(t time.Time) int {
		if t.Before(start) || !t.Before(start.Add(OverviewHours*time.Hour)) {
			return -1
		}
		return int(t.Sub(start) / time.Hour)
	}

	waits := make([]time.Duration, 0, o.Totals[Staged])
	for _, p := range s.Persons {
		if p.Stage == Staged {
			w := max(now.Sub(p.StageSince), 0)
			waits = append(waits, w)
			if w > WaitAlarm {
				o.Waiting.OverHours++
			}
		}
	}
	o.Waiting.Staged = len(waits)
	if len(waits) > 0 {
		slices.Sort(waits)
		o.Waiting.Median = waits[len(waits)/2]
		o.Waiting.P90 = waits[len(waits)*9/10]
		o.Waiting.Longest = waits[len(waits)-1]
	}

	o.Seats = make([]SeatsAhead, len(SeatHorizons))
	for i, h := range SeatHorizons {
		o.Seats[i] = SeatsAhead{Hours: h, Ready: len(waits)}
	}
	for _, f := range s.Flights {
		switch f.Status {
		case StatusDeparted, StatusArrived:
			at := f.StatusSince
			if f.Status == StatusArrived {
				at = f.Slot
			}
			if b := bucket(at); b >= 0 {
				o.Departures[b].Count += f.Carried
			}
			o.Flows[f.Destination] += f.Carried
			continue
		case StatusCancelled:
			continue
		}
		o.Loads = append(o.Loads, FlightLoad{FlightID: f.ID, Callsign: f.Callsign, Operator: f.Operator, Destination: f.Destination,
			Slot: f.Slot, Status: f.Status, Seats: f.Seats, Manifested: f.Manifested, Boarded: f.Boarded, Alert: f.Alert != nil})
		if f.Alert != nil {
			o.Alerts = append(o.Alerts, FlightAlert{FlightID: f.ID, Callsign: f.Callsign, Operator: f.Operator, Slot: f.Slot, Alert: *f.Alert})
		}
		if f.Status == StatusClosed {
			continue // it takes nobody more
		}
		free := max(f.Seats-f.Manifested, 0)
		for i, h := range SeatHorizons {
			if f.Slot.Before(now.Add(time.Duration(h) * time.Hour)) {
				o.Seats[i].Free += free
			}
		}
	}
	sort.Slice(o.Loads, func(i, j int) bool {
		a, b := o.Loads[i], o.Loads[j]
		if !a.Slot.Equal(b.Slot) {
			return a.Slot.Before(b.Slot)
		}
		return a.FlightID < b.FlightID
	})
	sort.Slice(o.Alerts, func(i, j int) bool {
		a, b := o.Alerts[i], o.Alerts[j]
		if !a.Slot.Equal(b.Slot) {
			return a.Slot.Before(b.Slot)
		}
		return a.FlightID < b.FlightID
	})
	return o
}
