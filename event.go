package airbridge

import (
	"strings"
	"time"
)

// Event is one immutable fact in the ledger. A command appends one or more
// events, all carrying the command's envelope.
type Event struct {
	Seq    int64     `json:"seq"` // position in the ledger, assigned by the store
	Stream string    `json:"stream"`
	Type   string    `json:"type"`
	Data   EventData `json:"data"`
	Actor  string    `json:"actor,omitempty"`
	Site   string    `json:"site,omitempty"`
	Key    string    `json:"idempotency_key,omitempty"`
	Time   time.Time `json:"time"`
}

// EventData is the payload of an event; each type sets the fields it needs.
type EventData struct {
	Policy      *Policy   `json:"policy,omitempty"`
	Site        *Site     `json:"site,omitempty"`
	Group       *Group    `json:"group,omitempty"`
	Person      *Person   `json:"person,omitempty"`
	Flight      *Flight   `json:"flight,omitempty"`
	FlightID    string    `json:"flight_id,omitempty"`
	FromGroup   string    `json:"from_group,omitempty"`
	ToGroup     string    `json:"to_group,omitempty"`
	SiteID      string    `json:"site_id,omitempty"`
	Decision    string    `json:"decision,omitempty"`
	Reason      string    `json:"reason,omitempty"` // free text: personal data
	Medical     *bool     `json:"medical,omitempty"`
	WindowStart time.Time `json:"window_start,omitzero"`
	WindowEnd   time.Time `json:"window_end,omitzero"`
	WasCalled   bool      `json:"was_called,omitempty"`
	Carried     int       `json:"carried,omitempty"`
	NoShows     int       `json:"no_shows,omitempty"`
	Seat        string    `json:"seat,omitempty"`
	// Groups are the groups a manifest was published with, or those a
	// boarding close backfilled from standby; Standby a flight's standby list.
	Groups  []string   `json:"groups,omitempty"`
	Standby []string   `json:"standby,omitempty"`
	Alert   *LoadAlert `json:"alert,omitempty"`
	// Override says that a flight departed below the load guard's threshold
	// on a manifest officer's decision; Reason then holds why.
	Override bool `json:"override,omitempty"`
	// Withdrawal is an adopted withdrawal plan, Movement a movement
	// recorded against one.
	Withdrawal *WithdrawalPlan `json:"withdrawal,omitempty"`
	Movement   *Movement       `json:"movement,omitempty"`
	// Sealed is Reason as a store keeps it, under the data key of the
	// nation of the person the event is about.
	Sealed *Sealed `json:"sealed,omitempty"`
}

// Event types.
const (
	OperationConfigured = "operation_configured"
	SiteAdded           = "site_added"
	SiteUpdated         = "site_updated"
	GroupRegistered     = "group_registered"
	PersonRegistered    = "person_registered"
	PersonRegrouped     = "person_regrouped"
	PersonCalled        = "person_called"
	PersonCallCancelled = "person_call_cancelled"
	PersonAtGate        = "person_at_gate"
	PersonScreened      = "person_screened"
	PersonStaged        = "person_staged"
	PersonManifested    = "person_manifested"
	PersonOffloaded     = "person_offloaded"
	PersonBoarded       = "person_boarded"
	PersonNoShow        = "person_no_show"
	PersonDeparted      = "person_departed"
	PersonArrived       = "person_arrived"
	FlightScheduled     = "flight_scheduled"
	FlightBoarding      = "flight_boarding"
	FlightClosed        = "flight_closed"
	FlightDeparted      = "flight_departed"
	FlightArrived       = "flight_arrived"
	FlightCancelled     = "flight_cancelled"
	ManifestPublished   = "manifest_published"
	StandbySet          = "standby_set"
	LoadAlertRaised     = "load_alert_raised"
	LoadAlertCleared    = "load_alert_cleared"
)

// Stream names.
const (
	operationStream = "operation"
	personStream    = "person/"
	groupStream     = "group/"
	flightStream    = "flight/"
	siteStream      = "site/"
)

// PersonStream returns the stream of the person with the given id.
func PersonStream(id string) string { return personStream + id }

// Ref names one entity of the read model.
type Ref struct {
	Kind string // "operation", "person", "group", "flight", "site"
	ID   string
}

// Touches returns the entities whose read rows e changes.
func (e Event) Touches() []Ref {
	kind, id, _ := strings.Cut(e.Stream, "/")
	refs := []Ref{{Kind: kind, ID: id}}
	if kind == "person" && e.Data.FlightID != "" {
		refs = append(refs, Ref{Kind: "flight", ID: e.Data.FlightID})
	}
	if e.Type == PersonRegistered && e.Data.Person != nil {
		refs = append(refs, Ref{Kind: "group", ID: e.Data.Person.GroupID})
	}
	if e.Type == PersonRegrouped {
		refs = append(refs, Ref{Kind: "group", ID: e.Data.FromGroup}, Ref{Kind: "group", ID: e.Data.ToGroup})
	}
	return refs
}

// Envelope is what every command carries besides its own fields.
type Envelope struct {
	Actor string
	Site  string
	Key   string    // the idempotency key
	Time  time.Time // when the command was accepted; the domain never reads a clock
}

func (env Envelope) event(stream, typ string, data EventData) Event {
	return Event{Stream: stream, Type: typ, Data: data, Actor: env.Actor, Site: env.Site, Key: env.Key, Time: env.Time}
}
