package translit

import (
	"sync"
	"testing"
)

func TestTranslit(t *testing.T) {
	for _, tt := range []struct {
		f        func(string) string
		in, want string
	}{
		{Marks, "Ülker Élise", "Ulker Elise"},
		{Marks, "Jørgensen", "Jørgensen"},
		{Latin, "Jørgensen Łukasz Weiß", "JOErgensen Lukasz WeiSS"},
		{Latin, "Иванов", "Иванов"},
		{Umlauts, "Müller Åsa", "MUEller AAsa"},
	} {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMarksConcurrent: the server's handlers and an import's workers call
// Marks at once; each call must get its own transformer (run with -race).
func TestMarksConcurrent(t *testing.T) {
	names := map[string]string{"Ömer Çelik": "Omer Celik", "José Müller": "Jose Muller", "Zoë Ångström": "Zoe Angstrom", "Plain": "Plain"}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				for in, want := range names {
					if got := Marks(in); got != want {
						t.Errorf("Marks(%q) = %q, want %q", in, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
