package vault

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Keyring holds the data keys of the nations, in clear, in memory only. It
// is safe for concurrent use.
type Keyring struct {
	mu   sync.RWMutex
	keys map[string][]*dataKey // by nation, oldest version first
}

type dataKey struct {
	nation    string
	version   int
	aead      cipher.AEAD // nil once destroyed
	index     []byte      // the blind-index key; nil once destroyed
	destroyed time.Time
}

// DestroyedError is the error for data sealed under a destroyed key.
type DestroyedError struct {
	Key string
	At  time.Time
}

func (e *DestroyedError) Error() string {
	return fmt.Sprintf("data key %s was destroyed at %s", e.Key, e.At.UTC().Format(time.RFC3339))
}

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring { return &Keyring{keys: map[string][]*dataKey{}} }

// Add puts a nation's data key, as unwrapped, into the keyring.
func (kr *Keyring) Add(nation string, version int, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("data key %s is %d bytes", KeyName(nation, version), len(key))
	}
	aead, err := newAEAD(key)
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("airbridge blind index v1"))
	kr.put(&dataKey{nation: nation, version: version, aead: aead, index: m.Sum(nil)})
	return nil
}

// AddDestroyed records that a nation's key of that version existed and was
// destroyed, so that what it sealed is reported as destroyed, not unknown.
func (kr *Keyring) AddDestroyed(nation string, version int, at time.Time) {
	kr.put(&dataKey{nation: nation, version: version, destroyed: at})
}

func (kr *Keyring) put(k *dataKey) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	ks := slices.DeleteFunc(kr.keys[k.nation], func(o *dataKey) bool { return o.version == k.version })
	ks = append(ks, k)
	slices.SortFunc(ks, func(a, b *dataKey) int { return a.version - b.version })
	kr.keys[k.nation] = ks
}

// Current returns the name of the newest live key of nation and whether
// there is one.
func (kr *Keyring) Current(nation string) (string, bool) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	k := kr.current(nation)
	if k == nil {
		return "", false
	}
	return KeyName(k.nation, k.version), true
}

func (kr *Keyring) current(nation string) *dataKey {
	ks := kr.keys[nation]
	if len(ks) == 0 || ks[len(ks)-1].aead == nil {
		return nil
	}
	return ks[len(ks)-1]
}

// NextVersion is the version a new key of nation gets.
func (kr *Keyring) NextVersion(nation string) int {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	ks := kr.keys[nation]
	if len(ks) == 0 {
		return 1
	}
	return ks[len(ks)-1].version + 1
}

func (kr *Keyring) find(name string) (*dataKey, error) {
	nation, version, err := ParseKeyName(name)
	if err != nil {
		return nil, err
	}
	for _, k := range kr.keys[nation] {
		if k.version == version {
			if k.aead == nil {
				return nil, &DestroyedError{Key: name, At: k.destroyed}
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("data key %s is not in the keyring", name)
}

func sealAAD(key, aad string) []byte { return []byte(key + "\x00" + aad) }

// Seal encrypts plaintext under nation's current key. aad binds the result
// to what it belongs to (such as "person/P123"): it opens only with the same
// aad. It returns the key's name, to be stored beside the box.
func (kr *Keyring) Seal(nation, aad string, plaintext []byte) (key string, box []byte, err error) {
	kr.mu.RLock()
	k := kr.current(nation)
	var aead cipher.AEAD
	if k != nil {
		key, aead = KeyName(k.nation, k.version), k.aead
	}
	kr.mu.RUnlock()
	if aead == nil {
		return "", nil, fmt.Errorf("nation %s has no live data key", nation)
	}
	box, err = sealWith(aead, sealAAD(key, aad), plaintext)
	return key, box, err
}

// Open decrypts a box sealed under the named key. Data under a destroyed
// key returns a *DestroyedError.
func (kr *Keyring) Open(key, aad string, box []byte) ([]byte, error) {
	kr.mu.RLock()
	k, err := kr.find(key)
	var aead cipher.AEAD
	if err == nil {
		aead = k.aead // read under the lock: Destroy clears it
	}
	kr.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	b, err := openWith(aead, sealAAD(key, aad), box)
	if err != nil {
		return nil, fmt.Errorf("sealed data under %s does not open: it was altered or belongs elsewhere", key)
	}
	return b, nil
}

// BlindIndex returns the look-up value of a document number under nation's
// current key: a keyed hash, so that the database can find a number without
// holding it.
func (kr *Keyring) BlindIndex(nation, number string) (string, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	k := kr.current(nation)
	if k == nil {
		return "", fmt.Errorf("nation %s has no live data key", nation)
	}
	return blindIndex(k.index, number), nil
}

// BlindIndexes returns the look-up values of a number under every live key,
// for a search that does not know the holder's nation.
func (kr *Keyring) BlindIndexes(number string) []string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var out []string
	for _, ks := range kr.keys {
		for _, k := range ks {
			if k.index != nil {
				out = append(out, blindIndex(k.index, number))
			}
		}
	}
	slices.Sort(out)
	return out
}

func blindIndex(key []byte, number string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("document\x00" + number))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Destroy forgets every key of nation: what they sealed can no longer be
// opened by this process. The caller deletes the wrapped copies.
func (kr *Keyring) Destroy(nation string, at time.Time) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for _, k := range kr.keys[nation] {
		if k.aead != nil {
			// Not cleared in place: a reader may be hashing with it now.
			k.aead, k.index, k.destroyed = nil, nil, at
		}
	}
}

// Replace makes kr hold exactly the keys of other, which must not be used
// afterwards.
func (kr *Keyring) Replace(other *Keyring) {
	other.mu.RLock()
	keys := other.keys
	other.mu.RUnlock()
	kr.mu.Lock()
	kr.keys = keys
	kr.mu.Unlock()
}
