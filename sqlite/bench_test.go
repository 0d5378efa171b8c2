package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"airbridge"
)

func benchDB(b *testing.B) *DB {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), testKey)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for i, cmd := range []airbridge.Command{
		&airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "bench", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories()}},
		&airbridge.AddSite{Site: airbridge.Site{ID: "gate", Kind: airbridge.Gate}},
	} {
		if _, err := db.Execute(ctx, airbridge.Submission{Command: cmd, Envelope: airbridge.Envelope{Key: fmt.Sprint("setup", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

func benchBatch(from, n int) *airbridge.RegisterPersons {
	c := &airbridge.RegisterPersons{}
	for i := from; i < from+n; i++ {
		c.Persons = append(c.Persons, airbridge.RegisterPerson{
			Nation: "USA", GroupID: fmt.Sprintf("G%07d", i/4),
			PersonInput: airbridge.PersonInput{ID: fmt.Sprintf("P%07d", i), Surname: "Person", GivenNames: "Bench",
				BirthDate: "1990-01-02", Nationality: "AFG", Category: "at_risk",
				Documents: []airbridge.Document{{Type: "passport", Number: fmt.Sprintf("X%08d", i)}}},
		})
	}
	return c
}

// BenchmarkRegisterBatch registers persons in batches of airbridge.MaxBatch
// straight through the store, without HTTP.
func BenchmarkRegisterBatch(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	n := 0
	for b.Loop() {
		cmd := benchBatch(n, airbridge.MaxBatch)
		if _, err := db.Execute(ctx, airbridge.Submission{Command: cmd, Envelope: airbridge.Envelope{Key: fmt.Sprint("batch", n)}}); err != nil {
			b.Fatal(err)
		}
		n += airbridge.MaxBatch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "persons/s")
}

// BenchmarkScan scans registered persons at a gate from concurrent callers,
// so that group commit takes effect.
func BenchmarkScan(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	const pool = 200_000
	for i := 0; i < pool; i += airbridge.MaxBatch {
		if _, err := db.Execute(ctx, airbridge.Submission{Command: benchBatch(i, airbridge.MaxBatch), Envelope: airbridge.Envelope{Key: fmt.Sprint("batch", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomicCounter
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.add()
			if i >= pool {
				b.Fatal("pool of persons exhausted")
			}
			cmd := &airbridge.Scan{PersonID: fmt.Sprintf("P%07d", i), Site: "gate"}
			if _, err := db.Execute(ctx, airbridge.Submission{Command: cmd, Envelope: airbridge.Envelope{Key: fmt.Sprint("scan", i)}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "scans/s")
}

type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) add() int { return int(c.n.Add(1)) - 1 }
