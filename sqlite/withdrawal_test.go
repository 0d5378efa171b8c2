package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"airbridge"
)

// TestWithdrawalKept: a plan adopted and a movement recorded are in the read
// table, survive a reopen, refold from the ledger alike, and a refused
// movement changes nothing.
func TestWithdrawalKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "withdrawal.db")
	f := &fixture{t: t, db: openTest(t, path), ctx: t.Context()}
	plan := airbridge.WithdrawalPlan{ID: "W1", Name: "two sites", Start: "2021-05-01", Days: 4, EvacuationLastDay: 1,
		Sites: []airbridge.WithdrawalSite{{ID: "HKIA", Airport: true, SecurityFloor: 2}, {ID: "BASE", SecurityFloor: 1}},
		Contingents: []airbridge.Contingent{
			{Nation: "DEU", Site: "BASE", Amount: airbridge.Amount{Personnel: 10, Security: 2, Pallets: 3}},
			{Nation: "DEU", Site: "HKIA", Amount: airbridge.Amount{Personnel: 4, Security: 4}},
		},
		Legs: []airbridge.Leg{
			{Day: 0, Nation: "DEU", From: "BASE", To: "HKIA", Mode: airbridge.ModeRoad, Amount: airbridge.Amount{Personnel: 10, Security: 2, Pallets: 3}},
			{Day: 2, Nation: "DEU", From: "HKIA", Mode: airbridge.ModeSortie, Aircraft: "A400M", Sorties: 2, Amount: airbridge.Amount{Personnel: 14, Security: 6, Pallets: 3}},
		},
	}
	// No operation is configured: a withdrawal does not need one.
	f.do(airbridge.AdoptWithdrawalPlan{Plan: plan})
	f.do(airbridge.RecordMovement{WithdrawalID: "W1", Date: "2021-05-02", Nation: "DEU", From: "BASE", To: "HKIA", Mode: airbridge.ModeRoad,
		Amount: airbridge.Amount{Personnel: 10, Security: 2, Pallets: 3}})
	f.refuse(airbridge.RecordMovement{WithdrawalID: "W1", Date: "2021-05-02", Nation: "DEU", From: "BASE", To: "HKIA", Mode: airbridge.ModeRoad,
		Amount: airbridge.Amount{Personnel: 1}}, airbridge.ECONFLICT)
	check := func(db *DB) {
		t.Helper()
		w, err := db.Withdrawal(t.Context(), "W1")
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Plan.Legs) != 2 || len(w.Movements) != 1 || w.Movements[0].Day != 1 || w.Movements[0].RecordedBy != "tester" {
			t.Fatalf("withdrawal %+v", w)
		}
		all, err := db.Withdrawals(t.Context())
		if err != nil || len(all) != 1 || all[0].Movements != 1 || all[0].Legs != 2 || all[0].Nations != 1 || all[0].Name != "two sites" {
			t.Fatalf("withdrawals %+v, %v", all, err)
		}
		if _, err := db.Withdrawal(t.Context(), "W2"); airbridge.ErrorCode(err) != airbridge.ENOTFOUND {
			t.Errorf("W2: %v", err)
		}
		verifyClean(t, db)
	}
	check(f.db)
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.db = openTest(t, path)
	check(f.db)
	// The state was reloaded: the next movement is numbered 2.
	f.do(airbridge.RecordMovement{WithdrawalID: "W1", Date: "2021-05-03", Nation: "DEU", From: "HKIA", Mode: airbridge.ModeSortie, Sorties: 1,
		Amount: airbridge.Amount{Personnel: 8}})
	if w, _ := f.db.Withdrawal(t.Context(), "W1"); len(w.Movements) != 2 || w.Movements[1].Number != 2 {
		t.Fatalf("after reopen %+v", w.Movements)
	}
	verifyClean(t, f.db)
}

// TestMigrateWithdrawalMovements: a database of schema 5, which kept the
// movements inside their plan's row, opens with them in their own table and
// a summary beside each plan.
func TestMigrateWithdrawalMovements(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w5.db")
	f := &fixture{t: t, db: openTest(t, path), ctx: t.Context()}
	plan := airbridge.WithdrawalPlan{ID: "W1", Name: "old", Start: "2021-05-01", Days: 4,
		Sites:       []airbridge.WithdrawalSite{{ID: "AP", Airport: true}},
		Contingents: []airbridge.Contingent{{Nation: "DEU", Site: "AP", Amount: airbridge.Amount{Personnel: 10}}, {Nation: "USA", Site: "AP", Amount: airbridge.Amount{Personnel: 5}}},
	}
	f.do(airbridge.AdoptWithdrawalPlan{Plan: plan})
	for _, date := range []string{"2021-05-01", "2021-05-02"} {
		f.do(airbridge.RecordMovement{WithdrawalID: "W1", Date: date, Nation: "DEU", From: "AP", Mode: airbridge.ModeSortie, Sorties: 1,
			Amount: airbridge.Amount{Personnel: 2}})
	}
	before, err := f.db.Withdrawal(f.ctx, "W1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	// Back to schema 5: the movements in the plan's row.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE withdrawals SET data = json_set(data, '$.movements', json((SELECT json_group_array(json(data)) FROM
			(SELECT data FROM withdrawal_movements WHERE withdrawal_id = 'W1' ORDER BY number))))`,
		`DROP TABLE withdrawal_movements`,
		`ALTER TABLE withdrawals DROP COLUMN summary`,
		`DELETE FROM schema_migrations WHERE version = 6`,
	} {
		if _, err := raw.Exec(q); err != nil {
			raw.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	f.db = openTest(t, path)
	after, err := f.db.Withdrawal(f.ctx, "W1")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustMarshal(t, after), mustMarshal(t, before); a != b {
		t.Fatalf("after migration:\n%s\nwant\n%s", a, b)
	}
	all, err := f.db.Withdrawals(f.ctx)
	if err != nil || len(all) != 1 || all[0].Movements != 2 || all[0].Nations != 2 || all[0].Name != "old" || all[0].AdoptedBy != "tester" {
		t.Fatalf("summaries after migration: %+v, %v", all, err)
	}
	verifyClean(t, f.db)
	f.do(airbridge.RecordMovement{WithdrawalID: "W1", Date: "2021-05-03", Nation: "USA", From: "AP", Mode: airbridge.ModeSortie, Sorties: 1,
		Amount: airbridge.Amount{Personnel: 5}})
	if w, _ := f.db.Withdrawal(f.ctx, "W1"); len(w.Movements) != 3 || w.Movements[2].Number != 3 {
		t.Fatalf("a movement after migration: %+v", w.Movements)
	}
	verifyClean(t, f.db)
}
