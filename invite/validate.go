package invite

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxMinutes bounds Issued and Start: Unix minutes must fit in 32 bits.
const maxMinutes = 1<<32 - 1

// validate reports the first rule inv breaks, naming the field; callers wrap
// the error with ErrInvalid or ErrMalformed.
func validate(inv Invitation) error {
	if msg := checkText(inv.Operation); msg != "" {
		return fmt.Errorf("operation %.70q: %s", inv.Operation, msg)
	}
	if msg := checkID(inv.Group); msg != "" {
		return fmt.Errorf("group %.70q: %s", inv.Group, msg)
	}
	if msg := checkID(inv.Gate); msg != "" {
		return fmt.Errorf("gate %.70q: %s", inv.Gate, msg)
	}
	if n := len(inv.Persons); n < 1 || n > MaxPersons {
		return fmt.Errorf("persons: %d, must be 1 to %d", n, MaxPersons)
	}
	seen := make(map[string]bool, len(inv.Persons))
	for i, p := range inv.Persons {
		if msg := checkID(p.ID); msg != "" {
			return fmt.Errorf("persons[%d].id %.70q: %s", i, p.ID, msg)
		}
		if seen[p.ID] {
			return fmt.Errorf("persons[%d].id %q: repeated", i, p.ID)
		}
		seen[p.ID] = true
		if len(p.Doc) != 0 && len(p.Doc) != DocSize {
			return fmt.Errorf("persons[%d].doc: %d bytes, must be 0 or %d", i, len(p.Doc), DocSize)
		}
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"issued", inv.Issued}, {"start", inv.Start}, {"end", inv.End}} {
		if msg := checkTime(f.t); msg != "" {
			return fmt.Errorf("%s %s: %s", f.name, f.t.UTC().Format(time.RFC3339Nano), msg)
		}
	}
	if d := inv.End.Sub(inv.Start); d <= 0 || d > MaxWindow {
		return fmt.Errorf("window %s to %s: end must be after start and at most %s later",
			inv.Start.UTC().Format(time.RFC3339), inv.End.UTC().Format(time.RFC3339), MaxWindow)
	}
	return nil
}

// checkText returns what is wrong with a name, or "".
func checkText(s string) string {
	switch {
	case s == "" || len(s) > MaxName:
		return fmt.Sprintf("must be 1 to %d bytes", MaxName)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return "must be UTF-8 text without control characters"
	}
	return ""
}

// checkID returns what is wrong with an id, or "".
func checkID(s string) string {
	switch {
	case s == "" || len(s) > MaxName:
		return fmt.Sprintf("must be 1 to %d bytes", MaxName)
	case strings.ContainsFunc(s, func(r rune) bool { return r != '.' && strings.IndexRune(alphabet, r) < 0 }):
		return "must be letters, digits, '_', '.' and '-' only"
	}
	return ""
}

// checkTime returns what is wrong with a time, or "". The end of the window
// is bounded by the window, not here.
func checkTime(t time.Time) string {
	switch {
	case t.Nanosecond() != 0 || t.Unix()%60 != 0:
		return "must be a whole minute"
	case t.Unix() < 0 || t.Unix()/60 > maxMinutes:
		return "must be from 1970 to 10136"
	}
	return ""
}
