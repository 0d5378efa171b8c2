package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// An API token or session id has the form
//
//	<prefix><id>_<secret>
//
// where id is a random public id of idLen characters from idAlphabet, used to
// look the credential up and safe to log, and secret is secretLen random bytes
// in unpadded URL-safe base64. Only a hash of the secret is stored.
//
// The secret is 256 bits of randomness, so a single fast SHA-256 is the right
// storage hash: there is nothing for a slow hash to protect against. argon2 is
// for low-entropy passwords.
const (
	tokenPrefix   = "abt_"
	sessionPrefix = "abs_"
	idLen         = 10
	idAlphabet    = "0123456789abcdefghjkmnpqrstvwxyz" // 32 symbols: a random byte&31 picks one without bias
	secretLen     = 32
)

var secretEncoding = base64.RawURLEncoding

// NewToken returns a new API token: full is shown to its owner once, id and
// secretHash are stored.
func NewToken() (full, id, secretHash string, err error) {
	return newCredential(tokenPrefix)
}

// ParseToken checks the format of an API token and returns its public id and
// the hash of its secret, to compare with the stored hash. Errors never
// contain the secret.
func ParseToken(s string) (id, secretHash string, err error) {
	return parseCredential(tokenPrefix, "API token", s)
}

// NewSession returns a new browser session id: full goes into the cookie, id
// and secretHash are stored.
func NewSession() (full, id, secretHash string, err error) {
	return newCredential(sessionPrefix)
}

// ParseSession is ParseToken for browser session ids.
func ParseSession(s string) (id, secretHash string, err error) {
	return parseCredential(sessionPrefix, "session id", s)
}

func newCredential(prefix string) (full, id, secretHash string, err error) {
	b := make([]byte, idLen+secretLen)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", err
	}
	ib := make([]byte, idLen)
	for i := range ib {
		ib[i] = idAlphabet[b[i]&31]
	}
	secret := b[idLen:]
	id = string(ib)
	return formatCredential(prefix, id, secret), id, hashSecret(secret), nil
}

func formatCredential(prefix, id string, secret []byte) string {
	return prefix + id + "_" + secretEncoding.EncodeToString(secret)
}

func parseCredential(prefix, kind, s string) (id, secretHash string, err error) {
	id, secret, err := splitCredential(prefix, kind, s)
	if err != nil {
		return "", "", err
	}
	return id, hashSecret(secret), nil
}

// splitCredential accepts exactly the strings formatCredential produces.
func splitCredential(prefix, kind, s string) (id string, secret []byte, err error) {
	if len(s) != len(prefix)+idLen+1+secretEncoding.EncodedLen(secretLen) {
		return "", nil, fmt.Errorf("malformed %s: wrong length", kind)
	}
	if !strings.HasPrefix(s, prefix) {
		return "", nil, fmt.Errorf("malformed %s: does not start with %q", kind, prefix)
	}
	rest := s[len(prefix):]
	id, enc := rest[:idLen], rest[idLen+1:]
	for i := 0; i < len(id); i++ {
		if strings.IndexByte(idAlphabet, id[i]) < 0 {
			return "", nil, fmt.Errorf("malformed %s: invalid character in id", kind)
		}
	}
	if rest[idLen] != '_' {
		return "", nil, fmt.Errorf("malformed %s: no separator after id", kind)
	}
	secret, err = secretEncoding.DecodeString(enc)
	// Re-encoding rejects what DecodeString tolerates: embedded newlines and
	// non-zero trailing bits. The decode error is dropped: it would quote the
	// offending secret byte.
	if err != nil || len(secret) != secretLen || secretEncoding.EncodeToString(secret) != enc {
		return "", nil, fmt.Errorf("malformed %s: invalid secret", kind)
	}
	return id, secret, nil
}

// hashSecret returns the hex SHA-256 of the raw secret bytes (not of their
// base64 text).
func hashSecret(secret []byte) string {
	h := sha256.Sum256(secret)
	return hex.EncodeToString(h[:])
}

// NewCSRFToken returns 32 random bytes in unpadded URL-safe base64.
func NewCSRFToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// passwordAlphabet is letters and digits without the look-alikes 0, O, 1, l
// and I, so a generated password survives being read aloud or retyped.
const passwordAlphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// RandomPassword returns 20 characters from passwordAlphabet (about 116 bits),
// for demo users and accounts created without a password.
func RandomPassword() (string, error) {
	const n = 20
	// Bytes at or above limit are rejected so that byte%len is uniform.
	const limit = 256 - 256%len(passwordAlphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out), nil
}

// Equal reports whether a and b are equal, in time that depends on their
// lengths but not their contents.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
