package sqlite

import (
	"fmt"
	"testing"
)

func TestKeyFilter(t *testing.T) {
	f := newKeyFilter(100_000)
	for i := range 100_000 {
		f.add(fmt.Sprint("key-", i))
	}
	for i := range 100_000 {
		if !f.mayContain(fmt.Sprint("key-", i)) {
			t.Fatalf("key-%d was added but the filter denies it", i)
		}
	}
	falsePositives := 0
	for i := range 100_000 {
		if f.mayContain(fmt.Sprint("other-", i)) {
			falsePositives++
		}
	}
	if rate := float64(falsePositives) / 100_000; rate > 0.01 {
		t.Errorf("false positive rate %.4f, want at most 0.01", rate)
	}
}
