package server_test

import (
	"strings"
	"testing"

	"airbridge"
)

const (
	specimenTD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
	specimenTD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)

// TestMRZAtTheGate: a person registered from a passport's MRZ, then found
// at the gate by scanning it; a misread MRZ is refused, naming its check.
func TestMRZAtTheGate(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	var p airbridge.Person
	decode(t, a.cmd("POST /api/persons", js(obj{"nation": "USA", "category": "at_risk", "mrz": specimenTD3})), &p)
	var got airbridge.Person
	a.as("gate.usa").get("/api/persons/"+p.ID, &got)
	if got.Surname != "ERIKSSON" || got.GivenNames != "ANNA MARIA" || got.BirthDate != "1974-08-12" || got.Sex != "F" || got.Nationality != "UTO" ||
		len(got.Documents) != 1 || got.Documents[0].Number != "L898902C3" || got.Documents[0].Expiry != "2012-04-15" || got.Documents[0].Type != "passport" {
		t.Errorf("registered from the MRZ: %+v", got)
	}
	var sr airbridge.ScanResult
	decode(t, a.cmd("POST /api/scans", js(obj{"mrz": specimenTD3, "site": "gate1"})), &sr)
	if sr.Person.ID != p.ID || sr.Person.Stage != airbridge.AtGate {
		t.Errorf("scanned: %+v", sr.Person)
	}

	misread := strings.Replace(specimenTD3, "L898902C36", "L898902C37", 1)
	e := wantError(t, a.request("POST", "/api/scans", a.key(), js(obj{"mrz": misread, "site": "gate1"})), 422, airbridge.EINVALID)
	if !strings.Contains(e.Message, "document_number") || strings.Contains(e.Message, "L898902C3") {
		t.Errorf("misread MRZ: %q", e.Message)
	}
	wantError(t, a.request("POST", "/api/scans", a.key(), js(obj{"mrz": "P<UTO", "site": "gate1"})), 422, airbridge.EINVALID)
	wantError(t, a.request("POST", "/api/scans", a.key(), js(obj{"mrz": specimenTD3, "document": "X1", "site": "gate1"})), 422, airbridge.EINVALID)
	e = wantError(t, a.request("POST", "/api/persons", a.key(), js(obj{"nation": "USA", "category": "at_risk", "surname": "Smith", "mrz": specimenTD1})), 422, airbridge.EINVALID)
	if !strings.Contains(e.Message, "surname given differs") || strings.Contains(e.Message, "Smith") {
		t.Errorf("a surname against the MRZ: %q", e.Message)
	}
}
