package withdraw

import (
	"embed"

	"airbridge/catalog"
)

//go:embed scenarios/*.json
var builtin embed.FS

var builtins = catalog.Catalog{FS: builtin, Dir: "scenarios"}

// Builtin returns the built-in scenario called name.
func Builtin(name string) (*Scenario, error) { return catalog.Load(builtins, name, ReadScenario) }

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string { return builtins.Names() }
