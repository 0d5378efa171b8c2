package sqlite

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// chainHash is the hash of one ledger event: SHA-256 over the hash of the
// event before it (empty for the first) and every column of the event as
// stored, each length-prefixed so that no two rows hash alike.
func chainHash(prev []byte, seq int64, stream, typ string, data []byte, actor, site, key, time string) []byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	writeField(h, prev)
	writeField(h, n[:])
	for _, s := range []string{stream, typ} {
		writeField(h, []byte(s))
	}
	writeField(h, data)
	for _, s := range []string{actor, site, key, time} {
		writeField(h, []byte(s))
	}
	return h.Sum(nil)
}

// auditHash is the hash of one audit entry, chained the same way.
func auditHash(prev []byte, seq int64, fields ...string) []byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	writeField(h, prev)
	writeField(h, n[:])
	for _, s := range fields {
		writeField(h, []byte(s))
	}
	return h.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}
