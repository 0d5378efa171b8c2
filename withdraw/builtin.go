package withdraw

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
)

//go:embed scenarios/*.json
var builtin embed.FS

// Builtin returns the built-in scenario called name.
func Builtin(name string) (*Scenario, error) {
	b, err := builtin.ReadFile("scenarios/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (there is %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	return ReadScenario(bytes.NewReader(b))
}

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string {
	entries, _ := builtin.ReadDir("scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	return names
}
