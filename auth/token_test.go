package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestNewParseToken(t *testing.T) {
	re := regexp.MustCompile(`^abt_[0-9a-hjkmnp-tv-z]{10}_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	symbols := map[rune]bool{}
	for range 100 {
		full, id, hash, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(full) {
			t.Fatalf("NewToken = %q, not the expected form", full)
		}
		if full[4:14] != id {
			t.Errorf("NewToken id %q is not the id in %q", id, full)
		}
		secret, err := base64.RawURLEncoding.DecodeString(full[15:])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(secret)
		if want := hex.EncodeToString(sum[:]); hash != want {
			t.Errorf("secretHash = %s, want hex SHA-256 of the secret bytes %s", hash, want)
		}
		gotID, gotHash, err := ParseToken(full)
		if err != nil || gotID != id || gotHash != hash {
			t.Errorf("ParseToken(NewToken()) = %q, %q, %v; want %q, %q, nil", gotID, gotHash, err, id, hash)
		}
		if _, _, err := ParseSession(full); err == nil {
			t.Errorf("ParseSession accepted API token %q", full)
		}
		if seen[id] {
			t.Errorf("id %q repeated", id)
		}
		seen[id] = true
		for _, c := range id {
			symbols[c] = true
		}
	}
	// 1,000 draws over 32 symbols: each is expected about 31 times.
	if len(symbols) != len(idAlphabet) {
		t.Errorf("ids used %d symbols, want %d", len(symbols), len(idAlphabet))
	}
}

func TestNewParseSession(t *testing.T) {
	full, id, hash, err := NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(full, "abs_") || len(full) != 58 {
		t.Fatalf("NewSession = %q", full)
	}
	gotID, gotHash, err := ParseSession(full)
	if err != nil || gotID != id || gotHash != hash {
		t.Errorf("ParseSession(NewSession()) = %q, %q, %v; want %q, %q, nil", gotID, gotHash, err, id, hash)
	}
	if _, _, err := ParseToken(full); err == nil {
		t.Errorf("ParseToken accepted session id %q", full)
	}
}

func TestParseTokenMalformed(t *testing.T) {
	const (
		id     = "0123456789"
		secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 zero bytes
	)
	good := "abt_" + id + "_" + secret
	if _, _, err := ParseToken(good); err != nil {
		t.Fatalf("base case %q: %v", good, err)
	}
	tests := []struct{ name, s string }{
		{"empty", ""},
		{"prefix only", "abt_"},
		{"wrong prefix", "abx_" + id + "_" + secret},
		{"upper-case prefix", "ABT_" + id + "_" + secret},
		{"session prefix", "abs_" + id + "_" + secret},
		{"short id", "abt_" + id[:9] + "_" + secret + "A"},
		{"id with i", "abt_012345678i_" + secret},
		{"id with l", "abt_012345678l_" + secret},
		{"id with o", "abt_012345678o_" + secret},
		{"id with u", "abt_012345678u_" + secret},
		{"id upper-case", "abt_012345678A_" + secret},
		{"wrong separator", "abt_" + id + "-" + secret},
		{"secret short", "abt_" + id + "_" + secret[:42]},
		{"secret long", good + "A"},
		{"secret std alphabet", "abt_" + id + "_" + secret[:42] + "+"},
		{"secret trailing bits", "abt_" + id + "_" + secret[:42] + "B"},
		{"secret newline", "abt_" + id + "_" + secret[:21] + "\n" + secret[22:]},
		{"secret padded", "abt_" + id + "_" + secret[:42] + "="},
		{"whitespace", " " + good[1:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := ParseToken(tt.s); err == nil {
				t.Errorf("ParseToken(%q) succeeded", tt.s)
			}
		})
	}
}

func TestParseTokenErrorHidesSecret(t *testing.T) {
	const secret = "SECRETsecretSECRETsecretSECRETsecretSECRET!"
	for _, s := range []string{
		"abt_0123456789_" + secret,
		"abt_012345678L_" + secret[:42] + "A",
		"abx_0123456789_" + secret,
		"abt_0123456789_" + secret + "x",
	} {
		_, _, err := ParseToken(s)
		if err == nil {
			t.Fatalf("ParseToken(%q) succeeded", s)
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseToken error %q echoes the secret", err)
		}
	}
}

func TestNewCSRFToken(t *testing.T) {
	a, err := NewCSRFToken()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCSRFToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Errorf("NewCSRFToken = %q: %d bytes, %v; want 32 bytes of raw URL base64", a, len(raw), err)
	}
	if a == b {
		t.Error("two CSRF tokens are equal")
	}
}

func TestRandomPassword(t *testing.T) {
	counts := map[rune]int{}
	for range 500 {
		pw, err := RandomPassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 20 {
			t.Fatalf("RandomPassword = %q, want 20 characters", pw)
		}
		if len(pw) < MinPasswordLen {
			t.Fatalf("RandomPassword is shorter than MinPasswordLen")
		}
		for _, c := range pw {
			if strings.ContainsRune("0O1lI", c) || !strings.ContainsRune(passwordAlphabet, c) {
				t.Fatalf("RandomPassword = %q contains %q", pw, c)
			}
			counts[c]++
		}
	}
	// 10,000 draws over 57 symbols: each is expected about 175 times, so a
	// symbol never drawn means the alphabet is not fully used.
	if len(counts) != len(passwordAlphabet) {
		t.Errorf("RandomPassword used %d symbols, want %d", len(counts), len(passwordAlphabet))
	}
}

func TestPasswordAlphabet(t *testing.T) {
	var want strings.Builder
	for _, r := range []struct{ lo, hi byte }{{'0', '9'}, {'a', 'z'}, {'A', 'Z'}} {
		for c := r.lo; c <= r.hi; c++ {
			if !strings.ContainsRune("0O1lI", rune(c)) {
				want.WriteByte(c)
			}
		}
	}
	if passwordAlphabet != want.String() {
		t.Errorf("passwordAlphabet = %q, want %q", passwordAlphabet, want.String())
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add("abt_0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("abs_0123456789_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("abt_zzzzzzzzzz_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_")
	f.Add("")
	full, _, _, err := NewToken()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct{ prefix, kind string }{{tokenPrefix, "API token"}, {sessionPrefix, "session id"}} {
			id, secret, err := splitCredential(c.prefix, c.kind, s)
			if err != nil {
				// The secret part of a plausible credential never appears in
				// the error.
				if len(s) > len(c.prefix)+idLen+1+8 && strings.Contains(err.Error(), s[len(c.prefix)+idLen+1:]) {
					t.Fatalf("error %q echoes the secret of %q", err, s)
				}
				continue
			}
			if got := formatCredential(c.prefix, id, secret); got != s {
				t.Fatalf("%q parses to id %q, secret %x, which formats to %q", s, id, secret, got)
			}
		}
		id, hash, err := ParseToken(s)
		wantID, secret, wantErr := splitCredential(tokenPrefix, "API token", s)
		if (err == nil) != (wantErr == nil) || err == nil && (id != wantID || hash != hashSecret(secret)) {
			t.Fatalf("ParseToken(%q) = %q, %q, %v; splitCredential = %q, %x, %v", s, id, hash, err, wantID, secret, wantErr)
		}
	})
}
