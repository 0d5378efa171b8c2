package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"airbridge"
)

// TestCheckpointBesideTheWriter: the write-ahead log is copied into the
// database file by the checkpointer, not by the writer, and a log that grew
// in a burst is cut back once it is.
func TestCheckpointBesideTheWriter(t *testing.T) {
	for _, every := range []time.Duration{time.Hour, 50 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) { checkpoints(t, every) })
	}
}

func checkpoints(t *testing.T, every time.Duration) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cp.db")
	db, err := open(ctx, path, testKey, every)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, cmd := range []airbridge.Command{
		&airbridge.ConfigureOperation{Policy: airbridge.Policy{Name: "cp", Nations: []string{"USA"}, Categories: airbridge.DefaultCategories()}},
		benchBatch(0, 5000), benchBatch(5000, 5000), benchBatch(10000, 5000),
	} {
		if _, err := db.Execute(ctx, airbridge.Submission{Command: cmd, Envelope: airbridge.Envelope{Key: fmt.Sprint("k", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	grown := fileSize(t, path+"-wal")
	if every == time.Hour {
		// Without the checkpointer nothing is copied: the writer never
		// pauses a commit for it.
		if size := fileSize(t, path); size > grown/10 {
			t.Fatalf("the database file has %d bytes, the log %d: the writer checkpointed", size, grown)
		}
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileSize(t, path) < grown/2 {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the database file has %d bytes and the log %d: no checkpoint", fileSize(t, path), fileSize(t, path+"-wal"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The next write starts the log over, cut back to the size limit.
	if _, err := db.Execute(ctx, airbridge.Submission{Command: &airbridge.AddSite{Site: airbridge.Site{ID: "g", Kind: airbridge.Gate}}, Envelope: airbridge.Envelope{Key: "site"}}); err != nil {
		t.Fatal(err)
	}
	if diffs, err := db.Verify(ctx); err != nil || len(diffs) > 0 {
		t.Fatalf("verify after the checkpoint: %v %v", diffs, err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
