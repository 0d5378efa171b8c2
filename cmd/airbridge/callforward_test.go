package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"airbridge"
	"airbridge/invite"
	"airbridge/sqlite"
	"airbridge/vault"
)

func TestCallForwardExport(t *testing.T) {
	dir := t.TempDir()
	path, keyFile := newDatabase(t, dir, "cf.db")
	key, err := vault.LoadMasterKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(t.Context(), path, key)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2021, 8, 24, 10, 0, 0, 0, time.UTC)
	person := func(id, doc string) airbridge.PersonInput {
		p := airbridge.PersonInput{ID: id, Surname: "Rahimi", Nationality: "AFG", Category: "local_staff"}
		if doc != "" {
			p.Documents = []airbridge.Document{{Type: "passport", Number: doc}}
		}
		return p
	}
	for i, c := range []airbridge.Command{
		&airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "export", Nations: []string{"DEU", "USA"}, Categories: airbridge.DefaultCategories()}},
		&airbridge.AddSite{Site: airbridge.Site{ID: "north", Kind: airbridge.Gate}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "g2", Nation: "DEU", Persons: []airbridge.PersonInput{person("g2-1", "X1"), person("g2-2", "")}}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "g1", Nation: "DEU", Persons: []airbridge.PersonInput{person("g1-1", "X2")}}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "u1", Nation: "USA", Persons: []airbridge.PersonInput{person("u1-1", "X3")}}},
		&airbridge.RegisterGroup{GroupInput: airbridge.GroupInput{ID: "g3", Nation: "DEU", Persons: []airbridge.PersonInput{person("g3-1", "X4")}}}, // not called
		&airbridge.CallGroups{Calls: []airbridge.GroupCall{
			{GroupID: "g2", Gate: "north", WindowStart: start, WindowEnd: start.Add(time.Hour)},
			{GroupID: "g1", Gate: "north", WindowStart: start.Add(-time.Hour), WindowEnd: start},
			{GroupID: "u1", Gate: "north", WindowStart: start, WindowEnd: start.Add(time.Hour)},
		}},
	} {
		if _, err := db.Execute(t.Context(), airbridge.Submission{Command: c, Envelope: airbridge.Envelope{Key: "k" + string(rune('a'+i))}}); err != nil {
			t.Fatal(err)
		}
	}
	pub := db.SigningKey().Public().(ed25519.PublicKey)
	db.Close()

	r := runCmd(t, "callforward", "export", "--nation", "DEU", "--db", path, "--key-file", keyFile)
	if r.err != nil {
		t.Fatalf("export: %v\n%s", r.err, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "group,gate,window_start,window_end,persons,invitation" {
		t.Fatalf("CSV:\n%s", r.stdout)
	}
	// By window: g1 first; each invitation verifies with the operation's key.
	for i, want := range []struct{ group, start, persons string }{{"g1", "2021-08-24T09:00:00Z", "1"}, {"g2", "2021-08-24T10:00:00Z", "2"}} {
		row := rows[i+1]
		if row[0] != want.group || row[1] != "north" || row[2] != want.start || row[4] != want.persons {
			t.Errorf("row %d: %q", i+1, row)
		}
		inv, err := invite.Verify(row[5], pub)
		if err != nil || inv.Group != want.group || inv.Operation != "export" {
			t.Errorf("row %d: invitation %+v, %v", i+1, inv, err)
		}
		if strings.Contains(r.stdout, "Rahimi") {
			t.Error("the export carries personal data in clear")
		}
	}
	// A gate without a network checks them with the public key alone.
	keyB64 := base64.StdEncoding.EncodeToString(pub)
	text := rows[2][5] // g2, 10:00-11:00 at north
	for _, tt := range []struct {
		args   []string
		stdin  string
		result string
		status int
	}{
		{[]string{"--gate", "north", "--at", "2021-08-24T10:10:00Z", "--invitation", text}, "", `"result":"admit"`, 0},
		{[]string{"--gate", "north", "--at", "2021-08-24T10:10:00Z"}, text + "\n", `"result":"admit"`, 0},
		{[]string{"--gate", "abbey", "--at", "2021-08-24T10:10:00Z", "--invitation", text}, "", `"result":"wrong_gate"`, 1},
		{[]string{"--gate", "north", "--at", "2021-08-24T08:00:00Z", "--invitation", text}, "", `"result":"early"`, 1},
		{[]string{"--gate", "north", "--at", "2021-08-24T10:10:00Z", "--invitation", text[:len(text)-8] + "AAAAAAAA"}, "", `"result":"forged"`, 1},
	} {
		r := runCmdEnv(t, envWith(map[string]string{"AIRBRIDGE_INVITATION_KEY": keyB64}), tt.stdin, append([]string{"invite", "verify"}, tt.args...)...)
		if !strings.Contains(r.stdout, tt.result) || exitStatus(r.err) != tt.status {
			t.Errorf("invite verify %q: %v %s, want %s and status %d", tt.args[:2], r.err, r.stdout, tt.result, tt.status)
		}
	}
	if r := runCmd(t, "invite", "verify", "--key", "short", "--gate", "north", "--invitation", text); r.err == nil || !strings.Contains(r.err.Error(), "--key") {
		t.Errorf("a bad key: %v", r.err)
	}

	if again := runCmd(t, "callforward", "export", "--nation", "DEU", "--db", path, "--key-file", keyFile); again.stdout != r.stdout {
		t.Error("a second export differs")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--nation", "deu", "--db", path, "--key-file", keyFile}, "three-letter"},
		{[]string{"--nation", "FRA", "--db", path, "--key-file", keyFile}, "not a nation"},
		{[]string{"--nation", "DEU", "--db", dir + "/none.db", "--key-file", keyFile}, "no such file"},
		{[]string{"--nation", "DEU", "--db", path}, "master key"},
	} {
		r := runCmd(t, append([]string{"callforward", "export"}, tt.args...)...)
		if r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("export %q: %v, want an error saying %q", tt.args, r.err, tt.want)
		}
	}
}
