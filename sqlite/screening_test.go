package sqlite

import (
	"strings"
	"testing"

	"airbridge"
)

// TestAwaitingScreening: who waits for a screening decision, read from the
// tables with names opened, the longest waiting first, counted, by nation,
// through the index of those stages.
func TestAwaitingScreening(t *testing.T) {
	f := newFixture(t)
	f.configure()
	f.register("G1", "DEU", person("P1", "at_risk"), person("P2", "at_risk"), person("P3", "at_risk"), person("P4", "at_risk"))
	f.register("G2", "USA", person("P5", "at_risk"))
	f.do(airbridge.Scan{PersonID: "P1", Site: "gate-1"}) // at a gate
	f.do(airbridge.Scan{PersonID: "P2", Site: "gate-1"})
	f.do(airbridge.Screen{PersonID: "P2", Decision: airbridge.Referred, Reason: "papers"}) // referred
	f.stage("P3")                                                                          // staged: not waiting
	f.do(airbridge.Scan{PersonID: "P4", Site: "gate-1"})
	f.do(airbridge.Screen{PersonID: "P4", Decision: airbridge.Cleared}) // cleared: not waiting
	f.do(airbridge.Scan{PersonID: "P5", Site: "gate-1"})

	ids := func(ps []airbridge.Person) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return strings.Join(out, ",")
	}
	all, total, err := f.db.AwaitingScreening(f.ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids(all) != "P1,P2,P5" || total != 3 || all[0].Surname != "Surname P1" {
		t.Errorf("awaiting: %s of %d (%+v)", ids(all), total, all)
	}
	deu, total, _ := f.db.AwaitingScreening(f.ctx, "DEU", 1)
	if ids(deu) != "P1" || total != 2 {
		t.Errorf("DEU, one: %s of %d", ids(deu), total)
	}
	if none, total, _ := f.db.AwaitingScreening(f.ctx, "FRA", 10); len(none) != 0 || total != 0 || none == nil {
		t.Errorf("FRA: %v of %d", none, total)
	}
	var plan strings.Builder
	rows, err := f.db.r.Query(`EXPLAIN QUERY PLAN `+awaitingQuery, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "; ")
	}
	if !strings.Contains(plan.String(), "persons_waiting") {
		t.Errorf("the query does not use the index of waiting persons: %s", plan.String())
	}
}

// TestStagedQueueFields: the staged queue reads each person's nation,
// category and litter from the row, and a group's size from its own row:
// priority is the best rank, litters are counted, a group with a member
// not yet staged is left out.
func TestStagedQueueFields(t *testing.T) {
	f := newFixture(t)
	f.configure()
	litter := person("L1", "at_risk")
	litter.Needs.Litter = true
	f.register("G1", "USA", person("A1", "own_citizen"), litter)
	f.register("G2", "DEU", person("B1", "third_country"), person("B2", "third_country"))
	for _, p := range []string{"A1", "L1", "B1"} {
		f.stage(p)
	}
	q, err := f.db.StagedQueue(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].GroupID != "G1" || q[0].Nation != "USA" || q[0].Priority != 1 || q[0].Litters != 1 || q[0].Size != 2 ||
		strings.Join(q[0].Persons, ",") != "A1,L1" {
		t.Fatalf("queue with G2 half staged: %+v", q)
	}
	f.stage("B2")
	if q, _ = f.db.StagedQueue(f.ctx, 10); len(q) != 2 || q[1].GroupID != "G2" || q[1].Priority != 4 || q[1].Litters != 0 || q[1].Nation != "DEU" {
		t.Errorf("queue with both: %+v", q)
	}
}
