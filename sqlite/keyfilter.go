package sqlite

import (
	"hash/maphash"
	"math/bits"
)

// keyFilter is a Bloom filter of the idempotency keys in the ledger. Nearly
// every command carries a key never seen before; the filter says so without
// a look-up in the commands table, and sends only the few keys it may hold
// (replays, and about one in a hundred others) to the table.
type keyFilter struct {
	seed maphash.Seed
	bits []uint64
	mask uint64 // len(bits)*64 - 1; the length is a power of two
}

const keyHashes = 7 // about 1% false positives at 10 bits a key

// newKeyFilter returns a filter sized for at least n keys at 1% false
// positives; more keys raise that rate gradually.
func newKeyFilter(n int) *keyFilter {
	words := 1 << 18 // 16 Mbit, 2 MiB: 1.6 million keys
	for words*64 < n*20 {
		words <<= 1
	}
	return &keyFilter{seed: maphash.MakeSeed(), bits: make([]uint64, words), mask: uint64(words*64 - 1)}
}

func (f *keyFilter) positions(key string) (h1, h2 uint64) {
	h := maphash.String(f.seed, key)
	return h, bits.RotateLeft64(h, 32) | 1
}

func (f *keyFilter) add(key string) {
	h1, h2 := f.positions(key)
	for i := range uint64(keyHashes) {
		p := (h1 + i*h2) & f.mask
		f.bits[p/64] |= 1 << (p % 64)
	}
}

// mayContain reports false only for a key that was never added.
func (f *keyFilter) mayContain(key string) bool {
	h1, h2 := f.positions(key)
	for i := range uint64(keyHashes) {
		p := (h1 + i*h2) & f.mask
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}
