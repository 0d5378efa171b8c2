package server

import (
	"fmt"
	"testing"
	"time"

	"airbridge"
)

func TestQueueHistoryFold(t *testing.T) {
	t0 := time.Date(2021, 8, 20, 10, 15, 0, 0, time.UTC)
	var events []airbridge.Event
	seq := int64(0)
	ev := func(at time.Time, person, typ string) {
		seq++
		events = append(events, airbridge.Event{Seq: seq, Stream: "person/" + person, Type: typ, Time: at})
	}
	for i := range 5 {
		ev(t0, fmt.Sprint("p", i), airbridge.PersonRegistered)
		ev(t0.Add(time.Minute), fmt.Sprint("p", i), airbridge.PersonAtGate)
	}
	// 11:xx: three screened, two of them staged.
	for i := range 3 {
		ev(t0.Add(time.Hour), fmt.Sprint("p", i), airbridge.PersonScreened)
	}
	ev(t0.Add(time.Hour+time.Minute), "p0", airbridge.PersonStaged)
	ev(t0.Add(time.Hour+time.Minute), "p1", airbridge.PersonStaged)
	events = append(events, airbridge.Event{Seq: seq + 1, Stream: "flight/F1", Type: airbridge.FlightScheduled, Time: t0.Add(2 * time.Hour)})
	seq++
	// 14:xx, after two quiet hours: p0 manifested.
	ev(t0.Add(4*time.Hour), "p0", airbridge.PersonManifested)

	q := &queueHistory{stage: map[string]airbridge.Stage{}, counts: map[airbridge.Stage]int{}}
	q.fold(events)
	want := []queueSample{
		{Hour: time.Date(2021, 8, 20, 11, 0, 0, 0, time.UTC), AtGate: 5},
		{Hour: time.Date(2021, 8, 20, 12, 0, 0, 0, time.UTC), AtGate: 2, Screened: 1, Staged: 2},
		{Hour: time.Date(2021, 8, 20, 13, 0, 0, 0, time.UTC), AtGate: 2, Screened: 1, Staged: 2},
		{Hour: time.Date(2021, 8, 20, 14, 0, 0, 0, time.UTC), AtGate: 2, Screened: 1, Staged: 2},
	}
	if fmt.Sprint(q.samples) != fmt.Sprint(want) {
		t.Errorf("samples\n%v\nwant\n%v", q.samples, want)
	}
	if now := q.sample(t0.Add(5 * time.Hour)); now.Staged != 1 || now.AtGate != 2 || q.after != seq {
		t.Errorf("now %+v after %d", now, q.after)
	}
	// A gap of days keeps at most queueHours samples.
	ev(t0.Add(10*24*time.Hour), "p1", airbridge.PersonManifested)
	q.fold(events[len(events)-1:])
	if len(q.samples) != queueHours {
		t.Errorf("%d samples after a gap of days, want %d", len(q.samples), queueHours)
	}
}
