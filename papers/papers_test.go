package papers

import "testing"

func TestUNOA(t *testing.T) {
	for in, want := range map[string]string{
		"Laila Ülker": "LAILA ULKER", "Jørgensen": "JOERGENSEN", "Łukasz": "LUKASZ", "Weiß": "WEISS",
		"O'Brien-Smith": "O'BRIEN-SMITH", "Иванов": "", "  a  b ": "A B", "محمد": "",
	} {
		if got := unoa(in); got != want {
			t.Errorf("unoa(%q) = %q, want %q", in, got, want)
		}
	}
	if got := clip("ERIKSSON/ANNA MARIA LOUISE", 20); got != "ERIKSSON/ANNA MARIA" {
		t.Errorf("clip = %q", got)
	}
}
