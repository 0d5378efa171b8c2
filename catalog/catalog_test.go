package catalog

import (
	"io"
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

func TestLoad(t *testing.T) {
	c := Catalog{FS: fstest.MapFS{"s/a.json": {Data: []byte(`{"a":1}`)}}, Dir: "s"}
	read := func(r io.Reader) (string, error) {
		b, err := io.ReadAll(r)
		return string(b), err
	}
	if got, err := Load(c, "a", read); err != nil || got != `{"a":1}` {
		t.Errorf("Load a: %q, %v", got, err)
	}
	if _, err := Load(c, "b", read); err == nil || !strings.Contains(err.Error(), "there is a") {
		t.Errorf("Load b: %v", err)
	}
}
