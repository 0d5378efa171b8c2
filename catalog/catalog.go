// Package catalog reads the named documents a package embeds, such as its
// built-in scenarios: NAME is the file NAME.json in one folder.
package catalog

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Catalog is the .json files of Dir in FS.
type Catalog struct {
	FS  fs.FS
	Dir string
}

// Names lists the documents, sorted.
func (c Catalog) Names() []string {
	entries, _ := fs.ReadDir(c.FS, c.Dir)
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	return names
}

// Read returns the document called name, or an error that lists the names
// there are.
func (c Catalog) Read(name string) ([]byte, error) {
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		return nil, fmt.Errorf("no built-in scenario %q (there is %s)", name, strings.Join(c.Names(), ", "))
	}
	b, err := fs.ReadFile(c.FS, path.Join(c.Dir, name+".json"))
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (there is %s)", name, strings.Join(c.Names(), ", "))
	}
	return b, nil
}

// Load reads the document called name with read, which decodes and checks
// it.
func Load[T any](c Catalog, name string, read func(io.Reader) (T, error)) (T, error) {
	b, err := c.Read(name)
	if err != nil {
		var zero T
		return zero, err
	}
	return read(bytes.NewReader(b))
}
