package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMasterKeyFile(t *testing.T) {
	k, err := GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if err := WriteMasterKey(path, k); err != nil {
		t.Fatal(err)
	}
	if err := WriteMasterKey(path, k); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write: %v, want a refusal", err)
	}
	got, err := LoadMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != k || got.ID() != k.ID() {
		t.Fatal("loaded key differs")
	}
	os.Chmod(path, 0o644)
	if _, err := LoadMasterKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v, want a refusal", err)
	}
	for _, bad := range []string{"", "not base64!", "c2hvcnQ="} {
		if _, err := ParseMasterKey(bad); err == nil {
			t.Errorf("ParseMasterKey(%q) succeeded", bad)
		}
	}
}

func TestWrap(t *testing.T) {
	k1, _ := GenerateMasterKey()
	k2, _ := GenerateMasterKey()
	dk, _ := NewDataKey()
	w, err := k1.Wrap("DEU", 1, dk)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k1.Unwrap("DEU", 1, w); err != nil || string(got) != string(dk) {
		t.Fatalf("unwrap: %v", err)
	}
	if _, err := k2.Unwrap("DEU", 1, w); err == nil {
		t.Error("another master key unwrapped the data key")
	}
	if _, err := k1.Unwrap("USA", 1, w); err == nil {
		t.Error("a key wrapped for DEU unwrapped as USA's")
	}
	if _, err := k1.Unwrap("DEU", 2, w); err == nil {
		t.Error("version 1 unwrapped as version 2")
	}
}

func TestSealOpenDestroy(t *testing.T) {
	kr := NewKeyring()
	deu, _ := NewDataKey()
	usa, _ := NewDataKey()
	kr.Add("DEU", 1, deu)
	kr.Add("USA", 1, usa)
	key, box, err := kr.Seal("DEU", "person/P1", []byte("Ahmadi"))
	if err != nil || key != "DEU/1" {
		t.Fatalf("seal: %q %v", key, err)
	}
	if strings.Contains(string(box), "Ahmadi") {
		t.Fatal("box holds the plaintext")
	}
	if got, err := kr.Open(key, "person/P1", box); err != nil || string(got) != "Ahmadi" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := kr.Open(key, "person/P2", box); err == nil {
		t.Error("a box opened for another person")
	}
	box[len(box)-1] ^= 1
	if _, err := kr.Open(key, "person/P1", box); err == nil {
		t.Error("an altered box opened")
	}
	box[len(box)-1] ^= 1

	i1, _ := kr.BlindIndex("DEU", "P1234567")
	i2, _ := kr.BlindIndex("USA", "P1234567")
	if i1 == i2 || strings.Contains(i1, "1234567") {
		t.Errorf("blind indexes %s %s", i1, i2)
	}
	if got := kr.BlindIndexes("P1234567"); len(got) != 2 {
		t.Errorf("BlindIndexes = %v", got)
	}

	at := time.Date(2021, 8, 26, 17, 48, 0, 0, time.UTC)
	kr.Destroy("DEU", at)
	var destroyed *DestroyedError
	if _, err := kr.Open(key, "person/P1", box); !errors.As(err, &destroyed) || !destroyed.At.Equal(at) {
		t.Fatalf("open after destroy: %v", err)
	}
	if _, _, err := kr.Seal("DEU", "person/P9", []byte("x")); err == nil {
		t.Error("sealed under a destroyed key")
	}
	if got := kr.BlindIndexes("P1234567"); len(got) != 1 || got[0] != i2 {
		t.Errorf("after destroy BlindIndexes = %v, want only USA's", got)
	}
	if kr.NextVersion("DEU") != 2 {
		t.Errorf("next version %d", kr.NextVersion("DEU"))
	}
	if _, ok := kr.Current("DEU"); ok {
		t.Error("DEU still has a live key")
	}
	fresh, _ := NewDataKey()
	kr.Add("DEU", 2, fresh)
	if key, _, err := kr.Seal("DEU", "person/P9", []byte("x")); err != nil || key != "DEU/2" {
		t.Errorf("seal under a new version: %q %v", key, err)
	}
}

func FuzzParseMasterKey(f *testing.F) {
	k, _ := GenerateMasterKey()
	f.Add(k.String())
	f.Add(" \n")
	f.Add("c2hvcnQ=")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMasterKey(s)
		if err != nil {
			if strings.Contains(err.Error(), strings.TrimSpace(s)) && len(strings.TrimSpace(s)) > 8 {
				t.Errorf("the error repeats the key text: %v", err)
			}
			return
		}
		if again, err := ParseMasterKey(got.String()); err != nil || again != got {
			t.Errorf("a parsed key does not survive its own text: %v", err)
		}
	})
}

func FuzzParseKeyName(f *testing.F) {
	f.Add("DEU/1")
	f.Add("/0")
	f.Add("DEU/-1")
	f.Add("DEU/01")
	f.Fuzz(func(t *testing.T, s string) {
		nation, version, err := ParseKeyName(s)
		if err != nil {
			return
		}
		if version < 1 || nation == "" || KeyName(nation, version) != s {
			t.Errorf("ParseKeyName(%q) = %q, %d", s, nation, version)
		}
	})
}

// TestDestroyRacesReaders: sealing, opening and indexing while the key is
// destroyed either work or fail cleanly; run with -race.
func TestDestroyRacesReaders(t *testing.T) {
	for range 50 {
		kr := NewKeyring()
		dk, _ := NewDataKey()
		kr.Add("DEU", 1, dk)
		key, box, _ := kr.Seal("DEU", "person/P1", []byte("x"))
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 100 {
				kr.Open(key, "person/P1", box)
				kr.Seal("DEU", "person/P2", []byte("y"))
				kr.BlindIndex("DEU", "P1")
				kr.BlindIndexes("P1")
			}
		}()
		kr.Destroy("DEU", time.Now())
		<-done
		var destroyed *DestroyedError
		if _, err := kr.Open(key, "person/P1", box); !errors.As(err, &destroyed) {
			t.Fatalf("open after destroy: %v", err)
		}
	}
}
