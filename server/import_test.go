package server_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"airbridge/importer"
)

func TestImportThroughAPI(t *testing.T) {
	t.Parallel()
	a := newWorld(t)
	list := "Last Name,First Name,DOB,Nationality,Category,Passport,Family\n" +
		"Rahimi,Farid,1984-03-02,AFG,local_staff,Q1234567,F1\n" +
		"Rahimi,Laila,1987-11-20,AFG,local_staff,Q1234568,F1\n" +
		"Karimi,Nadia,1990-13-01,AFG,at_risk,Q9999999,\n"
	send := func(user, query, body string) response {
		t.Helper()
		r, err := a.send(user, "POST", "/api/persons/import"+query, "", body, "Content-Type", "text/csv")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var report importer.Report
	r := send("coordinator.usa", "?nation=USA&dry_run=true", list)
	decode(t, r, &report)
	if report.Accepted != 2 || report.Rejected != 1 || len(a.events()) == 0 {
		t.Fatalf("dry run %s", r)
	}
	before := len(a.events())
	decode(t, send("coordinator.usa", "?nation=USA", list), &report)
	if report.Accepted != 2 || report.Rejected != 1 || report.Results[2].Line != 4 || !strings.HasPrefix(report.Results[2].Reason, "birth_date") {
		t.Errorf("import %+v", report)
	}
	if after := len(a.events()); after != before+3 { // the group and its two members
		t.Errorf("the import appended %d events, want 3", after-before)
	}
	checkNoPersonalData(t, "import report", send("coordinator.usa", "?nation=USA", list).body)
	decode(t, send("coordinator.usa", "?nation=USA", list), &report)
	if report.Existing != 2 || report.Accepted != 0 {
		t.Errorf("second import %+v", report)
	}
	rows, err := csv.NewReader(strings.NewReader(string(send("coordinator.usa", "?nation=USA&rejects=csv", list).body))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "4" || rows[1][2] != "Karimi" {
		t.Errorf("rejects %q %v", rows, err)
	}
	if r := send("coordinator.usa", "?nation=DEU", list); r.status != http.StatusForbidden {
		t.Errorf("a USA coordinator importing for DEU: %s", r)
	}
	wantError(t, send("coordinator.usa", "", list), 422, "invalid")
	wantError(t, send("coordinator.usa", "?nation=USA", "just,a,header\n"), 422, "invalid")
	wantError(t, send("coordinator.usa", "?nation=USA&map=Nom", list), 422, "invalid")
}
