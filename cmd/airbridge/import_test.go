package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"airbridge"
	"airbridge/sqlite"
	"airbridge/vault"
)

func TestImportPersons(t *testing.T) {
	dir := t.TempDir()
	path, keyFile := newDatabase(t, dir, "import.db")
	key, err := vault.LoadMasterKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Execute(t.Context(), airbridge.Submission{Command: &airbridge.ConfigureOperation{Policy: airbridge.Policy{
		Name: "import", Nations: []string{"DEU", "USA"}, Categories: airbridge.DefaultCategories()}}, Envelope: airbridge.Envelope{Key: "c"}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "embassy.csv")
	os.WriteFile(list, []byte("Nom,Prénom,DOB,Nationality,Category,Passport,Family\n"+
		"Rahimi,Farid,1984-03-02,AFG,local_staff,P1234567,F1\n"+
		"Rahimi,Laila,1987-11-20,AFG,local_staff,P1234568,F1\n"+
		"Haidari,Zahra,1990-01-01,AFG,at_risk,,\n"+
		"Karimi,Nadia,1990-13-01,AFG,at_risk,P9,\n"), 0o600)
	args := []string{"import", "persons", list, "--nation", "DEU", "--map", "Nom=surname", "--map", "Prénom=given_names", "--db", path, "--key-file", keyFile}

	dry := runCmd(t, append(args, "--dry-run")...)
	if dry.err != nil || !strings.Contains(dry.stdout, "4 rows: 3 accepted (would register), 0 imported before, 1 rejected, 1 flagged") {
		t.Fatalf("dry run: %v\n%s%s", dry.err, dry.stdout, dry.stderr)
	}
	r := runCmd(t, args...)
	if r.err != nil || !strings.Contains(r.stdout, "3 accepted (registered)") || !strings.Contains(r.stdout, "line 5: rejected: birth_date") ||
		!strings.Contains(r.stdout, "line 4: flagged: birth date 1 January") {
		t.Fatalf("import: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	rejects, err := os.ReadFile(filepath.Join(dir, "embassy.rejects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(strings.NewReader(string(rejects))).ReadAll()
	if len(rows) != 2 || rows[1][0] != "5" || rows[1][2] != "Karimi" {
		t.Errorf("rejects file %q", rows)
	}
	again := runCmd(t, args...)
	if again.err != nil || !strings.Contains(again.stdout, "0 accepted (registered), 3 imported before, 1 rejected") {
		t.Errorf("second import: %v\n%s", again.err, again.stdout)
	}
	db, err = sqlite.Open(t.Context(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.PersonByDocument(t.Context(), "P1234568")
	if err != nil || p.GivenNames != "Laila" || p.Nation != "DEU" {
		t.Errorf("imported person %+v, %v", p, err)
	}
	g, err := db.Group(t.Context(), p.GroupID)
	if err != nil || len(g.Persons) != 2 {
		t.Errorf("family %+v, %v", g, err)
	}
	db.Close()

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "persons", list, "--nation", "deu", "--db", path, "--key-file", keyFile}, "three-letter"},
		{[]string{"import", "persons", list, "--nation", "DEU", "--db", path, "--key-file", keyFile}, "surname or given_names"},
		{[]string{"import", "persons", list, "--nation", "DEU", "--map", "Nom=name", "--db", path, "--key-file", keyFile}, "not a field"},
		{[]string{"import", "persons", filepath.Join(dir, "x.pdf"), "--nation", "DEU", "--db", path, "--key-file", keyFile}, "no such file"},
		{[]string{"import", "persons", list, "--nation", "FRA", "--map", "Nom=surname", "--db", path, "--key-file", keyFile}, "not a nation"},
	} {
		r := runCmd(t, tt.args...)
		if r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.args[3:6], r.err, tt.want)
		}
	}
}
