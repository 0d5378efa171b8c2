package translit

import "testing"

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
