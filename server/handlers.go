package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"airbridge"
	"airbridge/papers"
)

// Body limits: one entity, and a batch of up to airbridge.MaxBatch persons.
const (
	small int64 = 1 << 20
	batch int64 = 32 << 20
)

// IdempotencyHeader carries a command's idempotency key.
const IdempotencyHeader = "Idempotency-Key"

// maxHeaderLen bounds the headers copied into the ledger.
const maxHeaderLen = 200

func validHeader(v string) bool {
	if len(v) > maxHeaderLen || !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// command returns a handler that decodes the request body into the command
// that newCmd returns (already holding the path's values), submits it, and
// answers its outcome with status.
// Every command needs an idempotency key; a replay answers what the first
// request was answered and changes nothing.
func (s *Server) command(limit int64, status int, newCmd func(*http.Request) airbridge.Command) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := s.idempotencyKey(w, r)
		if !ok {
			return
		}
		body, err := readBody(w, r, limit)
		if err != nil {
			s.error(w, r, err)
			return
		}
		cmd := newCmd(r)
		if err := decodeStrict(body, cmd); err != nil {
			err = nameTimeField(err, body)
			s.error(w, r, err)
			return
		}
		if err := readMRZ(cmd, time.Now().UTC()); err != nil {
			s.error(w, r, err)
			return
		}
		s.execute(w, r, status, key, body, cmd)
	}
}

// idempotencyKey returns the command's idempotency key, or answers that it
// is missing or unreadable.
func (s *Server) idempotencyKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.Header.Get(IdempotencyHeader)
	if key == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EMALFORMED, "the %s header is required on every command", IdempotencyHeader).
			With("header", IdempotencyHeader))
		return "", false
	}
	if !validHeader(key) {
		s.error(w, r, airbridge.Errorf(airbridge.EMALFORMED, "the %s header must be printable UTF-8 of at most %d bytes", IdempotencyHeader, maxHeaderLen).
			With("header", IdempotencyHeader))
		return "", false
	}
	return key, true
}

// execute submits cmd, read from body, to the ledger once the caller's
// nation may act on it, and answers with its outcome.
func (s *Server) execute(w http.ResponseWriter, r *http.Request, status int, key string, body []byte, cmd airbridge.Command) {
	if s.ownScope(r) {
		nations, err := s.commandNations(r.Context(), cmd)
		if err != nil {
			s.error(w, r, err)
			return
		}
		if !s.allowNation(w, r, nations...) {
			return
		}
	}
	airbridge.AssignIDs(cmd, newID)
	// The fingerprint is of the request as sent, before ids are
	// assigned: a retry must match it.
	sub := airbridge.Submission{
		Command:     cmd,
		Envelope:    airbridge.Envelope{Key: key, Actor: callerOf(r).User},
		Fingerprint: fingerprint(r, body),
	}
	if scan, ok := cmd.(*airbridge.Scan); ok {
		sub.Envelope.Site = scan.Site
	}
	receipt, err := s.ledger.Execute(r.Context(), sub)
	if receipt.Replayed { // a replayed refusal is refused alike
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("X-Ledger-Seq", strconv.FormatInt(receipt.LastSeq, 10))
	writeRaw(w, status, receipt.Outcome)
}

// readBody reads a request's body of at most limit bytes: ETOOLARGE past
// it, EMALFORMED if the body cannot be read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, airbridge.Errorf(airbridge.ETOOLARGE, "the request body exceeds %d bytes", limit).With("limit", limit)
		}
		return nil, airbridge.Errorf(airbridge.EMALFORMED, "reading the request body: %v", err)
	}
	return body, nil
}

// decodeStrict decodes one JSON value into v: unknown fields and trailing
// data are refused. An empty body is an empty object.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return airbridge.Errorf(airbridge.EMALFORMED, "the request body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return airbridge.Errorf(airbridge.EMALFORMED, "malformed JSON at byte %d: %v", syntax.Offset, syntax).With("offset", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return airbridge.Errorf(airbridge.EMALFORMED, "the JSON body ends too early")
	case errors.As(err, &typ):
		field := jsonPath(typ.Field)
		if field == "" {
			return airbridge.Errorf(airbridge.EMALFORMED, "the body must be a JSON object, not %s", typ.Value)
		}
		return airbridge.Errorf(airbridge.EINVALID, "%s: must be %s, not %s", field, jsonType(typ.Type.Kind().String()), typ.Value).With("field", field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return airbridge.Errorf(airbridge.EMALFORMED, "unknown field %q", field).With("field", field)
	}
	return airbridge.Errorf(airbridge.EINVALID, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonPath turns encoding/json's field path, which names embedded Go structs
// ("PersonInput.surname"), into the client's field names ("surname"). Every
// JSON name of the API is lower case. encoding/json does not report array
// indexes, so "persons.needs.litter" cannot say which person.
func jsonPath(field string) string {
	var parts []string
	for _, p := range strings.Split(field, ".") {
		if p != "" && !unicode.IsUpper([]rune(p)[0]) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// timeFields are the top-level fields of commands that hold a time.
var timeFields = []string{"slot", "window_start", "window_end"}

// nameTimeField gives a time that does not parse its field and a plain
// message: encoding/json reports such errors without the field (Go issue
// 22816) and in Go's own layout notation.
func nameTimeField(err error, body []byte) error {
	var e *airbridge.Error
	if !errors.As(err, &e) || e.Code != airbridge.EINVALID || e.Details["field"] != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return err
	}
	for _, name := range timeFields {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		var t time.Time
		if json.Unmarshal(raw, &t) != nil {
			return airbridge.Errorf(airbridge.EINVALID, "%s: %s is not a time in RFC 3339 form, such as \"2021-08-24T10:00:00Z\"", name, raw).With("field", name)
		}
	}
	return err
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int64", "int32", "uint", "uint64":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	}
	return "a " + kind
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.error(w, r, airbridge.Errorf(airbridge.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path))
}

func (s *Server) getOperation(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r)(s.ledger.Policy(r.Context()))
}

func (s *Server) getSites(w http.ResponseWriter, r *http.Request) {
	sites, err := s.ledger.Sites(r.Context())
	s.reply(w, r)(orEmpty(sites), err)
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) {
	s.replyPerson(w, r)(s.ledger.Person(r.Context(), r.PathValue("id")))
}

// replyPerson answers a person, if the caller may read that nation's people,
// with the personal data the caller may see.
func (s *Server) replyPerson(w http.ResponseWriter, r *http.Request) func(*airbridge.Person, error) {
	return func(p *airbridge.Person, err error) {
		if err != nil {
			s.error(w, r, err)
			return
		}
		if !s.allowNation(w, r, p.Nation) {
			return
		}
		s.scopePerson(r.Context(), callerOf(r), p)
		if err := s.auditShown(r, "person/"+p.ID, *p); err != nil {
			s.error(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	}
}

func (s *Server) findPerson(w http.ResponseWriter, r *http.Request) {
	doc := r.URL.Query().Get("document")
	if doc == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EMALFORMED, "give ?document=NUMBER to find a person").With("parameter", "document"))
		return
	}
	s.replyPerson(w, r)(s.ledger.PersonByDocument(r.Context(), doc))
}

func (s *Server) getHistory(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.ledger.Person(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, p.Nation) {
		return
	}
	events, err := s.ledger.History(ctx, p.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	c := callerOf(r)
	scoped := *p
	s.scopePerson(ctx, c, &scoped)
	if err := s.auditShown(r, "person/"+p.ID, scoped); err != nil {
		s.error(w, r, err)
		return
	}
	if scoped.Redacted != "" {
		for i := range events {
			d := &events[i].Data
			if d.Person != nil {
				d.Person.Redact(scoped.Redacted)
			}
			if d.Reason != "" {
				d.Reason = "(" + scoped.Redacted + ")"
			}
		}
	}
	writeJSON(w, http.StatusOK, events)
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v, err := s.ledger.Group(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, v.Group.Nation) {
		return
	}
	c := callerOf(r)
	for i := range v.Persons {
		s.scopePerson(ctx, c, &v.Persons[i])
	}
	if v.Group.Name != "" && !visible(c, &airbridge.Person{Nation: v.Group.Nation}, "") {
		v.Group.Name, v.Group.Redacted = "", withheld(c, v.Group.Nation)
	}
	if err := s.auditShown(r, "group/"+v.Group.ID, v.Persons...); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) getFlights(w http.ResponseWriter, r *http.Request) {
	flights, err := s.ledger.Flights(r.Context())
	s.reply(w, r)(orEmpty(flights), err)
}

func (s *Server) getFlight(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.scopedFlight(w, r); ok {
		writeJSON(w, http.StatusOK, v)
	}
}

// scopedFlight reads the flight {id} with its manifest as the caller may
// see it, its reading audited, or answers the error.
func (s *Server) scopedFlight(w http.ResponseWriter, r *http.Request) (*airbridge.FlightView, bool) {
	v, err := s.ledger.Flight(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	c := callerOf(r)
	for i := range v.Manifest {
		if p := &v.Manifest[i]; p.Redacted == "" && !visible(c, p, v.Flight.Operator) {
			p.Redact(withheld(c, p.Nation))
		}
	}
	if err := s.auditShown(r, "flight/"+v.Flight.ID, v.Manifest...); err != nil {
		s.error(w, r, err)
		return nil, false
	}
	return v, true
}

// getManifest answers a flight's manifest as a document: ?format=paxlst,
// csv, xlsx or pdf, with the personal data the caller may see (PAXLST
// refuses a manifest with a name withheld).
func (s *Server) getManifest(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	format := r.URL.Query().Get("format")
	if !slices.Contains(papers.Formats, format) {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "format: %q must be paxlst, csv, xlsx or pdf", format).With("parameter", "format"))
		return
	}
	v, err := s.ledger.Flight(ctx, r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.allowNation(w, r, v.Flight.Operator) {
		return
	}
	c := callerOf(r)
	for i := range v.Manifest {
		if p := &v.Manifest[i]; p.Redacted == "" && !visible(c, p, v.Flight.Operator) {
			p.Redact(withheld(c, p.Nation))
		}
	}
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := papers.Manifest(&buf, format, policy, v, time.Now().UTC()); err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.ECONFLICT, "the %s manifest of flight %s: %v", format, v.Flight.ID, err).With("flight_id", v.Flight.ID))
		return
	}
	if err := s.auditShown(r, "flight/"+v.Flight.ID, v.Manifest...); err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", papers.ContentType[format])
	ext := map[string]string{"paxlst": "edi", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}[format]
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="manifest-%s.%s"`, v.Flight.ID, ext))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

func (s *Server) getPipeline(w http.ResponseWriter, r *http.Request) {
	s.reply(w, r)(s.ledger.Pipeline(r.Context()))
}

func (s *Server) getStaged(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r, "limit", 100, 1, 10_000)
	if err != nil {
		s.error(w, r, err)
		return
	}
	queue, err := s.ledger.StagedQueue(r.Context(), int(limit))
	s.reply(w, r)(orEmpty(queue), err)
}

// page reads the parameters of a paged list: ?after=SEQ&limit=N.
func page(r *http.Request) (after int64, limit int, err error) {
	if after, err = intParam(r, "after", 0, 0, 1<<62); err != nil {
		return 0, 0, err
	}
	n, err := intParam(r, "limit", 1000, 1, 10_000)
	return after, int(n), err
}

func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) {
	after, limit, err := page(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	events, err := s.ledger.Events(r.Context(), after, limit)
	if err != nil {
		s.error(w, r, err)
		return
	}
	publicEvents(events)
	writeJSON(w, http.StatusOK, events)
}

func intParam(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, airbridge.Errorf(airbridge.EINVALID, "%s: %q must be a whole number in %d..%d", name, v, lo, hi).With("parameter", name)
	}
	return n, nil
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// reply returns a function that writes a query's result or its error.
func (s *Server) reply(w http.ResponseWriter, r *http.Request) func(any, error) {
	return func(v any, err error) {
		if err != nil {
			s.error(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
