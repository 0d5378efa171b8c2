// Package withdraw plans an orderly, coordinated military withdrawal: the
// contingents of several nations at several bases move to the airports of
// embarkation and fly out on their nations' strategic airlift before the
// nations' deadlines, while every site keeps its security floor as long as
// anyone else is there, and an airport keeps its final security element
// until the last evacuation flight has gone. The package is pure: values in,
// values out, the same result for the same scenario.
//
// # The model
//
// Days are whole, 0 to days-1. What is at a site is counted at the end of
// each day. On day d things leave a site by moves (over a link, shared by
// all nations, within its personnel and pallet positions per day) and by
// sorties (from an airport, a nation's own aircraft only, within the sorties
// available that day); only what was there at the end of day d-1 (at day 0:
// the contingents) may leave on day d. A move on day d is at its destination
// at the end of day d and may go on, or fly, from day d+1. A sortie carries
// up to its passengers and, at once, up to its pallet positions, of which a
// vehicle takes pallets_per_vehicle (so at most ⌊pallets/pallets_per_vehicle⌋
// vehicles); Sortie entries aggregate the sorties of one nation, aircraft
// type and airport on a day, and their load then obeys the same limits times
// the count, which is exact (vehicles spread evenly, pallets fill the rest).
// Security personnel are personnel; the security present at a site is that
// of all nations.
//
// The floor applies at a site at the end of a day when anything other than
// security (personnel, pallets, vehicles of any nation) is there, and at an
// airport also on every day up to evacuation_last_day; while it applies the
// security present must be at least the floor. "Security leaves last" is the
// same rule seen from a departure: security may leave a site only down to
// the floor while anything else remains, and all of it with the last of the
// rest (on the same day), and at an airport not below the floor before the
// evacuation is over. A nation meets its deadline when nothing of it is in
// theatre at the end of that day; a nation without one must be out by the
// end of the horizon.
//
// # The planner
//
// Plan keeps every floor, then meets as many deadlines as it can, then flies
// the fewest sorties, then finishes earliest. Things move toward the
// airports as early as the links allow, along shortest routes, the nations
// taking a shared link's capacity in an order; Plan plans with several
// orders and keeps the best (every order of up to four nations, and of up to
// three also every pair of orders with all security after the rest; three
// rules beyond). A base's security leaves down to its floor with the rest,
// and the remainder when the base is clear. Each nation's sorties out of
// each airport are then the fewest that carry what reaches the airport,
// when it reaches it, by the deadline — a small integer program solved
// exactly: flying each aircraft type on the latest days it may is never
// worse, so a count per type either works placed so or not at all, and the
// counts are enumerated by total from the time-free covering bound up; the
// last day is then made as early as that total allows. The airport's floor
// is held by the security of the nations that fly from it, in an order of
// holders (every order of up to four), as that security arrives, which
// releases the others' security day by day; the final element flies after
// the evacuation, with the last of the rest. For a missed deadline Plan
// finds the fewest sorties per day to add to one of the nation's aircraft
// types that make it met, or says why none does.
//
// On small scenarios the plan flies the optimum of WriteLP's program: on
// 1000 random ones (up to 3 sites, 3 nations, 12 days) it does on every one
// where all deadlines can be met but one, where sharing a link's capacity
// in no order of nations reaches it (see the LP test).
//
// Validate checks a plan on its own, WriteLP states the same model as a
// mixed-integer program for glpsol and cbc, and Synthetic generates large
// theatres.
package withdraw
