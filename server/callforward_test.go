package server_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"airbridge"
	"airbridge/invite"
	"airbridge/server"
)

// callWorld is a server with gates gate1 and gate2 and USA groups of
// persons with passports: on (called to gate1 now), soon (called to gate1
// in five hours), past (called to gate1 yesterday) and gone (called, then
// cancelled).
func callWorld(t *testing.T) *api {
	t.Helper()
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	for _, s := range []obj{{"id": "gate1", "kind": "gate"}, {"id": "gate2", "kind": "gate"}} {
		a.post("POST /api/sites", js(s))
	}
	now := time.Now().UTC().Truncate(time.Minute)
	for i, g := range []struct {
		id    string
		start time.Time
	}{{"on", now.Add(-10 * time.Minute)}, {"soon", now.Add(5 * time.Hour)}, {"past", now.Add(-26 * time.Hour)}, {"gone", now}} {
		a.post("POST /api/groups", js(obj{"id": g.id, "nation": "USA", "persons": []obj{
			person(g.id+"-1", "PX"+string(rune('A'+i))+"1", "local_staff"), person(g.id+"-2", "PX"+string(rune('A'+i))+"2", "local_staff")}}))
		a.post("POST /api/groups/{id}/call", js(obj{"gate": "gate1", "window_start": g.start, "window_end": g.start.Add(time.Hour)}), g.id)
	}
	return a
}

func (a *api) invitation(group string) string {
	a.t.Helper()
	var v server.InvitationView
	a.as("coordinator.usa").get("/api/groups/"+group+"/invitation", &v)
	if v.GroupID != group || v.Persons != 2 || v.Gate != "gate1" || v.ID == "" || !strings.HasPrefix(v.Invitation, "ABI1") {
		a.t.Fatalf("invitation of %s: %+v", group, v)
	}
	return v.Invitation
}

func (a *api) verify(text, gate string) server.Verdict {
	a.t.Helper()
	var v server.Verdict
	r := a.as("gate").request("POST", "/api/gate/verify", "", js(obj{"invitation": text, "gate": gate}))
	if r.status != http.StatusOK {
		a.t.Fatalf("verify: %s", r)
	}
	decode(a.t, r, &v)
	checkNoPersonalData(a.t, "verify", r.body)
	return v
}

func TestGateVerify(t *testing.T) {
	t.Parallel()
	a := callWorld(t)
	on := a.invitation("on")
	if again := a.invitation("on"); again != on {
		t.Error("the same call gave two invitations")
	}
	soon, past, gone := a.invitation("soon"), a.invitation("past"), a.invitation("gone")
	a.post("DELETE /api/groups/{id}/call", `{"reason":"flight cancelled"}`, "gone")

	// Forged: the signature altered, a payload byte altered, another key.
	flip := func(c byte) string { return map[bool]string{true: "B", false: "A"}[c == 'A'] }
	sigAltered := on[:len(on)-10] + flip(on[len(on)-10]) + on[len(on)-9:]
	payloadAltered := on[:10] + flip(on[10]) + on[11:]
	var pub ed25519.PublicKey
	var key map[string]string
	a.get("/api/invitations/key", &key)
	if b, err := base64.StdEncoding.DecodeString(key["public_key"]); err != nil || len(b) != ed25519.PublicKeySize || key["algorithm"] != "Ed25519" {
		t.Fatalf("public key %v", key)
	} else {
		pub = b
	}
	inv, err := invite.Verify(on, pub)
	if err != nil {
		t.Fatalf("the invitation does not verify offline with the published key: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherKey, err := invite.Sign(inv, other)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, text, gate, want string
	}{
		{"signature altered", sigAltered, "gate1", server.Forged},
		{"payload altered", payloadAltered, "gate1", server.Forged},
		{"another key", otherKey, "gate1", server.Forged},
		{"not an invitation", "hello", "gate1", server.Forged},
		{"wrong gate", on, "gate2", server.WrongGate},
		{"too early", soon, "gate1", server.Early},
		{"too late", past, "gate1", server.Late},
		{"revoked", gone, "gate1", server.Revoked},
	} {
		if v := a.verify(tt.text, tt.gate); v.Result != tt.want || v.Reason == "" {
			t.Errorf("%s: %+v, want %s", tt.name, v, tt.want)
		}
	}
	var g airbridge.GroupView
	a.get("/api/groups/on", &g)
	for _, p := range g.Persons {
		if p.Stage != airbridge.Called {
			t.Fatalf("refused invitations changed %s to %s", p.ID, p.Stage)
		}
	}

	// Valid: admitted once, then used, showing who and when.
	v := a.verify(on, "gate1")
	if v.Result != server.Admit || v.GroupID != "on" || v.Persons != 2 {
		t.Fatalf("valid invitation: %+v", v)
	}
	a.get("/api/groups/on", &g)
	for _, p := range g.Persons {
		if p.Stage != airbridge.AtGate {
			t.Errorf("admitted %s is %s", p.ID, p.Stage)
		}
	}
	v = a.verify(on, "gate2")
	if v.Result != server.Used || v.UsedBy != "gate" || v.UsedGate != "gate1" || v.UsedAt.IsZero() {
		t.Errorf("reused invitation: %+v", v)
	}

	// The PNG and PDF forms; the invitation of a group not called.
	r := a.as("coordinator.usa").request("GET", "/api/groups/soon/invitation?format=png", "", "")
	if r.status != 200 || r.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(r.body), "\x89PNG") {
		t.Errorf("png: %d %s", r.status, r.header.Get("Content-Type"))
	}
	r = a.as("coordinator.usa").request("GET", "/api/groups/soon/invitation?format=pdf", "", "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("pdf: %d %s", r.status, r.header.Get("Content-Type"))
	}
	wantError(t, a.as("coordinator.usa").request("GET", "/api/groups/soon/invitation?format=gif", "", ""), 422, airbridge.EINVALID)
	wantError(t, a.as("coordinator.usa").request("GET", "/api/groups/gone/invitation", "", ""), 409, airbridge.ECONFLICT)
	wantError(t, a.as("gate").request("POST", "/api/gate/verify", "", `{"invitation":"x"}`), 422, airbridge.EINVALID)
}

// TestCallForwardPlan: the planner calls registered groups to the gates
// with lanes, never to a gate while it is closed, and what it plans is
// published as calls, each with its invitation.
func TestCallForwardPlan(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	a.post("POST /api/operation", policyBody())
	now := time.Now().UTC()
	closed := airbridge.Window{Start: now.Add(2 * time.Hour), End: now.Add(5 * time.Hour)}
	for _, s := range []obj{{"id": "gate1", "kind": "gate"}, {"id": "gate2", "kind": "gate"}, {"id": "hold1", "kind": "holding"}} {
		a.post("POST /api/sites", js(s))
	}
	a.post("POST /api/sites/{id}", `{"lanes":2,"per_lane_hour":20}`, "gate1")
	a.post("POST /api/sites/{id}", js(obj{"lanes": 2, "per_lane_hour": 20, "closures": []airbridge.Window{closed}}), "gate2")
	a.post("POST /api/flights", js(obj{"id": "F1", "callsign": "RCH1", "operator": "USA", "aircraft": "C-17",
		"slot": now.Add(8 * time.Hour).Format(time.RFC3339), "destination": "Ramstein"}))
	for i := range 30 {
		id := "g" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		a.post("POST /api/groups", js(obj{"id": id, "nation": []string{"USA", "DEU"}[i%2], "persons": []obj{
			person(id+"-1", "", "local_staff"), person(id+"-2", "", "at_risk"), person(id+"-3", "", "at_risk")}}))
	}
	var plan server.PlanView
	decode(t, a.as("planner").request("POST", "/api/callforward/plan", "", `{"hours":12}`), &plan)
	if len(plan.Calls) == 0 || plan.Gates != 2 || plan.Candidates != 30 || plan.SlotMinutes != 30 {
		t.Fatalf("plan: %d calls, %+v", len(plan.Calls), plan)
	}
	var calls []obj
	for _, c := range plan.Calls {
		if c.Gate == "gate2" && c.Start.Before(closed.End) && closed.Start.Before(c.End) {
			t.Errorf("call %+v at gate2 while it is closed", c)
		}
		calls = append(calls, obj{"group_id": c.Group, "gate": c.Gate, "window_start": c.Start, "window_end": c.End})
	}
	for gate, queue := range plan.Queue {
		for i, q := range queue {
			if q > plan.QueueTarget {
				t.Errorf("gate %s, slot %d: queue %d over the target %d", gate, i, q, plan.QueueTarget)
			}
		}
	}
	// A coordinator plans its own nation's groups only.
	var own server.PlanView
	decode(t, a.as("coordinator.usa").request("POST", "/api/callforward/plan", "", `{}`), &own)
	if own.Candidates != 15 {
		t.Errorf("a USA coordinator's plan has %d candidates, want its 15 groups", own.Candidates)
	}
	wantError(t, a.as("planner").request("POST", "/api/callforward/plan", "", `{"hours":500}`), 422, airbridge.EINVALID)

	var res airbridge.CallResult
	decode(t, a.cmd("POST /api/callforward/publish", js(obj{"calls": calls})), &res)
	if res.Groups != len(calls) || res.Persons != 3*len(calls) {
		t.Errorf("published %+v", res)
	}
	var v server.InvitationView
	a.as("coordinator.usa").get("/api/groups/"+plan.Calls[0].Group+"/invitation?format=json", &v)
	if v.Gate != plan.Calls[0].Gate || !v.WindowStart.Equal(plan.Calls[0].Start) {
		t.Errorf("invitation %+v for call %+v", v, plan.Calls[0])
	}
	// Planned again, the called groups are kept, not called twice.
	decode(t, a.as("planner").request("POST", "/api/callforward/plan", "", `{"hours":12}`), &plan)
	for _, c := range plan.Calls {
		for _, old := range calls {
			if old["group_id"] == c.Group {
				t.Errorf("group %s called again", c.Group)
			}
		}
	}
}
