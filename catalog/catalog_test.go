package catalog

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCatalog(t *testing.T) {
	c := Catalog{FS: fstest.MapFS{
		"s/a.json":   {Data: []byte(`{"a":1}`)},
		"s/b.json":   {Data: []byte(`{}`)},
		"s/notes.md": {Data: []byte(`x`)},
		"other.json": {Data: []byte(`{}`)},
	}, Dir: "s"}
	if got := c.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("names %q", got)
	}
	if b, err := c.Read("a"); err != nil || string(b) != `{"a":1}` {
		t.Errorf("read a: %q %v", b, err)
	}
	for _, name := range []string{"c", "notes", "../other", "", "a/../b"} {
		if _, err := c.Read(name); err == nil || !strings.Contains(err.Error(), "there is a, b") {
			t.Errorf("read %q: %v", name, err)
		}
	}
}
