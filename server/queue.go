package server

import (
	"context"
	"strings"
	"sync"
	"time"

	"airbridge"
)

// queueHistory follows the ledger to know how many persons waited at each
// step of the airport — at a gate, screened, staged — at the end of every
// hour: the overview's queue chart. It folds each person event's stage,
// the one thing it needs, so it rebuilds the history exactly from the
// ledger after a restart. Reading a large ledger the first time takes
// seconds; it is done in the background while the pages show what has
// been read.
type queueHistory struct {
	// reading lets one reader of the ledger at a time; mu guards the rest,
	// and is held while a batch read is folded, not while it is read, so a
	// page never waits for the ledger's first reading.
	reading sync.Mutex
	mu      sync.Mutex
	after   int64 // the last ledger position folded
	stage   map[string]airbridge.Stage
	counts  map[airbridge.Stage]int
	hour    time.Time // the hour of the last event folded
	samples []queueSample
	running bool // the first reading is under way
	caught  bool // read up to the ledger's end at least once
}

// queueSample is the queues at the end of Hour's hour (or now, for the
// last point).
type queueSample struct {
	Hour                     time.Time
	AtGate, Screened, Staged int
}

// queueHours is how many hourly samples the history keeps.
const queueHours = 48

// stageAfter is the stage a person event puts its person in; "" for the
// events that leave the stage as it was.
var stageAfter = map[string]airbridge.Stage{
	airbridge.PersonRegistered:    airbridge.Registered,
	airbridge.PersonCalled:        airbridge.Called,
	airbridge.PersonCallCancelled: airbridge.Registered,
	airbridge.PersonAtGate:        airbridge.AtGate,
	airbridge.PersonScreened:      airbridge.Screened,
	airbridge.PersonStaged:        airbridge.Staged,
	airbridge.PersonManifested:    airbridge.Manifested,
	airbridge.PersonOffloaded:     airbridge.Staged,
	airbridge.PersonBoarded:       airbridge.Boarded,
	airbridge.PersonNoShow:        airbridge.Staged,
	airbridge.PersonDeparted:      airbridge.Departed,
	airbridge.PersonArrived:       airbridge.Arrived,
}

func (q *queueHistory) sample(hour time.Time) queueSample {
	return queueSample{Hour: hour, AtGate: q.counts[airbridge.AtGate], Screened: q.counts[airbridge.Screened], Staged: q.counts[airbridge.Staged]}
}

// fold applies events in ledger order.
func (q *queueHistory) fold(events []airbridge.Event) {
	for _, e := range events {
		q.after = e.Seq
		id, ok := strings.CutPrefix(e.Stream, "person/")
		next := stageAfter[e.Type]
		if !ok || next == "" {
			continue
		}
		if h := e.Time.UTC().Truncate(time.Hour); h.After(q.hour) {
			if !q.hour.IsZero() {
				// The counts so far held to the end of every hour since.
				from := q.hour
				if h.Sub(from) > queueHours*time.Hour {
					from = h.Add(-queueHours * time.Hour)
				}
				for t := from; t.Before(h); t = t.Add(time.Hour) {
					q.samples = append(q.samples, q.sample(t.Add(time.Hour)))
				}
				if n := len(q.samples); n > queueHours {
					q.samples = append(q.samples[:0], q.samples[n-queueHours:]...)
				}
			}
			q.hour = h
		}
		if was, ok := q.stage[id]; ok {
			q.counts[was]--
		}
		q.stage[id] = next
		q.counts[next]++
	}
}

// readBatch is how many events one read of the ledger takes.
const readBatch = 5000

// update reads what the ledger appended since the last look, for at most
// budget. It reports whether it reached the end.
func (q *queueHistory) update(ctx context.Context, ledger Ledger, budget time.Duration) (bool, error) {
	q.reading.Lock()
	defer q.reading.Unlock()
	return q.read(ctx, ledger, budget)
}

// read is update for the holder of q.reading.
func (q *queueHistory) read(ctx context.Context, ledger Ledger, budget time.Duration) (bool, error) {
	start := time.Now()
	for {
		q.mu.Lock()
		if q.stage == nil {
			q.stage, q.counts = map[string]airbridge.Stage{}, map[airbridge.Stage]int{}
		}
		after := q.after
		q.mu.Unlock()
		events, err := ledger.Events(ctx, after, readBatch)
		if err != nil {
			return false, err
		}
		q.mu.Lock()
		q.fold(events)
		done := len(events) < readBatch
		q.caught = q.caught || done
		q.mu.Unlock()
		if done {
			return true, nil
		}
		if time.Since(start) > budget {
			return false, nil
		}
	}
}

// queueSamples returns the samples of the last hours hours and the queues now,
// or ok false while the ledger is still being read the first time. The
// first call starts that reading in the background, which ends with stop.
func (s *Server) queueSamples(ctx context.Context, hours int, now time.Time) (samples []queueSample, ok bool, err error) {
	q := &s.queues
	q.mu.Lock()
	caught, start := q.caught, !q.caught && !q.running
	q.running = q.running || start
	q.mu.Unlock()
	if start {
		go func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				select {
				case <-s.stopStreams:
					cancel()
				case <-ctx.Done():
				}
			}()
			defer func() {
				q.mu.Lock()
				q.running = false // a failed read is started again by the next page
				q.mu.Unlock()
			}()
			for {
				done, err := q.update(ctx, s.ledger, 200*time.Millisecond)
				if done || err != nil {
					if err != nil && ctx.Err() == nil {
						s.log.Error("read the ledger for the queue history", "err", err)
					}
					return
				}
			}
		}()
	}
	if !caught {
		return nil, false, nil
	}
	// Catch up with the ledger, unless another reader is at it: then what
	// it has folded so far will do.
	if q.reading.TryLock() {
		_, err := q.read(ctx, s.ledger, 100*time.Millisecond)
		q.reading.Unlock()
		if err != nil {
			return nil, false, err
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	from := now.UTC().Truncate(time.Hour).Add(-time.Duration(hours) * time.Hour)
	for _, smp := range q.samples {
		if smp.Hour.After(from) {
			samples = append(samples, smp)
		}
	}
	// The quiet hours since the last event held the queues as they are.
	if !q.hour.IsZero() {
		first := q.hour
		if from.After(first) {
			first = from
		}
		for t := first.Add(time.Hour); t.Before(now); t = t.Add(time.Hour) {
			samples = append(samples, q.sample(t))
		}
	}
	return append(samples, q.sample(now.UTC())), true, nil
}
