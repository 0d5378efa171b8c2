// Package invite issues and checks call-forward invitations: what a called
// group shows at the airport gate, as a QR code or as short text in a message,
// signed with the operation's Ed25519 key so that the gate can check it offline
// with the public key alone.
//
// The text form is
//
//	ABI1.<base64url, no padding, of payload || signature>
//
// where payload is the binary encoding described in payload.go and signature is
// the 64-byte Ed25519 signature of "airbridge invitation v1\x00" || payload. A
// group of 6 with 13-character ids fits in about 300 characters: two SMS
// segments.
package invite

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	// prefix starts the text form and names its version.
	prefix = "ABI1."
	// domain is signed before the payload, so that a signature made for
	// anything else with the same key never verifies as an invitation.
	domain = "airbridge invitation v1\x00"
)

// Limits of an Invitation, enforced by Sign and Verify.
const (
	MaxName    = 64             // bytes in Operation, Group, Gate and each Person.ID
	MaxPersons = 100            // persons in one invitation
	MaxWindow  = 48 * time.Hour // End - Start
	DocSize    = 8              // bytes of a Person.Doc token
)

var (
	// ErrInvalid is wrapped by Sign and PDF when the invitation breaks a rule;
	// the message names the field.
	ErrInvalid = errors.New("invalid invitation")
	// ErrMalformed is wrapped by Verify when the text is not an invitation;
	// the message says what is wrong.
	ErrMalformed = errors.New("malformed invitation")
	// ErrForged is returned by Verify for a well-formed invitation whose
	// signature does not verify: it was altered, or signed with another key.
	ErrForged = errors.New("forged invitation")
)

// Invitation is what a called group is given.
type Invitation struct {
	Operation string    // the operation's name: 1-64 bytes of UTF-8 without control characters
	Group     string    // group id: 1-64 bytes of [A-Za-z0-9_.-]
	Persons   []Person  // 1-100 persons, ids unique
	Gate      string    // gate site id: 1-64 bytes of [A-Za-z0-9_.-]
	Start     time.Time // the window opens; a whole minute from 1970 to 10136 (32-bit Unix minutes)
	End       time.Time // the window closes; a whole minute after Start, at most 48 h later, by 10136
	Issued    time.Time // a whole minute from 1970 to 10136
}

// Person is one invited person.
type Person struct {
	ID string // 1-64 bytes of [A-Za-z0-9_.-]
	// Doc is empty (nil from Verify) when the person has no document;
	// otherwise the first 8 bytes of the blind index of its number (an HMAC
	// the server computes; never the number in clear).
	Doc []byte
}

// Sign validates inv, encodes it and signs it with key. It returns the text
// form, which Verify accepts with key's public key. The same inv and key
// always give the same text. Errors wrap ErrInvalid and name the field.
func Sign(inv Invitation, key ed25519.PrivateKey) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("sign invitation: private key is %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	if err := validate(inv); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	payload := encode(inv)
	sig := ed25519.Sign(key, message(payload))
	return prefix + base64.RawURLEncoding.EncodeToString(append(payload, sig...)), nil
}

// Verify decodes text and checks its signature with key. It returns an error
// wrapping ErrMalformed, with what is wrong, when text is not exactly the
// text form of a valid invitation (surrounding space and line breaks
// included), and ErrForged when it is but its signature does not verify under
// key. A key of the wrong size is another error. The times of the returned
// Invitation are in UTC, and Sign gives text back from it with the same key.
func Verify(text string, key ed25519.PublicKey) (Invitation, error) {
	if len(key) != ed25519.PublicKeySize {
		return Invitation{}, fmt.Errorf("verify invitation: public key is %d bytes, want %d", len(key), ed25519.PublicKeySize)
	}
	payload, sig, err := split(text)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := decode(payload)
	if err != nil {
		return Invitation{}, err
	}
	if !ed25519.Verify(key, message(payload), sig) {
		return Invitation{}, ErrForged
	}
	return inv, nil
}

// ID returns a short stable id of the invitation in text, for logs and
// "used" records: the hex of the first 8 bytes of the SHA-256 of the signed
// bytes (domain and payload). It does not check the signature, so call it on
// text Verify accepted; it returns "" when text is not in the text form. The
// id depends on the invitation only, not on the key that signed it.
func ID(text string) string {
	payload, _, err := split(text)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(message(payload))
	return hex.EncodeToString(sum[:8])
}

// message returns the bytes the signature covers.
func message(payload []byte) []byte {
	return append([]byte(domain), payload...)
}

// maxText is the length of the longest text form: the largest payload and
// its signature, 6 bits a character.
const maxText = len(prefix) + ((maxPayload+ed25519.SignatureSize)*8+5)/6

// split decodes the text form into payload and signature, which it does not
// check. Errors wrap ErrMalformed.
func split(text string) (payload, sig []byte, err error) {
	body, ok := strings.CutPrefix(text, prefix)
	switch {
	case !ok && strings.HasPrefix(text, prefix[:3]):
		return nil, nil, fmt.Errorf("%w: unknown version %.8q", ErrMalformed, text)
	case !ok:
		return nil, nil, fmt.Errorf("%w: does not start with %q", ErrMalformed, prefix)
	case len(text) > maxText:
		return nil, nil, fmt.Errorf("%w: %d characters, at most %d", ErrMalformed, len(text), maxText)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	// The decoder skips line breaks: require the one canonical form.
	if err != nil || base64.RawURLEncoding.EncodeToString(raw) != body {
		return nil, nil, fmt.Errorf("%w: not unpadded base64url after %q", ErrMalformed, prefix)
	}
	if len(raw) <= ed25519.SignatureSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, too short", ErrMalformed, len(raw))
	}
	n := len(raw) - ed25519.SignatureSize
	return raw[:n], raw[n:], nil
}
