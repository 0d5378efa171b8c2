// Package server is airbridge's HTTP adapter: the JSON API, health and
// metrics. Every route is listed in routes.go.
package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"airbridge"
	"airbridge/auth"
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
	Withdrawal(ctx context.Context, id string) (*airbridge.Withdrawal, error)
	Withdrawals(ctx context.Context) ([]airbridge.WithdrawalSummary, error)
	StagedQueue(ctx context.Context, limit int) ([]airbridge.StagedGroup, error)
	AwaitingScreening(ctx context.Context, nation string, limit int) ([]airbridge.Person, int, error)
	Events(ctx context.Context, after int64, limit int) ([]airbridge.Event, error)
	EventsAppended() int64
	LastSeq(ctx context.Context) (int64, error)
	// View runs fn on the state commands are decided against, between
	// commits; fn must not keep or change it.
	View(ctx context.Context, fn func(*airbridge.State) error) error
	// SigningKey signs the operation's invitations; DocumentIndex is the
	// blind index (hex) of a document number under nation's data key.
	SigningKey() ed25519.PrivateKey
	DocumentIndex(nation, number string) (string, error)
	NationOf(ctx context.Context, kind, id string) (string, error)

	// Access control and the audit log.
	TokenUser(ctx context.Context, id, hash string) (auth.User, error)
	SessionUser(ctx context.Context, id, hash string) (auth.User, auth.Session, error)
	User(ctx context.Context, name string) (auth.User, error)
	CreateSession(ctx context.Context, s auth.Session) error
	EndSession(ctx context.Context, id, user string) error
	Audit(ctx context.Context, e auth.AuditEntry) error
	AuditLog(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, error)
	DestroyNationKey(ctx context.Context, nation, by string) error
	Token(ctx context.Context, id string) (auth.Token, error)

	// Administration of users and tokens; each change is audited by the
	// store, with actor as its actor.
	Users(ctx context.Context) ([]auth.User, error)
	AddUser(ctx context.Context, u auth.User, actor string) error
	DisableUser(ctx context.Context, name, actor string) error
	Tokens(ctx context.Context, user string) ([]auth.Token, error)
	IssueToken(ctx context.Context, t auth.Token, actor string) error
	RevokeToken(ctx context.Context, id, actor string) error
}

// Options tune a server.
type Options struct {
	// RatePerSecond and RateBurst limit each API token, and the browser
	// sessions of each user together; zero RatePerSecond means no limit.
	RatePerSecond float64
	RateBurst     int
	// LoadGuardEvery is how often RunLoadGuard, if run, looks at the
	// flights about to depart when nothing changes.
	LoadGuardEvery time.Duration
}

// DefaultOptions are what airbridge serve uses unless told otherwise: a
// gate's scanner sends a request every few seconds, a script a few hundred.
var DefaultOptions = Options{RatePerSecond: 200, RateBurst: 400, LoadGuardEvery: 30 * time.Second}

// Limits on authentication, which hold whatever Options say: refused
// credentials per client address, so that guessing cannot flood the audit
// log; logins per client address and per user name, so that passwords cannot
// be guessed fast; and argon2 computations at once, so that logins cannot
// exhaust memory (19 MiB each).
const (
	failuresPerSecond = 10
	failuresBurst     = 20
	loginsPerSecond   = 1
	loginsBurstByIP   = 20
	loginsBurstByUser = 10
	maxHashing        = 4
)

// Server serves the API over a Ledger.
type Server struct {
	ledger       Ledger
	rules        map[string]rule // who may call each route pattern
	limiter      *auth.Limiter   // API requests by token or user; nil: none
	failures     *auth.Limiter   // refused credentials by client address
	loginsByIP   *auth.Limiter
	loginsByUser *auth.Limiter
	hashing      hashSlots
	log          *slog.Logger
	metrics      *metrics
	mux          *http.ServeMux
	version      string
	proposing    chan struct{} // one manifest proposal at a time
	planning     chan struct{} // one withdrawal plan at a time
	stopStreams  chan struct{} // closed by StopStreams
	stopOnce     sync.Once
	overviews    overviewCache
	queues       queueHistory
}

// New returns a server over ledger that logs to log.
func New(ledger Ledger, log *slog.Logger, version string, opts Options) *Server {
	s := &Server{ledger: ledger, log: log, metrics: newMetrics(), mux: http.NewServeMux(), version: version,
		rules:        map[string]rule{},
		failures:     auth.NewLimiter(failuresPerSecond, failuresBurst),
		loginsByIP:   auth.NewLimiter(loginsPerSecond, loginsBurstByIP),
		loginsByUser: auth.NewLimiter(loginsPerSecond, loginsBurstByUser),
		hashing:      make(hashSlots, maxHashing),
		proposing:    make(chan struct{}, 1),
		planning:     make(chan struct{}, 1),
		stopStreams:  make(chan struct{}),
	}
	if opts.RatePerSecond > 0 {
		s.limiter = auth.NewLimiter(opts.RatePerSecond, max(opts.RateBurst, 1))
	}
	s.routes()
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.observe(http.HandlerFunc(s.guard)).ServeHTTP(w, r)
}

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newID returns prefix followed by 12 random characters (60 bits).
func newID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + idEncoding.EncodeToString(b[:])[:12]
}
