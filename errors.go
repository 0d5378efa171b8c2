package airbridge

import (
	"errors"
	"fmt"
)

// Error codes. They are stable: clients match on them, and the HTTP layer maps
// each to one status in one place.
const (
	EMALFORMED = "malformed" // the request cannot be read (syntax, unknown field)
	EINVALID   = "invalid"   // a field has a value the rules do not accept
	ENOTFOUND  = "not_found" // the addressed entity does not exist
	ECONFLICT  = "conflict"  // the request is well formed but the current state forbids it
	ETOOLARGE  = "too_large" // the request exceeds a size limit
	EINTERNAL  = "internal"  // a fault of airbridge or its storage

	EUNAUTHENTICATED = "unauthenticated" // no valid token or session came with the request
	EFORBIDDEN       = "forbidden"       // the caller's role or nation may not do this
	ERATELIMITED     = "rate_limited"    // the caller sent more requests than its limit
)

// Error is the one error type of airbridge. Details carries machine-readable
// context such as the offending field or the current state of an entity.
type Error struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns e with one more detail set.
func (e *Error) With(key string, value any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[key] = value
	return e
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic message for any other error, so that internal detail never leaks to
// clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

func invalid(field, format string, args ...any) *Error {
	return Errorf(EINVALID, "%s: %s", field, fmt.Sprintf(format, args...)).With("field", field)
}
