package server

import (
	"net/http"

	"airbridge"
	"airbridge/auth"
)

// Who may call a route: each role that may, and whether only for subjects of
// its own nation. A role not listed is refused with 403.
type rule map[auth.Role]scope

type scope int

const (
	// anyNation: the role may act on any nation's subjects.
	anyNation scope = iota + 1
	// ownNation: only on subjects of the caller's nation (persons and groups
	// by their nation, flights by their operator, users by theirs, tokens by
	// their user's); a caller bound to the coalition acts for every nation.
	ownNation
	// self: only on the caller's own credentials, whatever its nation. The
	// handler lets the caller act on its own before it asks allowNation,
	// which refuses the rest.
	self
)

// open marks the routes that need no credentials.
var open rule = nil

// everyone may read coalition aggregates: counts, flights and loads.
var everyone = rule{auth.GateAgent: anyNation, auth.Screener: anyNation, auth.Coordinator: anyNation,
	auth.ManifestOfficer: anyNation, auth.Planner: anyNation, auth.Commander: anyNation, auth.Auditor: anyNation}

// individuals may read one person's or group's record; personal data in it is
// shown only as visible() allows. A national coordinator reads its own
// nation's people only.
var individuals = rule{auth.GateAgent: anyNation, auth.Screener: anyNation, auth.Coordinator: ownNation,
	auth.ManifestOfficer: anyNation, auth.Planner: anyNation, auth.Commander: anyNation, auth.Auditor: anyNation}

var (
	registrars = rule{auth.Coordinator: ownNation, auth.GateAgent: ownNation}
	flightOps  = rule{auth.ManifestOfficer: ownNation, auth.Planner: anyNation}
	// Gates and holding areas serve every nation's people; a ramp boards
	// only onto a flight of the caller's nation (scanNations).
	scanners = rule{auth.GateAgent: ownNation, auth.Screener: ownNation, auth.ManifestOfficer: ownNation}

	// The withdrawal: planners and commanders adopt plans and record the
	// movements of their nation (a plan concerns every nation in it).
	withdrawers       = rule{auth.Planner: ownNation, auth.Commander: ownNation}
	withdrawalReaders = rule{auth.Planner: anyNation, auth.Commander: anyNation, auth.Auditor: anyNation, auth.Coordinator: anyNation}

	admins  = rule{auth.Commander: ownNation}
	viewers = rule{auth.Commander: anyNation, auth.Auditor: anyNation}
	// Every caller may revoke its own API tokens, a commander also those of
	// its nation's users.
	revokers = rule{auth.GateAgent: self, auth.Screener: self, auth.Coordinator: self,
		auth.ManifestOfficer: self, auth.Planner: self, auth.Commander: ownNation, auth.Auditor: self}
)

// routes lists every route the server answers and who may call it: the one
// table of authorization (route × role).
func (s *Server) routes() {
	s.handle("GET /healthz", open, s.healthz)
	s.handle("POST /api/login", open, s.login)
	s.handle("POST /api/logout", everyone, s.logout)
	s.handle("GET /api/whoami", everyone, s.whoami)
	s.handle("GET /metrics", everyone, s.serveMetrics)

	s.handle("GET /api/operation", everyone, s.getOperation)
	s.handle("POST /api/operation", rule{auth.Commander: anyNation},
		s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.ConfigureOperation{} }))

	s.handle("GET /api/sites", everyone, s.getSites)
	s.handle("POST /api/sites", rule{auth.Commander: anyNation, auth.Planner: anyNation},
		s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.AddSite{} }))

	s.handle("POST /api/persons", registrars,
		s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterPerson{} }))
	s.handle("POST /api/persons/batch", registrars,
		s.command(batch, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterPersons{} }))
	s.handle("POST /api/persons/import", registrars, s.importPersons)
	s.handle("GET /api/persons", individuals, s.findPerson)
	s.handle("GET /api/persons/{id}", individuals, s.getPerson)
	s.handle("GET /api/persons/{id}/history", individuals, s.getHistory)
	s.handle("POST /api/persons/{id}/screening", rule{auth.Screener: ownNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.Screen{PersonID: r.PathValue("id")} }))

	s.handle("POST /api/groups", registrars,
		s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterGroup{} }))
	s.handle("POST /api/groups/batch", registrars,
		s.command(batch, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterGroups{} }))
	s.handle("GET /api/groups/{id}", individuals, s.getGroup)
	s.handle("POST /api/groups/{id}/split", rule{auth.Coordinator: ownNation, auth.GateAgent: ownNation, auth.Screener: ownNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.SplitGroup{GroupID: r.PathValue("id")} }))
	s.handle("POST /api/groups/{id}/call", rule{auth.Coordinator: ownNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.CallGroup{GroupID: r.PathValue("id")} }))

	s.handle("POST /api/scans", scanners,
		s.command(small, http.StatusOK, func(*http.Request) airbridge.Command { return &airbridge.Scan{} }))

	s.handle("GET /api/flights", everyone, s.getFlights)
	s.handle("POST /api/flights", flightOps,
		s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.ScheduleFlight{} }))
	s.handle("GET /api/flights/{id}", everyone, s.getFlight)
	s.handle("GET /api/flights/{id}/manifest", rule{auth.ManifestOfficer: ownNation, auth.Commander: anyNation}, s.getManifest)
	for _, action := range []string{airbridge.ActionBoarding, airbridge.ActionClose, airbridge.ActionDepart, airbridge.ActionArrive, airbridge.ActionCancel} {
		s.handle("POST /api/flights/{id}/"+action, flightOps,
			s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
				return &airbridge.FlightAction{FlightID: r.PathValue("id"), Action: action}
			}))
	}
	s.handle("POST /api/flights/{id}/manifest", flightOps,
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.ManifestGroup{FlightID: r.PathValue("id")} }))
	s.handle("DELETE /api/flights/{id}/manifest/{group}", flightOps,
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
			return &airbridge.OffloadGroup{FlightID: r.PathValue("id"), GroupID: r.PathValue("group")}
		}))
	s.handle("POST /api/flights/{id}/board", rule{auth.ManifestOfficer: ownNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.BoardGroup{FlightID: r.PathValue("id")} }))

	s.handle("POST /api/flights/{id}/standby", flightOps,
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.SetStandby{FlightID: r.PathValue("id")} }))
	s.handle("POST /api/manifests/propose", flightOps, s.propose)
	s.handle("POST /api/manifests/publish", flightOps,
		s.command(batch, http.StatusOK, func(*http.Request) airbridge.Command { return &airbridge.PublishManifest{} }))
	s.handle("GET /api/persons/{id}/boarding-pass", rule{auth.ManifestOfficer: anyNation, auth.GateAgent: anyNation, auth.Coordinator: ownNation},
		s.getBoardingPass)
	s.handle("GET /api/alerts", everyone, s.getAlerts)
	s.handle("GET /api/events/stream", everyone, s.eventStream)

	// Calling forward, and invitations checked at the gates (callforward.go).
	s.handle("DELETE /api/groups/{id}/call", rule{auth.Coordinator: ownNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command { return &airbridge.CancelCall{GroupID: r.PathValue("id")} }))
	s.handle("POST /api/callforward/plan", rule{auth.Planner: anyNation, auth.Coordinator: ownNation}, s.planCalls)
	s.handle("POST /api/callforward/publish", rule{auth.Planner: anyNation, auth.Coordinator: ownNation},
		s.command(batch, http.StatusOK, func(*http.Request) airbridge.Command { return &airbridge.CallGroups{} }))
	s.handle("GET /api/groups/{id}/invitation", rule{auth.Coordinator: ownNation, auth.Commander: anyNation}, s.getInvitation)
	s.handle("GET /api/invitations/key", everyone, s.getInvitationKey)
	s.handle("POST /api/gate/verify", rule{auth.GateAgent: anyNation}, s.verifyAtGate)
	s.handle("POST /api/sites/{id}", rule{auth.Commander: anyNation, auth.Planner: anyNation},
		s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
			return &airbridge.UpdateSite{SiteID: r.PathValue("id")}
		}))

	s.handle("GET /api/pipeline", everyone, s.getPipeline)
	s.handle("GET /api/staged", everyone, s.getStaged)
	s.handle("GET /api/events", rule{auth.Auditor: anyNation, auth.Commander: anyNation}, s.getEvents)
	s.handle("GET /api/audit", rule{auth.Auditor: anyNation}, s.getAudit)
	s.handle("POST /api/keys/destroy", rule{auth.Commander: ownNation}, s.destroyKey)

	// The troops' withdrawal, tracked against its plan (withdrawal.go).
	s.handle("GET /api/withdrawals", withdrawalReaders, s.getWithdrawals)
	s.handle("POST /api/withdrawals", withdrawers, s.adoptWithdrawal)
	s.handle("GET /api/withdrawals/{id}", withdrawalReaders, s.getWithdrawal)
	s.handle("POST /api/withdrawals/{id}/movements", withdrawers,
		s.command(small, http.StatusCreated, func(r *http.Request) airbridge.Command {
			return &airbridge.RecordMovement{WithdrawalID: r.PathValue("id")}
		}))

	// Users and API tokens (admin.go). These are not ledger commands: they
	// take no Idempotency-Key and are not idempotent. Adding a user that
	// exists, disabling one that is disabled, revoking a revoked token or
	// issuing a token to a disabled user answers 409.
	s.handle("GET /api/users", viewers, s.getUsers)
	s.handle("POST /api/users", admins, s.addUser)
	s.handle("POST /api/users/{name}/disable", admins, s.disableUser)
	s.handle("GET /api/tokens", viewers, s.getTokens)
	s.handle("POST /api/tokens", admins, s.issueToken)
	s.handle("DELETE /api/tokens/{id}", revokers, s.revokeToken)

	s.uiRoutes()
	s.mux.HandleFunc("/", s.notFound)
}

// handle registers a route with who may call it.
func (s *Server) handle(pattern string, who rule, h http.HandlerFunc) {
	s.rules[pattern] = who
	s.mux.HandleFunc(pattern, h)
}
