package manifest

import (
	"slices"
	"strings"
)

// Compatible reports whether group g may board flight f: it is ready by the
// departure, the flight goes to one of its destinations (if it names any),
// and the operating nation's policy accepts its nationality and category (an
// empty list accepts all). Capacity is not considered.
func Compatible(g Group, f Flight) bool {
	return incompatibility(g, f) == ""
}

// incompatibility returns why g may not board f, or "" if it may.
func incompatibility(g Group, f Flight) string {
	switch {
	case g.Ready.After(f.Departure):
		return "the group is ready after the departure"
	case !allows(g.Destinations, f.Destination):
		return "the flight's destination is not one of the group's"
	case !allows(f.Accepts.Nationalities, g.Nationality):
		return "the operator does not accept the group's nationality"
	case !allows(f.Accepts.Categories, g.Category):
		return "the operator does not accept the group's category"
	}
	return ""
}

// allows reports whether list, where empty means no restriction, admits v.
func allows(list []string, v string) bool {
	return len(list) == 0 || slices.Contains(list, v)
}

// HubDay names the hub intake that flight f draws on: its destination and the
// UTC day of its departure, as "Ramstein@2021-08-24". A hub's capacity is per
// such day; a destination that is not a listed hub has no limit.
func HubDay(f Flight) string {
	return f.Destination + "@" + f.Departure.UTC().Format("2006-01-02")
}

// cutHubDay splits a HubDay into the hub and the day. The cut is at the last
// "@", since a destination may hold one.
func cutHubDay(hd string) (hub, day string) {
	i := strings.LastIndexByte(hd, '@')
	return hd[:i], hd[i+1:]
}
