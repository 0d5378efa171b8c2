package withdraw

import (
	"bytes"
	"embed"

	"airbridge/catalog"
)

//go:embed scenarios/*.json
var builtin embed.FS

var builtins = catalog.Catalog{FS: builtin, Dir: "scenarios"}

// Builtin returns the built-in scenario called name.
func Builtin(name string) (*Scenario, error) {
	b, err := builtins.Read(name)
	if err != nil {
		return nil, err
	}
	return ReadScenario(bytes.NewReader(b))
}

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string { return builtins.Names() }
