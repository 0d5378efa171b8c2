package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"airbridge"
)

type withdrawalView struct {
	ID        string                       `json:"id"`
	Movements []airbridge.Movement         `json:"movements"`
	Plan      airbridge.WithdrawalPlan     `json:"plan"`
	Progress  airbridge.WithdrawalProgress `json:"progress"`
}

// TestWithdrawalTracked adopts the nato-2021 plan over the API, records
// movements against it and reads the slippage; bad requests are refused
// with the field named and change nothing.
func TestWithdrawalTracked(t *testing.T) {
	t.Parallel()
	a := newAPI(t).as("planner")

	// Adopting, with the replay checks of a command.
	key := a.key()
	body := `{"id":"W1","scenario":"nato-2021"}`
	first := a.request("POST", "/api/withdrawals", key, body)
	if first.status != http.StatusCreated || !strings.Contains(string(first.body), `"id":"W1"`) {
		t.Fatalf("adopt: %s", first)
	}
	again := a.request("POST", "/api/withdrawals", key, body)
	if again.status != first.status || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("adopt replayed: %s, replayed %q", again, again.header.Get("Idempotent-Replayed"))
	}
	wantError(t, a.request("POST", "/api/withdrawals", key, `{"id":"W2","scenario":"nato-2021"}`), http.StatusConflict, airbridge.ECONFLICT)
	wantError(t, a.request("POST", "/api/withdrawals", a.key(), body), http.StatusConflict, airbridge.ECONFLICT) // W1 exists

	events := len(a.events())
	for _, c := range []struct {
		body   string
		status int
		code   string
		want   string
	}{
		{`{}`, 422, airbridge.EINVALID, "scenario: give the name"},
		{`{"scenario":"kabul-2021"}`, 422, airbridge.EINVALID, "scenario:"},
		{`{"scenario":{"name":"x"}}`, 422, airbridge.EINVALID, "scenario start"},
		{`{"scenario":{"name":"x","bogus":1}}`, 422, airbridge.EINVALID, "unknown field"},
		{`{"scenario":"nato-2021","extra":true}`, 400, airbridge.EMALFORMED, "extra"},
		{`{"scenario":`, 400, airbridge.EMALFORMED, ""},
		{`{"id":"a b","scenario":"nato-2021"}`, 422, airbridge.EINVALID, "plan.id"},
		{`{"scenario":"` + strings.Repeat("x", 1<<20) + `"}`, 413, airbridge.ETOOLARGE, ""},
		{`{"scenario":` + manyNations(201, 5, 10, 100) + `}`, 422, airbridge.EINVALID, "at most 200 nations"},
		// A sortie a day for a person a sortie: 60 nations × 997 days of legs.
		{`{"scenario":` + manyNations(60, 997, 1_000_000, 1) + `}`, 422, airbridge.EINVALID, "more than the 50000 the ledger tracks"},
	} {
		r := a.request("POST", "/api/withdrawals", a.key(), c.body)
		if e := wantError(t, r, c.status, c.code); !strings.Contains(e.Message, c.want) {
			t.Errorf("adopt %.60s: %q, want it to say %q", c.body, e.Message, c.want)
		}
	}
	if n := len(a.events()); n != events {
		t.Errorf("refused adoptions appended %d events", n-events)
	}

	var list struct {
		Withdrawals []struct {
			ID        string `json:"id"`
			Nations   int    `json:"nations"`
			Movements int    `json:"movements"`
		} `json:"withdrawals"`
	}
	a.get("/api/withdrawals", &list)
	if len(list.Withdrawals) != 1 || list.Withdrawals[0].Nations != 36 {
		t.Fatalf("withdrawals: %+v", list)
	}

	// Follow the plan for Germany's first day of sorties, one day late.
	var w withdrawalView
	a.get("/api/withdrawals/W1", &w)
	if w.Progress.AsOfDay != 0 || len(w.Progress.Nations) != 36 || len(w.Plan.Legs) == 0 {
		t.Fatalf("W1 as of day 0: %+v", w.Progress)
	}
	first0 := -1
	for _, l := range w.Plan.Legs {
		if l.Nation == "DEU" && l.Mode == airbridge.ModeSortie {
			first0 = l.Day
			break
		}
	}
	if first0 < 0 {
		t.Fatal("no German sortie in the plan")
	}
	var deu airbridge.NationProgress
	find := func(p airbridge.WithdrawalProgress) airbridge.NationProgress {
		for _, n := range p.Nations {
			if n.Nation == "DEU" {
				return n
			}
		}
		t.Fatal("no DEU")
		return airbridge.NationProgress{}
	}
	// Nothing recorded: as of two days after its first sortie, Germany is
	// behind by more than that (its moves to the airport came first).
	a.get("/api/withdrawals/W1?as_of="+addDays(w.Plan.Start, first0+2), &w)
	deu = find(w.Progress)
	if deu.SlipDays < 3 || deu.Status == airbridge.StatusOnPlan || deu.Actual.Personnel != 1300 {
		t.Errorf("DEU with nothing recorded, as of 2 days after its first sortie: %+v", deu)
	}

	// Bad movements, each refused naming the field.
	mv := func(body string) response {
		return a.request("POST", "/api/withdrawals/W1/movements", a.key(), body)
	}
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"date":"2021-04-23","nation":"DEU","from":"MZR","mode":"sortie","sorties":1,"personnel":10}`, "date", 422},
		{`{"date":"2021-04-24","nation":"XXX","from":"MZR","mode":"sortie","sorties":1,"personnel":10}`, "nation", 422},
		{`{"date":"2021-04-24","nation":"DEU","from":"NOWHERE","mode":"sortie","sorties":1,"personnel":10}`, "from", 422},
		{`{"date":"2021-04-24","nation":"DEU","from":"MZR","to":"MZR","mode":"road","personnel":10}`, "to", 422},
		{`{"date":"2021-04-24","nation":"DEU","from":"MZR","mode":"sortie","sorties":1,"personnel":-1}`, "personnel", 422},
		{`{"date":"2021-04-24","nation":"DEU","from":"MZR","mode":"sortie","sorties":1,"personnel":10}`, "from", 422}, // not an airport
		{`{"date":"2021-04-24","nation":"DEU","from":"HKIA","mode":"sortie","sorties":1,"personnel":100000}`, "", 409},
		{`{"date":"2021-04-24","nation":"DEU","from":"HKIA","mode":"sortie","sorties":1,"personnel":10,"withdrawal_id":"W2"}`, "", 400},
	} {
		r := mv(c.body)
		e := parseError(t, r)
		if r.status != c.status || (c.field != "" && detail(e.Details["field"]) != c.field) {
			t.Errorf("movement %s: %s, want %d naming %q", c.body, r, c.status, c.field)
		}
	}
	wantError(t, a.request("POST", "/api/withdrawals/W9/movements", a.key(), `{"date":"2021-04-24","nation":"DEU","from":"MZR","mode":"sortie","sorties":1,"personnel":10}`),
		http.StatusNotFound, airbridge.ENOTFOUND)
	wantError(t, a.request("GET", "/api/withdrawals/W1?as_of=24.04.2021", "", ""), 422, airbridge.EINVALID)
	wantError(t, a.request("GET", "/api/withdrawals/W9", "", ""), 404, airbridge.ENOTFOUND)

	// Record the plan's German legs up to its first sortie day, a day late.
	for _, l := range w.Plan.Legs {
		if l.Nation != "DEU" || l.Day > first0 {
			continue
		}
		m := airbridge.RecordMovement{Date: addDays(w.Plan.Start, l.Day+1), Nation: l.Nation, From: l.From, To: l.To, Mode: l.Mode,
			Aircraft: l.Aircraft, Sorties: l.Sorties, Amount: l.Amount}
		if r := mv(mustJSONString(t, m)); r.status != http.StatusCreated {
			t.Fatalf("leg %+v a day late: %s", l, r)
		}
	}
	a.get("/api/withdrawals/W1", &w) // as of the latest movement
	deu = find(w.Progress)
	if w.Progress.AsOfDay != first0+1 || deu.SlipDays != 1 || deu.Status != airbridge.StatusBehind || deu.SortiesFlown != deu.SortiesPlanned-sortiesOn(w.Plan, "DEU", first0+1) {
		t.Errorf("DEU a day late as of day %d: %+v", w.Progress.AsOfDay, deu)
	}
	if len(w.Movements) == 0 || w.Movements[0].RecordedBy != "planner" {
		t.Errorf("movements %+v", w.Movements)
	}
}

// manyNations is a valid withdrawal scenario of n nations at one airport
// over the given days, each with personnel and a sortie a day of pax.
func manyNations(n, days, personnel, pax int) string {
	var contingents, airlift []string
	for i := range n {
		nation := string([]byte{'A' + byte(i/676), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		contingents = append(contingents, fmt.Sprintf(`{"nation":%q,"site":"AP","personnel":%d,"security":0,"pallets":0,"vehicles":0}`, nation, personnel))
		airlift = append(airlift, fmt.Sprintf(`{"nation":%q,"aircraft":"C-17","passengers":%d,"pallets":18,"sorties_per_day":1,"from_day":0,"to_day":%d,"airport":"AP"}`, nation, pax, days-1))
	}
	return fmt.Sprintf(`{"name":"many","start":"2021-05-01","days":%d,"pallets_per_vehicle":2,"sites":[{"id":"AP","airport":true,"security_floor":0}],`+
		`"contingents":[%s],"moves":[],"airlift":[%s],"deadlines":[],"evacuation_last_day":0}`, days, strings.Join(contingents, ","), strings.Join(airlift, ","))
}

func addDays(date string, days int) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	return d.AddDate(0, 0, days).Format(time.DateOnly)
}

func mustJSONString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sortiesOn(p airbridge.WithdrawalPlan, nation string, day int) int {
	n := 0
	for _, l := range p.Legs {
		if l.Nation == nation && l.Day == day {
			n += l.Sorties
		}
	}
	return n
}
