package server

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"airbridge"
	"airbridge/callforward"
	"airbridge/invite"
)

// InvitationSource is what signing a group's invitation needs of a store.
type InvitationSource interface {
	Group(ctx context.Context, id string) (*airbridge.GroupView, error)
	Policy(ctx context.Context) (*airbridge.Policy, error)
	DocumentIndex(nation, number string) (string, error)
	SigningKey() ed25519.PrivateKey
}

// GroupInvitation returns the invitation of the group's current call,
// signed: the operation, the group, each member by id and the first 8 bytes
// of the blind index of their first document, the gate and the window;
// issued when the group was called. The same call always gives the same
// text. Returns ECONFLICT unless every member is called to the same gate and
// window.
func GroupInvitation(ctx context.Context, src InvitationSource, groupID string) (invite.Invitation, string, error) {
	v, err := src.Group(ctx, groupID)
	if err != nil {
		return invite.Invitation{}, "", err
	}
	policy, err := src.Policy(ctx)
	if err != nil {
		return invite.Invitation{}, "", err
	}
	inv := invite.Invitation{Operation: policy.Name, Group: v.Group.ID}
	var call *airbridge.Call
	for _, p := range v.Persons {
		if p.Stage != airbridge.Called || p.Call == nil {
			return invite.Invitation{}, "", airbridge.Errorf(airbridge.ECONFLICT, "group %s has no invitation: person %s is %s, not called forward", v.Group.ID, p.ID, p.Stage).
				With("group_id", v.Group.ID).With("person_id", p.ID).With("stage", p.Stage)
		}
		if call == nil {
			call = p.Call
			inv.Issued = p.StageSince.Truncate(time.Minute)
		} else if *p.Call != *call {
			return invite.Invitation{}, "", airbridge.Errorf(airbridge.ECONFLICT, "group %s has no one invitation: its members were called to different gates or windows", v.Group.ID).
				With("group_id", v.Group.ID)
		}
		person := invite.Person{ID: p.ID}
		if len(p.Documents) > 0 {
			index, err := src.DocumentIndex(p.Nation, p.Documents[0].Number)
			if err != nil {
				return invite.Invitation{}, "", err
			}
			b, err := hexPrefix(index, 8)
			if err != nil {
				return invite.Invitation{}, "", err
			}
			person.Doc = b
		}
		inv.Persons = append(inv.Persons, person)
	}
	if call == nil {
		return invite.Invitation{}, "", airbridge.Errorf(airbridge.ECONFLICT, "group %s has no members", v.Group.ID).With("group_id", v.Group.ID)
	}
	inv.Gate, inv.Start, inv.End = call.Gate, call.Start.Truncate(time.Minute), call.End.Truncate(time.Minute)
	text, err := invite.Sign(inv, src.SigningKey())
	if err != nil {
		return invite.Invitation{}, "", fmt.Errorf("sign the invitation of group %s: %w", groupID, err)
	}
	return inv, text, nil
}

func hexPrefix(h string, n int) ([]byte, error) {
	if len(h) < 2*n {
		return nil, fmt.Errorf("a blind index of %d hex digits, want at least %d", len(h), 2*n)
	}
	return hex.DecodeString(h[:2*n])
}

// InvitationView is an invitation as the API answers it in JSON.
type InvitationView struct {
	ID          string    `json:"id"`
	GroupID     string    `json:"group_id"`
	Gate        string    `json:"gate"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	Persons     int       `json:"persons"`
	Invitation  string    `json:"invitation"` // the signed text form, for SMS or messaging apps
}

// getInvitation answers the signed invitation of a called group: JSON with
// the text form, or ?format=png (a QR code) or ?format=pdf (a printable
// page).
func (s *Server) getInvitation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	nation, err := s.ledger.NationOf(ctx, "group", id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, nation) {
		return
	}
	inv, text, err := GroupInvitation(ctx, s.ledger, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		writeJSON(w, http.StatusOK, InvitationView{ID: invite.ID(text), GroupID: inv.Group, Gate: inv.Gate,
			WindowStart: inv.Start, WindowEnd: inv.End, Persons: len(inv.Persons), Invitation: text})
	case "png", "pdf":
		var b []byte
		if format == "png" {
			b, err = invite.PNG(text, 6)
		} else {
			b, err = invite.PDF(text, inv)
		}
		if err != nil {
			s.error(w, r, fmt.Errorf("render the invitation of group %s: %w", id, err))
			return
		}
		w.Header().Set("Content-Type", map[string]string{"png": "image/png", "pdf": "application/pdf"}[format])
		w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="invitation-%s.%s"`, inv.Group, format))
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	default:
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "format: %q must be json, png or pdf", format).With("parameter", "format"))
	}
}

// getInvitationKey answers the public key that verifies the operation's
// invitations, for gate devices that check them offline.
func (s *Server) getInvitationKey(w http.ResponseWriter, r *http.Request) {
	pub := s.ledger.SigningKey().Public().(ed25519.PublicKey)
	writeJSON(w, http.StatusOK, map[string]string{"algorithm": "Ed25519", "public_key": base64.StdEncoding.EncodeToString(pub)})
}

// Gate verdicts on an invitation: those a gate reaches offline, and those
// only the ledger knows.
const (
	Admit     = invite.Admit
	WrongGate = invite.WrongGate
	Early     = invite.Early
	Late      = invite.Late
	Forged    = invite.Forged
	Used      = "used"
	Revoked   = "revoked"
)

// VerifyRequest is what a gate sends: the invitation as scanned or typed,
// and the gate it was shown at.
type VerifyRequest struct {
	Invitation string `json:"invitation"`
	Gate       string `json:"gate"`
}

// Verdict is a gate's answer on an invitation. Result is one of admit,
// wrong_gate, early, late, used, revoked, forged; Reason says it in words.
type Verdict struct {
	Result       string    `json:"result"`
	Reason       string    `json:"reason"`
	InvitationID string    `json:"invitation_id,omitempty"`
	GroupID      string    `json:"group_id,omitempty"`
	Persons      int       `json:"persons,omitempty"`
	Gate         string    `json:"gate,omitempty"` // the gate the invitation is for
	WindowStart  time.Time `json:"window_start,omitzero"`
	WindowEnd    time.Time `json:"window_end,omitzero"`
	UsedBy       string    `json:"used_by,omitempty"` // who admitted it, for used
	UsedAt       time.Time `json:"used_at,omitzero"`
	UsedGate     string    `json:"used_gate,omitempty"`
}

// verifyAtGate checks an invitation shown at a gate and, if it admits the
// group, records its arrival. Any invitation, forged or not, is answered
// 200 with the verdict; only an unreadable request is an error.
func (s *Server) verifyAtGate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := readBody(w, r, small)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req VerifyRequest
	if err := decodeStrict(body, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if strings.TrimSpace(req.Gate) == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "gate: is required").With("field", "gate"))
		return
	}
	if req.Invitation == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "invitation: is required").With("field", "invitation"))
		return
	}
	v, err := s.verdict(ctx, req, callerOf(r).User)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) verdict(ctx context.Context, req VerifyRequest, actor string) (Verdict, error) {
	text := strings.TrimSpace(req.Invitation)
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return Verdict{}, err
	}
	cf := policy.Calls()
	inv, offline, reason := invite.Check(text, s.ledger.SigningKey().Public().(ed25519.PublicKey), req.Gate, time.Now().UTC(),
		time.Duration(cf.EarlyMinutes)*time.Minute, time.Duration(cf.LateMinutes)*time.Minute)
	if offline == Forged {
		return Verdict{Result: Forged, Reason: reason}, nil
	}
	v := Verdict{InvitationID: invite.ID(text), GroupID: inv.Group, Persons: len(inv.Persons), Gate: inv.Gate,
		WindowStart: inv.Start, WindowEnd: inv.End}
	if inv.Operation != policy.Name {
		v.Result, v.Reason = Forged, fmt.Sprintf("signed for operation %q, not this one", inv.Operation)
		return v, nil
	}
	group, err := s.ledger.Group(ctx, inv.Group)
	if airbridge.ErrorCode(err) == airbridge.ENOTFOUND {
		v.Result, v.Reason = Revoked, "the group no longer exists"
		return v, nil
	}
	if err != nil {
		return Verdict{}, err
	}
	// The invitation stands while it is the group's current call, as its
	// members were told it.
	want := airbridge.Call{Gate: inv.Gate, Start: inv.Start, End: inv.End}
	called, arrived := 0, 0
	for _, p := range group.Persons {
		if p.Call == nil || p.Call.Gate != want.Gate || !p.Call.Start.Truncate(time.Minute).Equal(want.Start) || !p.Call.End.Truncate(time.Minute).Equal(want.End) {
			continue
		}
		switch p.Stage {
		case airbridge.Called:
			called++
		case airbridge.Registered:
		default:
			arrived++
		}
	}
	switch {
	case arrived > 0 && called == 0:
		v.Result, v.Reason = Used, "the group was already admitted"
		if err := s.usedBy(ctx, group.Persons[0].ID, &v); err != nil {
			return Verdict{}, err
		}
		return v, nil
	case called == 0 || called+arrived != len(group.Persons):
		v.Result, v.Reason = Revoked, "the group's call was cancelled or changed"
		return v, nil
	case offline != Admit:
		v.Result, v.Reason = offline, reason
		return v, nil
	}
	// Two gates scanning the same invitation at once submit the same key:
	// one admits, the other is a replay.
	receipt, err := s.ledger.Execute(ctx, airbridge.Submission{
		Command:     &airbridge.AdmitGroup{GroupID: inv.Group, Gate: req.Gate},
		Envelope:    airbridge.Envelope{Key: "invitation-" + v.InvitationID, Actor: actor, Site: req.Gate},
		Fingerprint: "invitation " + v.InvitationID,
	})
	switch {
	case receipt.Replayed && err == nil:
		v.Result, v.Reason = Used, "the group was already admitted"
		if err := s.usedBy(ctx, group.Persons[0].ID, &v); err != nil {
			return Verdict{}, err
		}
		return v, nil
	case err != nil:
		return Verdict{}, err
	}
	v.Result, v.Reason = Admit, reason
	return v, nil
}

// usedBy fills in who admitted the group of person id, when and where.
func (s *Server) usedBy(ctx context.Context, personID string, v *Verdict) error {
	events, err := s.ledger.History(ctx, personID)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.Type == airbridge.PersonAtGate {
			v.UsedBy, v.UsedAt, v.UsedGate = e.Actor, e.Time, e.Data.SiteID
		}
	}
	return nil
}

// PlanRequest asks for a call-forward plan.
type PlanRequest struct {
	// Hours to plan ahead: 1..168, default 24.
	Hours int `json:"hours,omitempty"`
	// Nation plans only that nation's groups; a coordinator bound to a
	// nation plans its own, whatever it says.
	Nation string `json:"nation,omitempty"`
}

// PlanView is a call-forward plan as the API answers it: the calls to
// publish (POST /api/callforward/publish) and the model they lead to.
type PlanView struct {
	*callforward.Plan
	Start       time.Time `json:"start"`
	SlotMinutes int       `json:"slot_minutes"`
	QueueTarget int       `json:"queue_target"`
	Gates       int       `json:"gates"`
	Candidates  int       `json:"candidates"`
}

// planCalls answers the call-forward planner's plan: registered groups
// (of the caller's nation, for a coordinator bound to one) called to the
// gates with lanes, in the policy's slots, against the open flights' free
// seats. Nothing is written.
func (s *Server) planCalls(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := readBody(w, r, small)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req PlanRequest
	if err := decodeStrict(body, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Hours == 0 {
		req.Hours = 24
	}
	if req.Hours < 1 || req.Hours > 168 {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "hours: %d is outside 1..168", req.Hours).With("field", "hours"))
		return
	}
	nation := req.Nation
	if s.ownScope(r) {
		if nation == "" {
			nation = callerOf(r).Nation
		}
		if !s.allowNation(w, r, nation) {
			return
		}
	}
	var in *callforward.Instance
	err = s.ledger.View(ctx, func(st *airbridge.State) error {
		if st.Policy == nil {
			return airbridge.Errorf(airbridge.ECONFLICT, "the operation is not configured yet")
		}
		if nation != "" && !st.Policy.HasNation(nation) {
			return airbridge.Errorf(airbridge.EINVALID, "nation: %q is not a nation of this operation", nation).With("field", "nation")
		}
		in = callInstance(st, time.Now().UTC(), time.Duration(req.Hours)*time.Hour, nation)
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	plan, err := callforward.Solve(in)
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.ECONFLICT, "the gates' figures cannot be planned with: %v", err))
		return
	}
	if err := callforward.Check(in, plan); err != nil {
		s.error(w, r, fmt.Errorf("the call-forward planner broke its own rules: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, PlanView{Plan: plan, Start: in.Start, SlotMinutes: int(in.Slot / time.Minute),
		QueueTarget: in.QueueTarget, Gates: len(in.Gates), Candidates: len(in.Groups)})
}

// callInstance builds the planner's instance from st at now: the gates with
// lanes and a rate, their closures; the holding areas' capacity if every one
// has one; the open flights' free seats, less the persons already through
// a gate and not yet on a manifest, who will take the first of them; the
// groups whose members are all registered (of nation, if not empty); and
// the calls whose windows have not ended.
func callInstance(st *airbridge.State, now time.Time, horizon time.Duration, nation string) *callforward.Instance {
	cf := st.Policy.Calls()
	slot := time.Duration(cf.SlotMinutes) * time.Minute
	in := &callforward.Instance{Start: now.Truncate(slot), Slot: slot, Horizon: horizon.Truncate(slot),
		QueueTarget: cf.QueueTarget, Lead: time.Duration(cf.LeadMinutes) * time.Minute}
	holdings, limited := 0, 0
	for _, id := range slices.Sorted(maps.Keys(st.Sites)) {
		site := st.Sites[id]
		switch {
		case site.Kind == airbridge.Gate && site.Lanes > 0 && site.PerLaneHour > 0:
			g := callforward.Gate{ID: site.ID, Lanes: site.Lanes, PerLaneHour: site.PerLaneHour}
			for _, c := range site.Closures {
				g.Closures = append(g.Closures, callforward.Window{Start: c.Start, End: c.End})
			}
			in.Gates = append(in.Gates, g)
		case site.Kind == airbridge.Holding:
			holdings++
			if site.Capacity > 0 {
				limited++
				in.Holding += site.Capacity
			}
		}
	}
	if limited < holdings {
		in.Holding = 0 // a holding area without a capacity: no limit
	}
	ahead := 0 // through a gate, not yet on a manifest
	for _, p := range st.Persons {
		switch p.Stage {
		case airbridge.AtGate, airbridge.Screened, airbridge.Staged:
			if p.Screening != airbridge.Denied {
				ahead++
			}
		}
	}
	flights := slices.SortedFunc(maps.Values(st.Flights), func(a, b *airbridge.Flight) int {
		return cmp.Or(a.Slot.Compare(b.Slot), cmp.Compare(a.ID, b.ID))
	})
	end := in.Start.Add(in.Horizon)
	for _, f := range flights {
		if !f.Status.Open() || f.Slot.Before(in.Start) || !f.Slot.Before(end) {
			continue
		}
		seats := f.Seats - f.Manifested
		taken := min(seats, ahead)
		ahead -= taken
		if seats -= taken; seats > 0 {
			in.Departures = append(in.Departures, callforward.Departure{Time: f.Slot, Seats: seats})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.Groups)) {
		g := st.Groups[id]
		if len(g.Members) == 0 {
			continue
		}
		first := st.Persons[g.Members[0]]
		switch first.Stage {
		case airbridge.Registered:
			if nation != "" && g.Nation != nation {
				continue
			}
			rank, whole := 100, true
			for _, m := range g.Members {
				p := st.Persons[m]
				whole = whole && p.Stage == airbridge.Registered
				if c, ok := st.Policy.Category(p.Category); ok {
					rank = min(rank, c.Rank)
				}
			}
			if whole {
				in.Groups = append(in.Groups, callforward.Group{ID: g.ID, Size: len(g.Members), Weight: st.Policy.Weight(rank), Registered: g.RegisteredAt})
			}
		case airbridge.Called:
			if c := first.Call; c != nil && c.End.After(in.Start) {
				in.Called = append(in.Called, callforward.Call{Group: g.ID, Size: len(g.Members), Gate: c.Gate, Start: c.Start, End: c.End})
			}
		}
	}
	return in
}
