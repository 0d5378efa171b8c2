// Package printout renders documents meant for paper as PDF files: a
// flight's passenger manifest, the fallback when systems fail, and boarding
// passes with their PDF417 barcode.
//
// The files are written by package pdfdoc: the standard fonts Helvetica and
// Helvetica-Bold in WinAnsiEncoding, text and vector rectangles only.
// Characters outside Latin-1, but for "…", are shown as '?', and text too
// long for its place is cut to fit and ends with "…".
package printout

import (
	"errors"
	"time"
)

// ErrInvalid is wrapped by the errors for documents that cannot be printed.
var ErrInvalid = errors.New("printout: invalid document")

// Page sizes in points.
const (
	a4Short, a4Long = 595.28, 841.89 // A4, 210 by 297 mm
	a5Short         = 419.53         // A5 is 148 by 210 mm: a5Short by a4Short
)

// utc formats t as a UTC minute, or "not set" for the zero time.
func utc(t time.Time) string {
	if t.IsZero() {
		return "not set"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
