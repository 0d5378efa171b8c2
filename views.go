package airbridge

import "time"

// FlightView is a flight with the persons on its manifest.
type FlightView struct {
	Flight   Flight   `json:"flight"`
	Manifest []Person `json:"manifest"`
}

// Pipeline counts persons by nation and stage.
type Pipeline struct {
	Stages  []Stage                  `json:"stages"`
	Nations map[string]map[Stage]int `json:"nations"`
	Totals  map[Stage]int            `json:"totals"`
	Total   int                      `json:"total"`
}

// StagedGroup is one entry of the staged queue.
type StagedGroup struct {
	GroupID     string    `json:"group_id"`
	Nation      string    `json:"nation"`
	Size        int       `json:"size"`
	Priority    int       `json:"priority"` // the best rank among its members
	Litters     int       `json:"litters"`
	StagedSince time.Time `json:"staged_since"` // when its last member was staged
	Persons     []string  `json:"persons"`
}
