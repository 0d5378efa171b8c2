package airbridge

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"
)

// This file holds the rules of calling people forward to the gates: the
// gates' figures the planner works with, calls made in bulk, calls
// cancelled, and groups admitted at a gate on their invitation.

// UpdateSite replaces the figures of a site: a gate's lanes, rate and
// closures, a holding area's or a hub's capacity, its name. Its id and kind
// stay.
type UpdateSite struct {
	SiteID string `json:"-"`
	Site
}

func (c UpdateSite) decide(s *State, env Envelope) ([]Event, error) {
	site := c.Site
	switch {
	case site.ID == "":
		site.ID = c.SiteID
	case c.SiteID != "" && site.ID != c.SiteID:
		return nil, invalid("id", "the request is for site %s, not %s", c.SiteID, site.ID)
	}
	old, ok := s.Sites[site.ID]
	if !ok {
		return nil, Errorf(ENOTFOUND, "site %q does not exist", site.ID).With("id", site.ID)
	}
	if site.Kind == "" {
		site.Kind = old.Kind
	}
	if site.Kind != old.Kind {
		return nil, invalid("kind", "site %s is a %s; its kind does not change", site.ID, old.Kind)
	}
	if err := site.validate(); err != nil {
		return nil, err
	}
	return []Event{env.event(siteStream+site.ID, SiteUpdated, EventData{Site: &site})}, nil
}

func (c UpdateSite) outcome(s *State, events []Event) any {
	return s.Sites[events[0].Data.Site.ID]
}

// MaxCalls bounds the calls one CallGroups makes.
const MaxCalls = 10_000

// CallGroups calls many groups forward at once, all or none: what a
// manifest of call-forward slots publishes.
type CallGroups struct {
	Calls []GroupCall `json:"calls"`
}

// GroupCall is one call of CallGroups: a group, a gate, a window.
type GroupCall struct {
	GroupID     string    `json:"group_id"`
	Gate        string    `json:"gate"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
}

func (c CallGroups) decide(s *State, env Envelope) ([]Event, error) {
	if len(c.Calls) == 0 {
		return nil, invalid("calls", "name at least one call")
	}
	if len(c.Calls) > MaxCalls {
		return nil, invalid("calls", "names %d calls; at most %d", len(c.Calls), MaxCalls)
	}
	seen := map[string]bool{}
	var events []Event
	for i, call := range c.Calls {
		if seen[call.GroupID] {
			return nil, invalid(fmt.Sprintf("calls[%d].group_id", i), "group %q is called twice", call.GroupID)
		}
		seen[call.GroupID] = true
		evs, err := CallGroup(call).decide(s, env)
		if err != nil {
			return nil, prefixField(err, fmt.Sprintf("calls[%d]", i))
		}
		events = append(events, evs...)
	}
	return events, nil
}

func (c CallGroups) outcome(s *State, events []Event) any {
	return CallResult{Groups: len(c.Calls), Persons: len(events)}
}

// CallResult is the outcome of CallGroups.
type CallResult struct {
	Groups  int `json:"groups"`
	Persons int `json:"persons"`
}

// CancelCall withdraws a group's call forward: its members are registered
// again, and the invitation they were given is revoked. Only members not
// yet at the gate can be.
type CancelCall struct {
	GroupID string `json:"-"`
	Reason  string `json:"reason,omitempty"`
}

func (c CancelCall) decide(s *State, env Envelope) ([]Event, error) {
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(c.Reason)
	if err := validName("reason", reason); err != nil {
		return nil, err
	}
	var events []Event
	for _, id := range g.Members {
		p := s.Persons[id]
		if p.Stage != Called {
			return nil, stageConflict(p, Called)
		}
		events = append(events, env.event(personStream+id, PersonCallCancelled, EventData{Reason: reason}))
	}
	if len(events) == 0 {
		return nil, Errorf(ECONFLICT, "group %s has no members", g.ID).With("group_id", g.ID)
	}
	return events, nil
}

func (c CancelCall) outcome(s *State, _ []Event) any { return s.View(c.GroupID) }

// AdmitGroup records the arrival at a gate of a called group on its
// invitation, whose signature, gate and window the gate has checked: every
// member is at the gate, called forward.
type AdmitGroup struct {
	GroupID string `json:"group_id"`
	Gate    string `json:"gate"`
}

func (c AdmitGroup) decide(s *State, env Envelope) ([]Event, error) {
	g, err := s.group(c.GroupID)
	if err != nil {
		return nil, err
	}
	site, ok := s.Sites[c.Gate]
	if !ok || site.Kind != Gate {
		return nil, Errorf(ENOTFOUND, "gate %q does not exist", c.Gate).With("field", "gate")
	}
	var events []Event
	for _, id := range g.Members {
		p := s.Persons[id]
		if p.Stage != Called {
			return nil, stageConflict(p, Called)
		}
		events = append(events, env.event(personStream+id, PersonAtGate, EventData{SiteID: c.Gate, WasCalled: true}))
	}
	if len(events) == 0 {
		return nil, Errorf(ECONFLICT, "group %s has no members", g.ID).With("group_id", g.ID)
	}
	return events, nil
}

func (c AdmitGroup) outcome(s *State, _ []Event) any { return s.View(c.GroupID) }

// prefixField names the field of a refusal as a field of the element at
// prefix: "gate" of the third call becomes "calls[2].gate".
func prefixField(err error, prefix string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Details = maps.Clone(e.Details)
	if f, ok := e.Details["field"].(string); ok {
		out.Details["field"] = joinField(prefix, f)
		out.Message = strings.Replace(e.Message, f+":", joinField(prefix, f)+":", 1)
	} else {
		out.Message = prefix + ": " + e.Message
	}
	return &out
}
