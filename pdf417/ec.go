package pdf417

const gfPrime = 929

// ecCoefficients returns the coefficients a[0..k-1] of the generator
// polynomial g(x) = (x-3)(x-3²)…(x-3^k) over GF(929), lowest degree first,
// without the leading 1.
func ecCoefficients(k int) []int {
	g := []int{1} // g[i] is the coefficient of x^i
	root := 1
	for range k {
		root = root * 3 % gfPrime
		next := make([]int, len(g)+1)
		for i, c := range g {
			next[i+1] = (next[i+1] + c) % gfPrime
			next[i] = (next[i] + c*(gfPrime-root)) % gfPrime
		}
		g = next
	}
	return g[:k]
}

// errorCorrection returns the k error correction codewords for data, in
// the order they follow the data in the symbol (ISO/IEC 15438 Annex A.2).
func errorCorrection(data []int, k int) []int {
	a := ecCoefficients(k)
	e := make([]int, k)
	for _, d := range data {
		t := (d + e[k-1]) % gfPrime
		for j := k - 1; j > 0; j-- {
			e[j] = (e[j-1] + gfPrime - t*a[j]%gfPrime) % gfPrime
		}
		e[0] = (gfPrime - t*a[0]%gfPrime) % gfPrime
	}
	out := make([]int, k)
	for j := range k {
		v := e[k-1-j]
		if v != 0 {
			v = gfPrime - v
		}
		out[j] = v
	}
	return out
}
