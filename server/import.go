package server

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"airbridge"
	"airbridge/importer"
)

// importPersons registers an embassy's list, sent as the body: CSV
// (text/csv) or XLSX. ?nation=XXX says whose people they are, ?map=COLUMN=FIELD
// (repeatable) maps other headers, ?month_first=true reads 02/13/1984 as
// 13 February, ?dry_run=true checks and reports without
// registering, ?rejects=csv answers the rejected rows as CSV instead of the
// report. Every row ends accepted, imported before, or rejected with its
// reason; the accepted are registered in batches, each all or none, under
// keys derived from their rows, so a retried import adds nothing.
func (s *Server) importPersons(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	nation := q.Get("nation")
	if nation == "" {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "nation: give ?nation=XXX, whose people the list names").With("parameter", "nation"))
		return
	}
	if !s.allowNation(w, r, nation) {
		return
	}
	mapping, err := importer.ParseMapping(q["map"])
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "map: %v", err).With("parameter", "map"))
		return
	}
	body, err := readBody(w, r, batch)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var tbl *importer.Table
	if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "spreadsheetml") || bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		tbl, err = importer.ReadXLSX(bytes.NewReader(body), mapping)
	} else {
		tbl, err = importer.ReadCSV(bytes.NewReader(body), mapping)
	}
	if err != nil {
		s.error(w, r, airbridge.Errorf(airbridge.EINVALID, "the list: %v", err))
		return
	}
	tbl.MonthFirst = q.Get("month_first") == "true"
	var known importer.Known
	var policy airbridge.Policy
	err = s.ledger.View(ctx, func(st *airbridge.State) error {
		if st.Policy == nil {
			return airbridge.Errorf(airbridge.ECONFLICT, "the operation is not configured yet")
		}
		if !st.Policy.HasNation(nation) {
			return airbridge.Errorf(airbridge.EINVALID, "nation: %q is not a nation of this operation", nation).With("parameter", "nation")
		}
		known, policy = importer.KnownFrom(st, nation), *st.Policy
		return nil
	})
	if err != nil {
		s.error(w, r, err)
		return
	}
	plan := importer.Build(tbl, nation, policy, known, time.Now().UTC())
	if q.Get("dry_run") != "true" && len(plan.Groups) > 0 {
		if err := importer.Submit(ctx, s.ledger, plan, callerOf(r).User, nil); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if q.Get("rejects") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		importer.WriteRejects(w, tbl, plan.Report)
		return
	}
	writeJSON(w, http.StatusOK, plan.Report)
}
