package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of an instance. They keep every sum of an instance (people on a
// flight, the objective) exact and finite, and ids printable.
const (
	maxInstanceSize = 256 << 20 // bytes of JSON that Parse reads
	maxGroupSize    = 1000
	maxSeats        = 100000
	maxIDLen        = 100 // bytes
	maxWeight       = 1e9
)

// InvalidError is an instance that breaks one of its rules. Path names the
// offending element as a JSON path ("groups[3].size", `fixed["G9"]`), or the
// member that holds the rule ("weights", "fixed").
type InvalidError struct {
	Path    string
	Message string
}

func (e *InvalidError) Error() string { return e.Path + ": " + e.Message }

func invalid(path, format string, args ...any) *InvalidError {
	return &InvalidError{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Parse reads one instance as JSON and validates it. Unlike encoding/json
// alone it refuses unknown members, a member given twice in one object, member
// names in another case than the documented one ("Size"), anything after the
// instance, and more than 256 MiB. An instance that breaks a rule of Validate
// is reported as *InvalidError.
func Parse(r io.Reader) (*Instance, error) {
	return parse(r, maxInstanceSize)
}

// parse is Parse with a limit of limit bytes.
func parse(r io.Reader, limit int64) (*Instance, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read instance: %w", err)
	}
	if int64(len(data)) > limit {
		if limit >= 1<<20 {
			return nil, fmt.Errorf("instance is larger than the limit of %d MiB", limit>>20)
		}
		return nil, fmt.Errorf("instance is larger than the limit of %d bytes", limit)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in Instance
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("decode instance: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decode instance: data after the instance")
	}
	if err := checkNames(data); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return &in, nil
}

// frame is an object or array that checkNames is inside.
type frame struct {
	object   bool
	isMap    bool            // its member names are data (priorities, group ids)
	wantName bool            // the next token is a member name or '}'
	name     string          // the object's current member
	index    int             // the array's current element
	seen     map[string]bool // the object's member names so far
}

// checkNames refuses what encoding/json resolves silently: a member named twice
// in one object, where the last would win and hide, say, a group's second
// fixed flight; and a field name that only matches by case folding ("Size",
// "ſize"). The instance must be a JSON object. data must already have been
// decoded without error, so it is well-formed and shallow.
func checkNames(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("decode instance: %w", err)
		}
		if len(stack) == 0 && tok != json.Delim('{') {
			return errors.New("decode instance: an instance is a JSON object")
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.wantName {
			if tok == json.Delim('}') {
				stack = valueDone(stack[:len(stack)-1])
				continue
			}
			name := tok.(string)
			top.name, top.wantName = name, false
			if top.seen[name] {
				return invalid(pathOf(stack), "given twice")
			}
			top.seen[name] = true
			if !top.isMap && strings.ContainsFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' }) {
				return invalid(pathOf(stack), "unknown field (field names are lower case)")
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			isMap := len(stack) == 1 && (top.name == "weights" || top.name == "fixed")
			stack = append(stack, &frame{object: true, isMap: isMap, wantName: true, seen: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = valueDone(stack[:len(stack)-1])
		default:
			stack = valueDone(stack)
		}
	}
}

// valueDone moves the innermost object or array of stack past a value.
func valueDone(stack []*frame) []*frame {
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		if top.object {
			top.wantName = true
		} else {
			top.index++
		}
	}
	return stack
}

// pathOf is the JSON path of the current member or element of stack's
// innermost object or array.
func pathOf(stack []*frame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case !f.object:
			fmt.Fprintf(&b, "[%d]", f.index)
		case f.isMap:
			fmt.Fprintf(&b, "[%q]", f.name)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.name)
		}
	}
	return b.String()
}

// Validate checks the rules of an instance and returns the first one broken,
// as *InvalidError, in the order of the JSON document:
//
//   - weights: keys are priorities written as whole numbers ≥ 0 ("3", not
//     "03"), values 0..1e9; every group's priority has a weight;
//   - groups: ids non-empty, unique, at most 100 bytes of printable UTF-8;
//     size 1..1000; priority ≥ 0; litters 0..size; a ready time; no empty
//     destination;
//   - flights: ids as for groups; seats 0..100000; litters 0..seats; a
//     departure time; no empty accepted nationality or category;
//   - hubs: ids as for groups; capacity ≥ 0;
//   - fixed: each names an existing group and flight that are Compatible, and
//     the fixed groups together fit each flight's seats and litters and each
//     hub's daily capacity.
func (in *Instance) Validate() error {
	for _, key := range slices.Sorted(maps.Keys(in.Weights)) {
		path := fmt.Sprintf("weights[%q]", key)
		if p, err := strconv.Atoi(key); err != nil || p < 0 || strconv.Itoa(p) != key {
			return invalid(path, "not a priority: must be a whole number ≥ 0 such as \"1\"")
		}
		if w := in.Weights[key]; !(w >= 0 && w <= maxWeight) { // also refuses NaN
			return invalid(path, "must be 0..%g", float64(maxWeight))
		}
	}

	groups := make(map[string]int, len(in.Groups))
	for i, g := range in.Groups {
		at := func(field string) string { return fmt.Sprintf("groups[%d].%s", i, field) }
		if msg := checkID(g.ID); msg != "" {
			return invalid(at("id"), "%s", msg)
		}
		if _, dup := groups[g.ID]; dup {
			return invalid(at("id"), "%q is listed twice", g.ID)
		}
		groups[g.ID] = i
		switch {
		case g.Size < 1 || g.Size > maxGroupSize:
			return invalid(at("size"), "must be 1..%d", maxGroupSize)
		case g.Priority < 0:
			return invalid(at("priority"), "must be ≥ 0")
		case g.Litters < 0 || g.Litters > g.Size:
			return invalid(at("litters"), "must be 0..%d (the group's size)", g.Size)
		case g.Ready.IsZero():
			return invalid(at("ready"), "must be given")
		}
		if _, ok := in.Weights[strconv.Itoa(g.Priority)]; !ok {
			return invalid("weights", "priority %d of groups[%d] has no weight", g.Priority, i)
		}
		if j := slices.Index(g.Destinations, ""); j >= 0 {
			return invalid(at(fmt.Sprintf("destinations[%d]", j)), "must not be empty")
		}
	}

	flights := make(map[string]int, len(in.Flights))
	for i, f := range in.Flights {
		at := func(field string) string { return fmt.Sprintf("flights[%d].%s", i, field) }
		if msg := checkID(f.ID); msg != "" {
			return invalid(at("id"), "%s", msg)
		}
		if _, dup := flights[f.ID]; dup {
			return invalid(at("id"), "%q is listed twice", f.ID)
		}
		flights[f.ID] = i
		switch {
		case f.Seats < 0 || f.Seats > maxSeats:
			return invalid(at("seats"), "must be 0..%d", maxSeats)
		case f.Litters < 0 || f.Litters > f.Seats:
			return invalid(at("litters"), "must be 0..%d (the flight's seats)", f.Seats)
		case f.Departure.IsZero():
			return invalid(at("departure"), "must be given")
		}
		if j := slices.Index(f.Accepts.Nationalities, ""); j >= 0 {
			return invalid(at(fmt.Sprintf("accepts.nationalities[%d]", j)), "must not be empty")
		}
		if j := slices.Index(f.Accepts.Categories, ""); j >= 0 {
			return invalid(at(fmt.Sprintf("accepts.categories[%d]", j)), "must not be empty")
		}
	}

	hubs := make(map[string]int, len(in.Hubs)) // id → capacity
	for i, h := range in.Hubs {
		at := func(field string) string { return fmt.Sprintf("hubs[%d].%s", i, field) }
		if msg := checkID(h.ID); msg != "" {
			return invalid(at("id"), "%s", msg)
		}
		if _, dup := hubs[h.ID]; dup {
			return invalid(at("id"), "%q is listed twice", h.ID)
		}
		if h.Capacity < 0 {
			return invalid(at("capacity"), "must be ≥ 0")
		}
		hubs[h.ID] = h.Capacity
	}

	return in.validateFixed(groups, flights, hubs)
}

// validateFixed checks in.Fixed given the indexes of the groups and flights by
// id and the hubs' capacities.
func (in *Instance) validateFixed(groups, flights, hubs map[string]int) error {
	seats := make([]int, len(in.Flights))
	litters := make([]int, len(in.Flights))
	hubDays := map[string]int{} // hub-day → people fixed to it
	for _, gid := range slices.Sorted(maps.Keys(in.Fixed)) {
		path := fmt.Sprintf("fixed[%q]", gid)
		gi, ok := groups[gid]
		if !ok {
			return invalid(path, "no such group")
		}
		fid := in.Fixed[gid]
		fi, ok := flights[fid]
		if !ok {
			return invalid(path, "no such flight %q", fid)
		}
		g, f := in.Groups[gi], in.Flights[fi]
		if why := incompatibility(g, f); why != "" {
			return invalid(path, "the group cannot board flight %q: %s", fid, why)
		}
		seats[fi] += g.Size
		litters[fi] += g.Litters
		if _, ok := hubs[f.Destination]; ok {
			hubDays[HubDay(f)] += g.Size
		}
	}
	for fi, f := range in.Flights {
		if seats[fi] > f.Seats {
			return invalid("fixed", "the groups fixed on flight %q take %d seats; it has %d", f.ID, seats[fi], f.Seats)
		}
		if litters[fi] > f.Litters {
			return invalid("fixed", "the groups fixed on flight %q take %d litter positions; it has %d", f.ID, litters[fi], f.Litters)
		}
	}
	for _, hd := range slices.Sorted(maps.Keys(hubDays)) {
		hub, day := cutHubDay(hd)
		if hubDays[hd] > hubs[hub] {
			return invalid("fixed", "the groups fixed on flights to hub %q on %s take %d places; its capacity is %d", hub, day, hubDays[hd], hubs[hub])
		}
	}
	return nil
}

// checkID returns why id is not a valid id, or "".
func checkID(id string) string {
	switch {
	case id == "":
		return "must not be empty"
	case len(id) > maxIDLen:
		return fmt.Sprintf("must be at most %d bytes", maxIDLen)
	case !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl):
		return "must be UTF-8 text without control characters"
	}
	return ""
}
