package server

import (
	"encoding/json"
	"errors"
	"net/http"

	"airbridge"
)

// statusOf maps each error code to its HTTP status, in one place.
var statusOf = map[string]int{
	airbridge.EMALFORMED: http.StatusBadRequest,
	airbridge.EINVALID:   http.StatusUnprocessableEntity,
	airbridge.ENOTFOUND:  http.StatusNotFound,
	airbridge.ECONFLICT:  http.StatusConflict,
	airbridge.ETOOLARGE:  http.StatusRequestEntityTooLarge,
	airbridge.EINTERNAL:  http.StatusInternalServerError,

	airbridge.EUNAUTHENTICATED: http.StatusUnauthorized,
	airbridge.EFORBIDDEN:       http.StatusForbidden,
	airbridge.ERATELIMITED:     http.StatusTooManyRequests,
}

// error writes err as a JSON error. Errors that are not *airbridge.Error are
// logged and answered with a generic internal error.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	var e *airbridge.Error
	if !errors.As(err, &e) || e.Code == airbridge.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &airbridge.Error{Code: airbridge.EINTERNAL, Message: "internal error"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if isPage(r) {
		s.pageError(w, r, e, status)
		return
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":"internal","message":"internal error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}
