package invite

import (
	"errors"
	"testing"
)

// FuzzVerify checks that no text makes Verify panic or return another error,
// and that any text it accepts is exactly what Sign makes of the result.
func FuzzVerify(f *testing.F) {
	priv, pub := testKey(1)
	text := mustSign(f, example())
	f.Add(text)
	f.Add(text[:len(text)-3])
	f.Add("")
	f.Add(prefix)
	f.Add("ABI2." + text[len(prefix):])
	small := example()
	small.Persons = small.Persons[:1]
	small.Gate = "g.1"
	f.Add(mustSign(f, small))
	f.Fuzz(func(t *testing.T, text string) {
		inv, err := Verify(text, pub)
		if err != nil {
			if err != ErrForged && !errors.Is(err, ErrMalformed) {
				t.Fatalf("Verify(%q) = %v, want ErrForged or ErrMalformed", text, err)
			}
			return
		}
		again, err := Sign(inv, priv)
		if err != nil {
			t.Fatalf("Sign(Verify(%q)): %v", text, err)
		}
		if again != text {
			t.Fatalf("Verify(%q) re-signs as %q", text, again)
		}
		if ID(text) == "" {
			t.Fatalf("ID(%q) is empty", text)
		}
	})
}
