// Package server is airbridge's HTTP adapter: the JSON API, health and
// metrics. Every route is listed in routes.go.
package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"

	"airbridge"
)

// Ledger is what the server needs of a store.
type Ledger interface {
	Execute(ctx context.Context, sub airbridge.Submission) (airbridge.Receipt, error)
	Policy(ctx context.Context) (*airbridge.Policy, error)
	Sites(ctx context.Context) ([]airbridge.Site, error)
	Person(ctx context.Context, id string) (*airbridge.Person, error)
	PersonByDocument(ctx context.Context, number string) (*airbridge.Person, error)
	History(ctx context.Context, personID string) ([]airbridge.Event, error)
	Group(ctx context.Context, id string) (*airbridge.GroupView, error)
	Flight(ctx context.Context, id string) (*airbridge.FlightView, error)
	Flights(ctx context.Context) ([]airbridge.Flight, error)
	Pipeline(ctx context.Context) (*airbridge.Pipeline, error)
	StagedQueue(ctx context.Context, limit int) ([]airbridge.StagedGroup, error)
	Events(ctx context.Context, after int64, limit int) ([]airbridge.Event, error)
	EventsAppended() int64
}

// Server serves the API over a Ledger.
type Server struct {
	ledger  Ledger
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
	version string
}

// New returns a server over ledger that logs to log.
func New(ledger Ledger, log *slog.Logger, version string) *Server {
	s := &Server{ledger: ledger, log: log, metrics: newMetrics(), mux: http.NewServeMux(), version: version}
	s.routes()
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.observe(s.mux).ServeHTTP(w, r) }

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newID returns prefix followed by 12 random characters (60 bits).
func newID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + idEncoding.EncodeToString(b[:])[:12]
}
