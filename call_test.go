package airbridge

import (
	"strings"
	"testing"
	"time"
)

func TestCallGroups(t *testing.T) {
	f := newFixture(t)
	a := f.register("a", 2)
	b := f.register("b", 1)
	f.register("c", 1)
	f.exec(Scan{PersonID: "c-1", Site: gate})
	call := func(g string) GroupCall {
		return GroupCall{GroupID: g, Gate: gate, WindowStart: t0.Add(time.Hour), WindowEnd: t0.Add(90 * time.Minute)}
	}

	f.refuse(CallGroups{}, EINVALID)
	e := f.refuse(CallGroups{Calls: []GroupCall{call("a"), call("a")}}, EINVALID)
	if e.Details["field"] != "calls[1].group_id" {
		t.Errorf("twice: %v", e)
	}
	bad := call("b")
	bad.Gate = ""
	e = f.refuse(CallGroups{Calls: []GroupCall{call("a"), bad}}, EINVALID)
	if e.Details["field"] != "calls[1].gate" || !strings.HasPrefix(e.Message, "calls[1].gate:") {
		t.Errorf("a bad call: %q %v", e.Message, e.Details)
	}
	f.refuse(CallGroups{Calls: []GroupCall{call("a"), call("c")}}, ECONFLICT) // c is at the gate: none called
	f.checkPersons(a, personWant{Registered, "", 1})

	out := f.exec(CallGroups{Calls: []GroupCall{call("a"), call("b")}}).(CallResult)
	if out.Groups != 2 || out.Persons != 3 {
		t.Errorf("outcome %+v", out)
	}
	f.checkPersons(append(a, b...), personWant{Called, "", 2})
	if got := f.s.Persons["a-1"].Call; got == nil || got.Gate != gate || !got.Start.Equal(t0.Add(time.Hour)) {
		t.Errorf("call %+v", got)
	}

	// Cancelled: registered again, the call gone; admitted: at the gate.
	f.exec(CancelCall{GroupID: "b", Reason: "flight cancelled"})
	f.checkPersons(b, personWant{Registered, "", 3})
	if f.s.Persons["b-1"].Call != nil {
		t.Error("a cancelled call is kept")
	}
	f.refuse(CancelCall{GroupID: "b"}, ECONFLICT)
	f.refuse(AdmitGroup{GroupID: "b", Gate: gate}, ECONFLICT)
	f.refuse(AdmitGroup{GroupID: "a", Gate: hold}, ENOTFOUND)
	f.exec(AdmitGroup{GroupID: "a", Gate: gate})
	f.checkPersons(a, personWant{AtGate, "", 3})
	if f.s.Persons["a-2"].Call == nil {
		t.Error("the call is forgotten at the gate")
	}
	f.refuse(AdmitGroup{GroupID: "a", Gate: gate}, ECONFLICT) // used
	f.checkRefold()
}

func TestUpdateSite(t *testing.T) {
	f := newFixture(t)
	closure := Window{Start: t0.Add(time.Hour), End: t0.Add(3 * time.Hour)}
	out := f.exec(UpdateSite{Site: Site{ID: gate, Lanes: 4, PerLaneHour: 60, Closures: []Window{closure}}}).(*Site)
	if out.Kind != Gate || out.Lanes != 4 || len(out.Closures) != 1 {
		t.Errorf("updated %+v", out)
	}
	f.exec(UpdateSite{Site: Site{ID: hold, Capacity: 3000}})
	for _, tt := range []struct {
		name string
		site Site
		code string
	}{
		{"unknown", Site{ID: "nope"}, ENOTFOUND},
		{"kind changes", Site{ID: gate, Kind: Holding}, EINVALID},
		{"closure backwards", Site{ID: gate, Closures: []Window{{Start: t0, End: t0.Add(-time.Hour)}}}, EINVALID},
		{"lanes at a holding area", Site{ID: hold, Lanes: 2}, EINVALID},
		{"capacity at a gate", Site{ID: gate, Capacity: 2}, EINVALID},
		{"negative rate", Site{ID: gate, PerLaneHour: -1}, EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) { f.t = t; f.refuse(UpdateSite{Site: tt.site}, tt.code) })
	}
	f.t = t
	f.refuse(UpdateSite{SiteID: gate, Site: Site{ID: hold}}, EINVALID) // the body names another site
	f.exec(UpdateSite{SiteID: gate, Site: Site{Lanes: 2, PerLaneHour: 50}})
	if got := f.s.Sites[gate]; got.Lanes != 2 || got.Kind != Gate || got.Closures != nil {
		t.Errorf("gate after its update %+v", got)
	}
	f.checkRefold()
}

// TestMRZUnread: a machine-readable zone is read by the adapter; the rules
// refuse one that reaches them.
func TestMRZUnread(t *testing.T) {
	f := newFixture(t)
	in := member("m-1")
	in.MRZ = "P<UTO"
	f.refuse(RegisterPerson{Nation: "USA", GroupID: "m", PersonInput: in}, EINVALID)
	f.register("a", 1)
	f.refuse(Scan{MRZ: "P<UTO", Site: gate}, EINVALID)
}
