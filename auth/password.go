package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password length limits, in bytes. The upper limit bounds the work an
// attacker can demand per login attempt.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// argon2id parameters for new hashes: OWASP's recommended minimum
// (19 MiB, two passes, one lane).
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds accepted by CheckPassword. They keep a crafted or corrupted hash from
// demanding unbounded memory or time; they are checked before any hashing.
const (
	maxArgonMemory  = 1 << 20 // KiB, 1 GiB
	maxArgonTime    = 10
	maxArgonThreads = 16
	minSaltLen      = 8
	maxSaltLen      = 64
	minKeyLen       = 16
	maxKeyLen       = 64
)

var b64 = base64.RawStdEncoding

// argonParams are the cost parameters of one encoded hash.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
}

// HashPassword returns an argon2id hash of password in PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", fmt.Errorf("password is shorter than %d bytes", MinPasswordLen)
	}
	if len(password) > MaxPasswordLen {
		return "", fmt.Errorf("password is longer than %d bytes", MaxPasswordLen)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC-encoded argon2id
// hash. It returns an error only when encoded is malformed or its parameters
// are out of bounds, and (false, nil) for a wrong password. A password longer
// than MaxPasswordLen never matches.
func CheckPassword(encoded, password string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummySalt is fixed: DummyCheck only spends time, it protects nothing.
var dummySalt = make([]byte, argonSaltLen)

// DummyCheck spends the time of one CheckPassword against a hash made by
// HashPassword, and discards the result. Call it when the user is unknown, so
// that response time does not reveal which user names exist.
func DummyCheck(password string) {
	if len(password) > MaxPasswordLen {
		return
	}
	argon2.IDKey([]byte(password), dummySalt, argonTime, argonMemory, argonThreads, argonKeyLen)
}

var errHashFormat = errors.New("malformed password hash: want $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>")

// decodeHash parses a PHC argon2id string strictly: only the canonical
// encoding that HashPassword would produce for the same values is accepted.
func decodeHash(encoded string) (p argonParams, salt, key []byte, err error) {
	f := strings.SplitN(encoded, "$", 7)
	if len(f) != 6 || f[0] != "" {
		return p, nil, nil, errHashFormat
	}
	if f[1] != "argon2id" {
		return p, nil, nil, errors.New("malformed password hash: algorithm is not argon2id")
	}
	if f[2] != "v=19" {
		return p, nil, nil, errors.New("malformed password hash: version is not 19")
	}
	kv := strings.Split(f[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, errHashFormat
	}
	m, err := parseParam(kv[0], "m=", maxArgonMemory)
	if err != nil {
		return p, nil, nil, err
	}
	t, err := parseParam(kv[1], "t=", maxArgonTime)
	if err != nil {
		return p, nil, nil, err
	}
	threads, err := parseParam(kv[2], "p=", maxArgonThreads)
	if err != nil {
		return p, nil, nil, err
	}
	if t < 1 {
		return p, nil, nil, errors.New("malformed password hash: t must be at least 1")
	}
	if threads < 1 {
		return p, nil, nil, errors.New("malformed password hash: p must be at least 1")
	}
	if m < 8*threads {
		return p, nil, nil, errors.New("malformed password hash: m must be at least 8*p")
	}
	p = argonParams{memory: uint32(m), time: uint32(t), threads: uint8(threads)}
	if salt, err = decodeB64(f[4], minSaltLen, maxSaltLen); err != nil {
		return p, nil, nil, fmt.Errorf("malformed password hash: salt %w", err)
	}
	if key, err = decodeB64(f[5], minKeyLen, maxKeyLen); err != nil {
		return p, nil, nil, fmt.Errorf("malformed password hash: hash %w", err)
	}
	return p, salt, key, nil
}

// parseParam parses "<name><decimal>" with no sign and no leading zeros, and
// value at most limit.
func parseParam(s, name string, limit uint64) (uint64, error) {
	digits, ok := strings.CutPrefix(s, name)
	if !ok || digits == "" || len(digits) > 1 && digits[0] == '0' || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, errHashFormat
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || v > limit {
		return 0, fmt.Errorf("malformed password hash: %s must be at most %d", strings.TrimSuffix(name, "="), limit)
	}
	return v, nil
}

// decodeB64 decodes canonical unpadded standard base64 of lo to hi bytes.
func decodeB64(s string, lo, hi int) ([]byte, error) {
	if len(s) < b64.EncodedLen(lo) || len(s) > b64.EncodedLen(hi) {
		return nil, fmt.Errorf("must be %d to %d bytes", lo, hi)
	}
	b, err := b64.DecodeString(s)
	// Re-encoding rejects the forms DecodeString tolerates: embedded
	// newlines and non-zero trailing bits.
	if err != nil || b64.EncodeToString(b) != s {
		return nil, errors.New("is not canonical unpadded base64")
	}
	if len(b) < lo || len(b) > hi {
		return nil, fmt.Errorf("must be %d to %d bytes", lo, hi)
	}
	return b, nil
}
