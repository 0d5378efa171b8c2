package pdf417

import "testing"

// widths splits a pattern of n modules into its bar and space widths.
func widths(p uint32, n int) []int {
	var w []int
	prev := uint32(2)
	for i := n - 1; i >= 0; i-- {
		b := p >> uint(i) & 1
		if b == prev {
			w[len(w)-1]++
		} else {
			w = append(w, 1)
			prev = b
		}
	}
	return w
}

func TestCodewordPatternsKnownValues(t *testing.T) {
	// Values from ISO/IEC 15438 Annex A as printed in ZXing's encoder.
	tests := []struct {
		cluster, value int
		want           uint32
	}{
		{0, 0, 0x1d5c0}, {0, 1, 0x1eaf0}, {0, 2, 0x1f57c}, {0, 5, 0x1f53e},
		{0, 924, 0x18e34}, {0, 928, 0x1bef4},
		{1, 0, 0x1f560}, {1, 1, 0x1fab8}, {1, 5, 0x1ea20},
		{2, 0, 0x1abe0}, {2, 1, 0x1d5f8}, {2, 928, 0x1c7ea},
	}
	for _, tt := range tests {
		if got := codewordPatterns[tt.cluster][tt.value]; got != tt.want {
			t.Errorf("cluster %d codeword %d = %#x, want %#x", tt.cluster*3, tt.value, got, tt.want)
		}
	}
	if got, want := widths(startPattern, 17), []int{8, 1, 1, 1, 1, 1, 1, 3}; !equalInts(got, want) {
		t.Errorf("start pattern widths %v, want %v", got, want)
	}
	if got, want := widths(stopPattern, 18), []int{7, 1, 1, 3, 1, 1, 1, 2, 1}; !equalInts(got, want) {
		t.Errorf("stop pattern widths %v, want %v", got, want)
	}
}

// Every codeword pattern is 4 bars and 4 spaces, starting with a bar, each
// 1..6 modules wide, 17 in all, in the cluster its table says, and unique.
func TestCodewordPatternsStructure(t *testing.T) {
	seen := map[uint32]bool{}
	for k := range 3 {
		for v, p := range codewordPatterns[k] {
			if p>>16 != 1 {
				t.Fatalf("cluster %d codeword %d %#x does not start with a bar in 17 modules", 3*k, v, p)
			}
			w := widths(p, 17)
			if len(w) != 8 {
				t.Fatalf("cluster %d codeword %d %#x has %d elements", 3*k, v, p, len(w))
			}
			for _, x := range w {
				if x < 1 || x > 6 {
					t.Fatalf("cluster %d codeword %d %#x has element width %d", 3*k, v, p, x)
				}
			}
			if c := (w[0] - w[2] + w[4] - w[6] + 9) % 9; c != 3*k {
				t.Fatalf("cluster %d codeword %d %#x is in cluster %d", 3*k, v, p, c)
			}
			if seen[p] {
				t.Fatalf("cluster %d codeword %d %#x appears twice", 3*k, v, p)
			}
			seen[p] = true
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
