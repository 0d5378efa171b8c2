package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"airbridge"
	"airbridge/auth"
	"airbridge/manifest"
	"airbridge/papers"
)

// AlertView is an open load-guard alert with its flight.
type AlertView struct {
	airbridge.LoadAlert
	Callsign    string                 `json:"callsign"`
	Operator    string                 `json:"operator"`
	Destination string                 `json:"destination"`
	Slot        time.Time              `json:"slot"`
	Status      airbridge.FlightStatus `json:"status"`
}

// getAlerts answers the open load-guard alerts, the next departure first.
func (s *Server) getAlerts(w http.ResponseWriter, r *http.Request) {
	flights, err := s.ledger.Flights(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	alerts := []AlertView{}
	for _, f := range flights {
		if f.Alert != nil {
			alerts = append(alerts, AlertView{LoadAlert: *f.Alert, Callsign: f.Callsign, Operator: f.Operator,
				Destination: f.Destination, Slot: f.Slot, Status: f.Status})
		}
	}
	slices.SortFunc(alerts, func(a, b AlertView) int {
		return cmp.Or(a.Slot.Compare(b.Slot), cmp.Compare(a.FlightID, b.FlightID))
	})
	writeJSON(w, http.StatusOK, alerts)
}

// BoardingPass is what a person shows at the ramp.
type BoardingPass struct {
	PersonID    string    `json:"person_id"`
	GroupID     string    `json:"group_id"`
	Surname     string    `json:"surname,omitempty"`
	GivenNames  string    `json:"given_names,omitempty"`
	Redacted    string    `json:"redacted,omitempty"`
	FlightID    string    `json:"flight_id"`
	Callsign    string    `json:"callsign"`
	Operator    string    `json:"operator"`
	Destination string    `json:"destination"`
	Slot        time.Time `json:"slot"`
	Seat        string    `json:"seat"`
	Stage       string    `json:"stage"`
}

// getBoardingPass answers the boarding pass of a manifested or boarded
// person: JSON, or with ?format=text|png|qr|pdf the IATA BCBP string, its
// PDF417 barcode, a QR code or a printable pass (403 when the caller may not
// see the name it carries). Returns 409 for a person on no manifest.
func (s *Server) getBoardingPass(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.ledger.Person(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, p.Nation) {
		return
	}
	if p.Stage != airbridge.Manifested && p.Stage != airbridge.Boarded {
		s.error(w, r, airbridge.Errorf(airbridge.ECONFLICT, "person %s is %s: a boarding pass is for a person on a manifest", p.ID, p.Stage).
			With("person_id", p.ID).With("stage", p.Stage))
		return
	}
	v, err := s.ledger.Flight(ctx, p.FlightID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.scopePerson(ctx, callerOf(r), p)
	if err := s.auditShown(r, "person/"+p.ID, *p); err != nil {
		s.error(w, r, err)
		return
	}
	f := v.Flight
	if format := r.URL.Query().Get("format"); format != "" && format != "json" {
		if p.Redacted != "" {
			s.error(w, r, airbridge.Errorf(airbridge.EFORBIDDEN, "%s: a printed boarding pass carries the name", p.Redacted))
			return
		}
		policy, err := s.ledger.Policy(ctx)
		if err != nil {
			s.error(w, r, err)
			return
		}
		b, err := papers.Pass(format, policy, p, v)
		if err != nil {
			s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "format: %v", err).With("parameter", "format"))
			return
		}
		w.Header().Set("Content-Type", map[string]string{"text": "text/plain; charset=utf-8", "png": "image/png", "qr": "image/png", "pdf": "application/pdf"}[format])
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, BoardingPass{PersonID: p.ID, GroupID: p.GroupID, Surname: p.Surname, GivenNames: p.GivenNames,
		Redacted: p.Redacted, FlightID: f.ID, Callsign: f.Callsign, Operator: f.Operator, Destination: f.Destination,
		Slot: f.Slot, Seat: p.Seat, Stage: string(p.Stage)})
}

// publicEvents strips the personal data from events: the ledger's firehose
// is for audit and command, the structure of what happened.
func publicEvents(events []airbridge.Event) {
	for i := range events {
		d := &events[i].Data
		if d.Person != nil && (d.Person.Redacted == "" && !d.Person.PersonalData.IsZero()) {
			d.Person.Redact("personal data is not part of the event stream; read the person")
		}
		if d.Group != nil {
			d.Group.Name = ""
		}
		d.Reason, d.Sealed = "", nil
	}
}

// Stream pacing: how often the stream looks for new events, how often it
// sends a comment to keep proxies from closing it, how many events it reads
// at a time, and how long one write may take before the client counts as
// gone.
const (
	streamPoll      = 200 * time.Millisecond
	streamHeartbeat = 15 * time.Second
	streamBatch     = 500
	streamWrite     = 30 * time.Second
)

// wholeLedger are the roles that read the ledger's every event (as
// GET /api/events); the others get the flights' events only: their
// lifecycle, manifests, standby lists and load-guard alerts.
// ledgerMoved is the stream's message for events a caller is not sent.
const ledgerMoved = "ledger"

var wholeLedger = map[auth.Role]bool{auth.Auditor: true, auth.Commander: true}

// eventStream serves the ledger as server-sent events, each event's data
// its JSON without personal data and its id its ledger position. It starts
// after the Last-Event-ID header or ?after=SEQ, or else at the end of the
// ledger; ?types=a,b keeps only those event types; ?for=DURATION ends the
// stream after that long (for scripts; by default it runs until the client
// leaves or the server shuts down). Auditors and commanders get every
// event; other roles the events of flights, without actors or keys, and in
// place of the others one "ledger" message with the new position, so that
// a page of counts knows to refresh.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	var after int64
	var err error
	switch id := r.Header.Get("Last-Event-ID"); {
	case id != "":
		if after, err = strconv.ParseInt(id, 10, 64); err != nil || after < 0 {
			s.error(w, r, airbridge.Errorf(airbridge.EMALFORMED, "Last-Event-ID: %q is not a ledger position", id).With("header", "Last-Event-ID"))
			return
		}
	case q.Has("after"):
		if after, err = intParam(r, "after", 0, 0, 1<<62); err != nil {
			s.error(w, r, err)
			return
		}
	default:
		if after, err = s.ledger.LastSeq(ctx); err != nil {
			s.error(w, r, err)
			return
		}
	}
	var types map[string]bool
	if v := q.Get("types"); v != "" {
		types = map[string]bool{}
		for t := range strings.SplitSeq(v, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	if v := q.Get("for"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 24*time.Hour {
			s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "for: %q must be a duration such as 30s, at most 24h", v).With("parameter", "for"))
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	whole := wholeLedger[callerOf(r).Role]
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	// send writes one message; a client that does not take it within
	// streamWrite is gone. The id lets a client that reconnects resume
	// after what it was sent, even when the filters sent it nothing.
	send := func(format string, args ...any) bool {
		rc.SetWriteDeadline(time.Now().Add(streamWrite))
		fmt.Fprintf(w, format, args...)
		return rc.Flush() == nil
	}
	if !send(": airbridge ledger\nid: %d\n\n", after) {
		return
	}
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	lastWrite := time.Now()
	seen := int64(-1)
	for {
		if n := s.ledger.EventsAppended(); n != seen {
			seen = n
			for {
				events, err := s.ledger.Events(ctx, after, streamBatch)
				if err != nil {
					return // the client left, or the store failed: the client reconnects with Last-Event-ID
				}
				publicEvents(events)
				var b strings.Builder
				hidden := false
				for _, e := range events {
					after = e.Seq
					// Whether the ledger moved past events the caller is not
					// sent does not depend on the types it asked for: the
					// filter must not tell which kinds happened.
					if !whole && !strings.HasPrefix(e.Stream, "flight/") {
						hidden = true
						continue
					}
					if types != nil && !types[e.Type] {
						continue
					}
					if !whole {
						e.Actor, e.Key = "", ""
					}
					data, _ := json.Marshal(e)
					fmt.Fprintf(&b, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data)
				}
				if hidden && (types == nil || types[ledgerMoved]) {
					fmt.Fprintf(&b, "id: %d\nevent: %s\ndata: {\"seq\":%d}\n\n", after, ledgerMoved, after)
				}
				if b.Len() > 0 {
					if !send("%s", b.String()) {
						return
					}
					lastWrite = time.Now()
				}
				if len(events) < streamBatch {
					break
				}
			}
		}
		if time.Since(lastWrite) > streamHeartbeat {
			if !send(": heartbeat\nid: %d\n\n", after) {
				return
			}
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stopStreams:
			return
		case <-poll.C:
		}
	}
}

// StopStreams ends every event stream, as a server shutting down must:
// streams do not end by themselves. It is safe to call more than once.
func (s *Server) StopStreams() { s.stopOnce.Do(func() { close(s.stopStreams) }) }

// LoadGuardActor is the actor of the alerts the load guard raises.
const LoadGuardActor = "load-guard"

// guardAfterChange is the least time between two looks of the load guard
// that changes to the ledger prompt. A look holds up the writer for about
// 10 ms with 10,000 people staged, 0.4 s with 300,000 (BenchmarkCheckLoads).
const guardAfterChange = 5 * time.Second

// RunLoadGuard submits airbridge.CheckLoads every interval, and at most
// guardAfterChange after the ledger changes, until ctx ends: so alerts are raised as
// flights come within the policy's lead of their slot, and cleared when
// they are loaded. Failures are logged, not fatal. An interval of zero or
// less runs nothing.
func (s *Server) RunLoadGuard(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	tick := time.NewTicker(min(interval, guardAfterChange))
	defer tick.Stop()
	last, appended := time.Time{}, int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n := s.ledger.EventsAppended()
		if n == appended && time.Since(last) < interval {
			continue
		}
		// What commits while the check runs prompts the next one.
		last, appended = time.Now(), n
		receipt, err := s.ledger.Execute(ctx, airbridge.Submission{Command: airbridge.CheckLoads{}, Envelope: airbridge.Envelope{Actor: LoadGuardActor}})
		switch {
		case err == nil:
			if receipt.LastSeq >= receipt.FirstSeq {
				appended += receipt.LastSeq - receipt.FirstSeq + 1 // its own alerts prompt nothing
			}
		case airbridge.ErrorCode(err) == airbridge.ECONFLICT, ctx.Err() != nil: // not configured yet, or stopping
		default:
			s.log.Warn("load guard", "err", err)
		}
	}
}

// ProposeRequest asks for a manifest proposal.
type ProposeRequest struct {
	// Flights to plan; empty, every open flight the caller may manifest.
	Flights []string `json:"flights,omitempty"`
	// Replan lets groups already on the planned flights' manifests move.
	Replan bool `json:"replan,omitempty"`
}

// ProposalView is a proposal as the API answers it.
type ProposalView struct {
	*manifest.Proposal
	Replan bool `json:"replan"`
	// Candidates counts the groups the optimizer could place.
	Candidates int     `json:"candidates"`
	ElapsedMS  float64 `json:"elapsed_ms"`
}

// propose answers the optimizer's proposal for the requested flights: for
// review, then publication (POST /api/manifests/publish) as it is or
// edited. Nothing is written.
func (s *Server) propose(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req ProposeRequest
	body, err := readBody(w, r, small)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := decodeStrict(body, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if len(req.Flights) > airbridge.MaxPublishFlights {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "flights: names %d flights; at most %d", len(req.Flights), airbridge.MaxPublishFlights).With("field", "flights"))
		return
	}
	if s.ownScope(r) {
		c := callerOf(r)
		if len(req.Flights) == 0 {
			flights, err := s.ledger.Flights(ctx)
			if err != nil {
				s.error(w, r, err)
				return
			}
			for _, f := range flights {
				if f.Operator == c.Nation && f.Status.Open() {
					req.Flights = append(req.Flights, f.ID)
				}
			}
			if len(req.Flights) == 0 {
				writeJSON(w, http.StatusOK, ProposalView{Proposal: &manifest.Proposal{Flights: []manifest.FlightProposal{}}, Replan: req.Replan})
				return
			}
		} else {
			var nations []string
			for _, id := range req.Flights {
				n, err := s.ledger.NationOf(ctx, "flight", id)
				if err != nil {
					s.error(w, r, err)
					return
				}
				nations = append(nations, n)
			}
			if !s.allowNation(w, r, nations...) {
				return
			}
		}
	}
	// Building the instance holds up the ledger's writer (half a second at
	// national size): one proposal at a time.
	select {
	case s.proposing <- struct{}{}:
		defer func() { <-s.proposing }()
	case <-ctx.Done():
		return
	}
	start := time.Now()
	var plan *manifest.Plan
	err = s.ledger.View(ctx, func(st *airbridge.State) error {
		var err error
		plan, err = manifest.FromState(st, manifest.PlanRequest{Flights: req.Flights, Replan: req.Replan, Now: start.UTC()})
		return err
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	sol := manifest.Solve(plan.Instance)
	if err := manifest.Check(plan.Instance, sol); err != nil {
		s.error(w, r, fmt.Errorf("the optimizer proposed an infeasible manifest: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, ProposalView{Proposal: manifest.NewProposal(plan, sol), Replan: req.Replan,
		Candidates: len(plan.Instance.Groups), ElapsedMS: float64(time.Since(start).Microseconds()) / 1000})
}
