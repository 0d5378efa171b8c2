package auth

import (
	"encoding/base64"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)
	m := re.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("HashPassword = %q, not the expected PHC form", h)
	}
	if salt, err := base64.RawStdEncoding.DecodeString(m[1]); err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v", m[1], len(salt), err)
	}

	ok, err := CheckPassword(h, pw)
	if err != nil || !ok {
		t.Errorf("CheckPassword(right) = %v, %v; want true, nil", ok, err)
	}
	for _, wrong := range []string{"correct horse batterY", "correct horse battery ", "", pw + strings.Repeat("x", MaxPasswordLen)} {
		ok, err := CheckPassword(h, wrong)
		if err != nil || ok {
			t.Errorf("CheckPassword(%.30q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}

	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Error("two hashes of the same password are equal: salt is not random")
	}
}

func TestHashPasswordLength(t *testing.T) {
	for _, n := range []int{0, 1, MinPasswordLen - 1, MaxPasswordLen + 1} {
		if _, err := HashPassword(strings.Repeat("p", n)); err == nil {
			t.Errorf("HashPassword of %d bytes succeeded", n)
		}
	}
	for _, n := range []int{MinPasswordLen, MaxPasswordLen} {
		pw := strings.Repeat("p", n)
		h, err := HashPassword(pw)
		if err != nil {
			t.Errorf("HashPassword of %d bytes: %v", n, err)
			continue
		}
		if ok, err := CheckPassword(h, pw); !ok || err != nil {
			t.Errorf("CheckPassword of %d bytes = %v, %v", n, ok, err)
		}
	}
}

// Test vectors from the argon2 reference implementation (phc-winner-argon2,
// src/test.c), so that hashes interoperate with other implementations.
func TestCheckPasswordReferenceVectors(t *testing.T) {
	vectors := []string{
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	}
	for _, v := range vectors {
		if ok, err := CheckPassword(v, "password"); !ok || err != nil {
			t.Errorf("CheckPassword(%q, password) = %v, %v; want true, nil", v, ok, err)
		}
		if ok, err := CheckPassword(v, "passwore"); ok || err != nil {
			t.Errorf("CheckPassword(%q, passwore) = %v, %v; want false, nil", v, ok, err)
		}
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const (
		salt = "c29tZXNhbHQ" // 8 bytes
		hash = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
	)
	good := "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + hash
	if ok, err := CheckPassword(good, "password"); !ok || err != nil {
		t.Fatalf("base case %q = %v, %v", good, ok, err)
	}
	b := func(n int) string { return base64.RawStdEncoding.EncodeToString(make([]byte, n)) }
	tests := []struct{ name, enc, want string }{
		{"empty", "", "want $argon2id"},
		{"no leading $", "argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"missing hash", "$argon2id$v=19$m=256,t=2,p=1$" + salt, "want $argon2id"},
		{"extra field", good + "$", "want $argon2id"},
		{"argon2i", "$argon2i$v=19$m=256,t=2,p=1$" + salt + "$" + hash, "not argon2id"},
		{"argon2d", "$argon2d$v=19$m=256,t=2,p=1$" + salt + "$" + hash, "not argon2id"},
		{"version 16", "$argon2id$v=16$m=256,t=2,p=1$" + salt + "$" + hash, "version"},
		{"version missing", "$argon2id$m=256,t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"params reordered", "$argon2id$v=19$t=2,m=256,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param missing", "$argon2id$v=19$m=256,t=2$" + salt + "$" + hash, "want $argon2id"},
		{"param extra", "$argon2id$v=19$m=256,t=2,p=1,k=1$" + salt + "$" + hash, "want $argon2id"},
		{"param empty", "$argon2id$v=19$m=,t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param leading zero", "$argon2id$v=19$m=0256,t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param sign", "$argon2id$v=19$m=+256,t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param negative", "$argon2id$v=19$m=256,t=-2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param space", "$argon2id$v=19$m=256, t=2,p=1$" + salt + "$" + hash, "want $argon2id"},
		{"param overflow", "$argon2id$v=19$m=99999999999999999999999,t=2,p=1$" + salt + "$" + hash, "m must be at most"},
		{"m below 8p", "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + hash, "at least 8*p"},
		{"m zero", "$argon2id$v=19$m=0,t=2,p=1$" + salt + "$" + hash, "at least 8*p"},
		{"m above 1 GiB", "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + hash, "m must be at most"},
		{"m 4 GiB", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + hash, "m must be at most"},
		{"t zero", "$argon2id$v=19$m=256,t=0,p=1$" + salt + "$" + hash, "t must be at least"},
		{"t 11", "$argon2id$v=19$m=256,t=11,p=1$" + salt + "$" + hash, "t must be at most"},
		{"p zero", "$argon2id$v=19$m=256,t=2,p=0$" + salt + "$" + hash, "p must be at least"},
		{"p 17", "$argon2id$v=19$m=256,t=2,p=17$" + salt + "$" + hash, "p must be at most"},
		{"p 256", "$argon2id$v=19$m=4096,t=2,p=256$" + salt + "$" + hash, "p must be at most"},
		{"salt 7 bytes", "$argon2id$v=19$m=256,t=2,p=1$" + b(7) + "$" + hash, "salt must be"},
		{"salt 65 bytes", "$argon2id$v=19$m=256,t=2,p=1$" + b(65) + "$" + hash, "salt must be"},
		{"salt empty", "$argon2id$v=19$m=256,t=2,p=1$$" + hash, "salt must be"},
		{"salt padded", "$argon2id$v=19$m=256,t=2,p=1$" + salt + "=$" + hash, "salt is not canonical"},
		{"hash url alphabet", "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + strings.ReplaceAll(hash, "/", "_"), "hash is not canonical"},
		{"salt newline", "$argon2id$v=19$m=256,t=2,p=1$c29tZX\nNhbHQ$" + hash, "salt is not canonical"},
		{"salt trailing bits", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHR$" + hash, "salt is not canonical"},
		{"hash 15 bytes", "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + b(15), "hash must be"},
		{"hash 65 bytes", "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + b(65), "hash must be"},
		{"hash bad char", "$argon2id$v=19$m=256,t=2,p=1$" + salt + "$" + hash[:42] + "!", "hash is not canonical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.enc, "password")
			if err == nil || ok {
				t.Errorf("CheckPassword(%q) = %v, %v; want false, error", tt.enc, ok, err)
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckPassword(%q) error %q, want it to mention %q", tt.enc, err, tt.want)
			}
		})
	}
}

// DummyCheck must cost about what CheckPassword costs on a real hash. The
// bound is loose so that a loaded machine does not fail the test, while a
// DummyCheck that skipped the work would.
func TestDummyCheckCost(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	fastest := func(f func()) time.Duration {
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	check := fastest(func() { CheckPassword(h, "wrong password!") })
	dummy := fastest(func() { DummyCheck("wrong password!") })
	if dummy < check/4 {
		t.Errorf("DummyCheck took %v, CheckPassword %v: an unknown user would be distinguishable", dummy, check)
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password")
	f.Add("$argon2id$v=19$m=1048576,t=10,p=16$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "x")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		p, salt, key, err := decodeHash(encoded)
		if err == nil {
			// The bounds that keep a crafted hash from exhausting memory or
			// time hold before any hashing is done.
			if p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemory ||
				p.time < 1 || p.time > maxArgonTime ||
				p.threads < 1 || p.threads > maxArgonThreads ||
				len(salt) < minSaltLen || len(salt) > maxSaltLen ||
				len(key) < minKeyLen || len(key) > maxKeyLen {
				t.Fatalf("decodeHash(%q) accepted out-of-bound values %+v, salt %d, key %d", encoded, p, len(salt), len(key))
			}
			// Running argon2 with costs up to the bound is what the bound
			// allows, but is too slow for fuzzing.
			if uint64(p.memory)*uint64(p.time) > 4096 {
				return
			}
		}
		ok, cerr := CheckPassword(encoded, password)
		if (cerr == nil) != (err == nil) {
			t.Fatalf("CheckPassword(%q) error %v, decodeHash error %v", encoded, cerr, err)
		}
		if cerr != nil && ok {
			t.Fatalf("CheckPassword(%q) = true with error %v", encoded, cerr)
		}
	})
}
