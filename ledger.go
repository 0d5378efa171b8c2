package airbridge

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Submission is a command as handed to a ledger.
type Submission struct {
	Command Command
	// Envelope.Time may be zero: the ledger then stamps the time it accepts
	// the command. Envelope.Key is the idempotency key; it may be empty only
	// for commands that the ledger's own tools submit.
	Envelope Envelope
	// Fingerprint identifies the request behind the command (such as a hash
	// of its method, path and body). A key replayed with another fingerprint is
	// refused with ECONFLICT.
	Fingerprint string
}

// Receipt is a ledger's answer to an accepted submission.
type Receipt struct {
	Outcome  json.RawMessage // the command's outcome as JSON, the same on every replay
	Replayed bool            // the key had been used before: nothing changed
	FirstSeq int64           // the ledger positions of the command's events
	LastSeq  int64
}

// KeyReused is the error for an idempotency key replayed with another request.
func KeyReused(key string) *Error {
	return Errorf(ECONFLICT, "idempotency key %q was already used for a different request", key).With("idempotency_key", key)
}

// Diff compares two states entity by entity and describes each difference in
// one line; it returns nil when they are equal. It is how a ledger's read
// tables are checked against a refold of its events.
func Diff(want, got *State) []string {
	var out []string
	if !jsonEqual(want.Policy, got.Policy) {
		out = append(out, fmt.Sprintf("operation policy: ledger %s, tables %s", mustJSON(want.Policy), mustJSON(got.Policy)))
	}
	out = append(out, diffMap("site", want.Sites, got.Sites)...)
	out = append(out, diffMap("group", want.Groups, got.Groups)...)
	out = append(out, diffMap("person", want.Persons, got.Persons)...)
	out = append(out, diffMap("flight", want.Flights, got.Flights)...)
	out = append(out, diffMap("withdrawal", want.Withdrawals, got.Withdrawals)...)
	for _, nation := range slices.Sorted(maps.Keys(want.Counts)) {
		if !jsonEqual(want.Counts[nation], got.Counts[nation]) {
			out = append(out, fmt.Sprintf("counts of %s: ledger %s, tables %s", nation, mustJSON(want.Counts[nation]), mustJSON(got.Counts[nation])))
		}
	}
	for _, nation := range slices.Sorted(maps.Keys(got.Counts)) {
		if _, ok := want.Counts[nation]; !ok && len(got.Counts[nation]) > 0 {
			out = append(out, fmt.Sprintf("counts of %s: not in the ledger, tables %s", nation, mustJSON(got.Counts[nation])))
		}
	}
	for _, doc := range slices.Sorted(maps.Keys(want.Documents)) {
		if got.Documents[doc] != want.Documents[doc] {
			out = append(out, fmt.Sprintf("document %s: ledger person %q, tables person %q", doc, want.Documents[doc], got.Documents[doc]))
		}
	}
	for _, doc := range slices.Sorted(maps.Keys(got.Documents)) {
		if _, ok := want.Documents[doc]; !ok {
			out = append(out, fmt.Sprintf("document %s: not in the ledger, tables person %q", doc, got.Documents[doc]))
		}
	}
	return out
}

func diffMap[T any](kind string, want, got map[string]*T) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[id]
		if !ok {
			out = append(out, fmt.Sprintf("%s %s: in the ledger, missing from the tables", kind, id))
			continue
		}
		if w := want[id]; !jsonEqual(w, g) {
			out = append(out, fmt.Sprintf("%s %s: %s", kind, id, fieldDiff(w, g)))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("%s %s: in the tables, not in the ledger", kind, id))
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

func jsonEqual(a, b any) bool { return mustJSON(a) == mustJSON(b) }

// fieldDiff names the top-level JSON fields in which want and got differ.
func fieldDiff(want, got any) string {
	var w, g map[string]json.RawMessage
	if json.Unmarshal([]byte(mustJSON(want)), &w) != nil || json.Unmarshal([]byte(mustJSON(got)), &g) != nil {
		return "differs"
	}
	var parts []string
	keys := slices.Sorted(maps.Keys(w))
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if string(w[k]) != string(g[k]) {
			parts = append(parts, fmt.Sprintf("%s: ledger %s, tables %s", k, orNone(w[k]), orNone(g[k])))
		}
	}
	return strings.Join(parts, "; ")
}

func orNone(b json.RawMessage) string {
	if len(b) == 0 {
		return "(none)"
	}
	return string(b)
}
