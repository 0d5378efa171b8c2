package auth

import (
	"strings"
	"testing"
)

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, nil", r, got, err, r)
		}
	}
	if len(Roles) != 7 {
		t.Errorf("len(Roles) = %d, want 7", len(Roles))
	}
	for _, s := range []string{"", "Gate_Agent", "gate_agent ", "admin", "gate"} {
		_, err := ParseRole(s)
		if err == nil {
			t.Errorf("ParseRole(%q) succeeded", s)
			continue
		}
		for _, r := range Roles {
			if !strings.Contains(err.Error(), string(r)) {
				t.Errorf("ParseRole(%q) error %q does not list %q", s, err, r)
			}
		}
	}
}

func TestPrincipalString(t *testing.T) {
	tests := []struct {
		p    Principal
		want string
	}{
		{Principal{User: "gate.kbl1", Role: GateAgent, Nation: "DEU"}, "gate.kbl1 (gate_agent, DEU)"},
		{Principal{Role: GateAgent}, "(gate_agent, coalition)"},
		{Principal{User: "cmdr", Role: Commander, Nation: Coalition, TokenID: "x"}, "cmdr (commander, coalition)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestValidUserName(t *testing.T) {
	valid := []string{"a", "0", "gate.kbl1", "a-b_c.d", strings.Repeat("x", 64)}
	for _, s := range valid {
		if err := ValidUserName(s); err != nil {
			t.Errorf("ValidUserName(%q) = %v", s, err)
		}
	}
	invalid := []string{"", strings.Repeat("x", 65), ".a", "_a", "-a", "A", "gate.KBL1", "a b", "a@b", "é", "a\x00"}
	for _, s := range invalid {
		if err := ValidUserName(s); err == nil {
			t.Errorf("ValidUserName(%q) = nil, want error", s)
		}
	}
	if err := ValidUserName("hunter2 secret"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("ValidUserName error %v should exist and not quote the input", err)
	}
}

func TestValidNation(t *testing.T) {
	for _, s := range []string{Coalition, "DEU", "FRA", "XYZ"} {
		if err := ValidNation(s); err != nil {
			t.Errorf("ValidNation(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"deu", "DE", "DEUT", "D1U", "DÉU", " DE", "ÄÄ"} {
		if err := ValidNation(s); err == nil {
			t.Errorf("ValidNation(%q) = nil, want error", s)
		}
	}
}
