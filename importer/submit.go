package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"airbridge"
)

// Executor is what submitting needs of a ledger.
type Executor interface {
	Execute(ctx context.Context, sub airbridge.Submission) (airbridge.Receipt, error)
}

var groupField = regexp.MustCompile(`^groups\[(\d+)\]`)

// Submit registers the plan's groups in batches of at most
// airbridge.MaxBatch persons, each all or none, under idempotency keys
// derived from the groups it holds, so that a retried import replays
// rather than registers twice. A batch the rules refuse names the group
// that broke them: that group's rows are rejected with the reason and the
// rest of the batch is submitted again. progress, if not nil, is told the
// persons registered so far. Any other error stops the import; the batches
// before it stay registered, which a second import finds and skips.
func Submit(ctx context.Context, ledger Executor, p *Plan, actor string, progress func(done int)) error {
	done := 0
	for start := 0; start < len(p.Groups); {
		end, n := start, 0
		for end < len(p.Groups) && (end == start || n+len(p.Groups[end].Persons) <= airbridge.MaxBatch) {
			n += len(p.Groups[end].Persons)
			end++
		}
		batch := p.Groups[start:end]
		h := sha256.New()
		for _, g := range batch {
			h.Write([]byte(g.ID))
			for _, in := range g.Persons {
				h.Write([]byte("\x00" + in.ID))
			}
		}
		_, err := ledger.Execute(ctx, airbridge.Submission{
			Command:     &airbridge.RegisterGroups{Groups: batch},
			Envelope:    airbridge.Envelope{Actor: actor, Key: "import-" + hex.EncodeToString(h.Sum(nil))[:32]},
			Fingerprint: "import " + strconv.Itoa(n),
		})
		var refusal *airbridge.Error
		switch {
		case err == nil:
			done += n
			if progress != nil {
				progress(done)
			}
			start = end
			continue
		case !errors.As(err, &refusal) || refusal.Code == airbridge.EINTERNAL:
			return fmt.Errorf("register rows of groups %s…: %w", batch[0].ID, err)
		}
		culprit := ""
		if f, ok := refusal.Details["field"].(string); ok {
			if m := groupField.FindStringSubmatch(f); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(batch) {
					culprit = batch[i].ID
				}
			}
		}
		if id, ok := refusal.Details["group_id"].(string); ok && culprit == "" {
			culprit = id
		}
		if culprit == "" {
			return fmt.Errorf("the store refused a batch without naming its group: %w", err)
		}
		p.Reject(culprit, fieldName(refusal.Message))
		// p.Groups changed: the batch is rebuilt from start.
	}
	return nil
}
