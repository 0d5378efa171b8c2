package airbridge

import "slices"

// This file holds the lifecycle rules as functions of plain values. The
// State's decide calls them, and builds the errors with their details; so
// does an engine that keeps compact state of its own, the simulator, which
// moves a hundred thousand people through them without building an event
// each. There is one model of the rules: these functions. A rule that can
// bind on the simulator's people belongs here, and its compact state must
// call it too (sim/world.go); sim's TestLedgerSameResult holds the two
// ways to the same result.

// ScanMoves returns the stage a scan at a site of kind k takes a person in
// stage st, with screening decision, to, and whether the scan is allowed
// there: at a gate, registered or called persons arrive; at holding, the
// screened and cleared are staged; at the ramp, the manifested board.
func ScanMoves(k SiteKind, st Stage, decision string) (Stage, bool) {
	switch k {
	case Gate:
		return AtGate, st == Registered || st == Called
	case Holding:
		return Staged, st == Screened && decision == Cleared
	case Ramp:
		return Boarded, st == Manifested
	}
	return "", false
}

// Screenable reports whether a person in stage st, with screening decision,
// may be screened: at the gate, or again after a referral.
func Screenable(st Stage, decision string) bool {
	return st == AtGate || (st == Screened && decision == Referred)
}

// Departs reports whether a person in stage st on a departing flight goes
// with it; a manifested one who did not board is a no-show, back in staged.
func Departs(st Stage) bool { return st == Boarded }

// The statuses each flight action is taken from.
var (
	fromScheduled       = []FlightStatus{StatusScheduled}
	fromBoarding        = []FlightStatus{StatusBoarding}
	fromBoardingClosed  = []FlightStatus{StatusBoarding, StatusClosed}
	fromDeparted        = []FlightStatus{StatusDeparted}
	fromOpenOrClosed    = []FlightStatus{StatusScheduled, StatusBoarding, StatusClosed}
	flightActionFrom    = map[string][]FlightStatus{ActionBoarding: fromScheduled, ActionClose: fromBoarding, ActionDepart: fromBoardingClosed, ActionArrive: fromDeparted, ActionCancel: fromOpenOrClosed}
	flightActionLeadsTo = map[string]FlightStatus{ActionBoarding: StatusBoarding, ActionClose: StatusClosed, ActionDepart: StatusDeparted, ActionArrive: StatusArrived, ActionCancel: StatusCancelled}
)

// FlightActionAllowed reports whether action may be taken on a flight in
// status s, and the status it leads to.
func FlightActionAllowed(s FlightStatus, action string) (FlightStatus, bool) {
	return flightActionLeadsTo[action], slices.Contains(flightActionFrom[action], s)
}

// Boardable reports whether a flight in status s boards its manifested
// groups: while boarding, and once closed, the standby groups that took
// the seats of no-shows.
func Boardable(s FlightStatus) bool { return slices.Contains(fromBoardingClosed, s) }

// FitsSeats reports whether size more persons fit on a flight of seats
// seats with manifested already on its manifest: a flight never carries
// more than its seats.
func FitsSeats(seats, manifested, size int) bool { return size <= seats-manifested }

// HubRoom returns how many more persons a transit hub taking capacity a
// day takes on a day when used are counted there, once freed of them have
// left; -1 if capacity is 0, no limit.
func HubRoom(capacity, used, freed int) int {
	if capacity == 0 {
		return -1
	}
	return max(capacity-(used-freed), 0)
}
