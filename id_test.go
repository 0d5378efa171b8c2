package airbridge

import (
	"regexp"
	"testing"
)

// entityIDPattern is what entityID matches, as a regular expression.
var entityIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

func FuzzEntityID(f *testing.F) {
	for _, s := range []string{"", "a", "_a", "a_", "a.b-c_D9", "ä", "a b", "-", ".x", "x..", "a\n", "A9", "a/b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := entityID.MatchString(s), entityIDPattern.MatchString(s); got != want {
			t.Fatalf("entityID(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
