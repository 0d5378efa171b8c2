// Package vault holds airbridge's keys: the master key that wraps the
// nations' data keys, and the keyring of data keys that seal personal data
// with AES-256-GCM and derive the blind index for document look-ups.
//
// A data key never leaves the process in clear: the database holds it
// wrapped by the master key, and destroying a nation's key (crypto-shred)
// forgets it here and deletes the wrapped copy there.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// KeySize is the size of every key in bytes (AES-256).
const KeySize = 32

// MasterKey is the key-encryption key. It is read from a key file or the
// environment and is never stored in the database.
type MasterKey struct{ b [KeySize]byte }

// GenerateMasterKey returns a new random master key.
func GenerateMasterKey() (MasterKey, error) {
	var k MasterKey
	if _, err := rand.Read(k.b[:]); err != nil {
		return k, fmt.Errorf("generate master key: %w", err)
	}
	return k, nil
}

// ParseMasterKey reads a master key written as standard base64 of 32 bytes;
// surrounding white space is ignored.
func ParseMasterKey(text string) (MasterKey, error) {
	var k MasterKey
	s := strings.TrimSpace(text)
	if s == "" {
		return k, errors.New("the master key is empty")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return k, errors.New("the master key is not base64")
	}
	if len(b) != KeySize {
		return k, fmt.Errorf("the master key is %d bytes; it must be %d", len(b), KeySize)
	}
	copy(k.b[:], b)
	return k, nil
}

// String is the key in the form ParseMasterKey reads.
func (k MasterKey) String() string { return base64.StdEncoding.EncodeToString(k.b[:]) }

// LoadMasterKey reads a key file. A file that others than its owner may read
// is refused: the master key opens every nation's data.
func LoadMasterKey(path string) (MasterKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return MasterKey{}, fmt.Errorf("key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return MasterKey{}, fmt.Errorf("key file %s may be read by others (mode %04o); make it private with chmod 600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return MasterKey{}, fmt.Errorf("key file: %w", err)
	}
	k, err := ParseMasterKey(string(b))
	if err != nil {
		return MasterKey{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// WriteMasterKey writes k to a new file at path, readable by its owner only.
// It never replaces an existing file.
func WriteMasterKey(path string, k MasterKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key file %s already exists; airbridge never overwrites a key", path)
	}
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if _, err := f.WriteString(k.String() + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("key file: %w", err)
	}
	return f.Close()
}

// ID names the key without revealing it, so that a database can tell which
// master key wraps its data keys.
func (k MasterKey) ID() string { return hex.EncodeToString(k.Derive("airbridge master key id")[:8]) }

// Derive returns a 32-byte subkey of k for one purpose.
func (k MasterKey) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.b[:])
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func wrapAAD(nation string, version int) []byte {
	return []byte("airbridge data key\x00" + nation + "\x00" + strconv.Itoa(version))
}

// Wrap seals a nation's data key under the master key, bound to the nation
// and version so that a wrapped key cannot be moved to another nation.
func (k MasterKey) Wrap(nation string, version int, dataKey []byte) ([]byte, error) {
	if len(dataKey) != KeySize {
		return nil, fmt.Errorf("wrap: data key is %d bytes", len(dataKey))
	}
	return seal(k.b[:], wrapAAD(nation, version), dataKey)
}

// Unwrap opens a wrapped data key. It fails if the key was wrapped by
// another master key or altered.
func (k MasterKey) Unwrap(nation string, version int, wrapped []byte) ([]byte, error) {
	b, err := open(k.b[:], wrapAAD(nation, version), wrapped)
	if err != nil || len(b) != KeySize {
		return nil, fmt.Errorf("the data key %s does not open with this master key", KeyName(nation, version))
	}
	return b, nil
}

// NewDataKey returns a new random data key.
func NewDataKey() ([]byte, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	return b, nil
}

// KeyName names a data key in sealed records: "DEU/1".
func KeyName(nation string, version int) string { return nation + "/" + strconv.Itoa(version) }

// ParseKeyName splits a key name into its nation and version.
func ParseKeyName(name string) (nation string, version int, err error) {
	nation, v, ok := strings.Cut(name, "/")
	if ok {
		version, err = strconv.Atoi(v)
	}
	// Only the form KeyName writes: no sign, no leading zeros.
	if !ok || err != nil || version < 1 || nation == "" || KeyName(nation, version) != name {
		return "", 0, fmt.Errorf("%q is not a data key name", name)
	}
	return nation, version, nil
}

const nonceSize = 12

// seal encrypts plaintext with AES-256-GCM under key; the random nonce
// leads the result.
func seal(key, aad, plaintext []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return sealWith(aead, aad, plaintext)
}

func sealWith(aead cipher.AEAD, aad, plaintext []byte) ([]byte, error) {
	out := make([]byte, nonceSize, nonceSize+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead.Seal(out, out, plaintext, aad), nil
}

func open(key, aad, box []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return openWith(aead, aad, box)
}

func openWith(aead cipher.AEAD, aad, box []byte) ([]byte, error) {
	if len(box) < nonceSize+aead.Overhead() {
		return nil, errors.New("sealed data is too short")
	}
	return aead.Open(nil, box[:nonceSize], box[nonceSize:], aad)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
