package sqlite

import (
	"fmt"
	"testing"
)

func TestForEach(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 513, 10_000} {
		seen := make([]int, n)
		if err := forEach(n, func(i int) error { seen[i]++; return nil }); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: fn(%d) called %d times", n, i, c)
			}
		}
	}
	// The lowest failing index wins, whatever the scheduling.
	for range 20 {
		err := forEach(10_000, func(i int) error {
			if i == 9_000 || i == 7_000 || i == 4_000 {
				return fmt.Errorf("row %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "row 4000" {
			t.Fatalf("error = %v, want row 4000", err)
		}
	}
	err := forEach(10_000, func(i int) error {
		if i == 9_999 {
			panic("boom")
		}
		return nil
	})
	if err == nil || err.Error() != "panic: boom" {
		t.Fatalf("a panic in fn = %v, want an error", err)
	}
}
