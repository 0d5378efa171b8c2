// Package csvsafe writes CSV that a spreadsheet opens as text. A cell that
// begins with =, +, -, @, a tab or a carriage return is taken by Excel,
// LibreOffice and Google Sheets for a formula, which can run commands or
// send the sheet's contents away (CSV injection). Names and list rows come
// from outside, so such a cell is written with a leading apostrophe, which
// the spreadsheets show as the text itself (OWASP's advice).
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell returns s as it is safe to write in a CSV cell.
func Cell(s string) string {
	if s != "" && isTrigger(s[0]) {
		return "'" + s
	}
	return s
}

func isTrigger(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	*csv.Writer
	buf []string
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, its cells made safe.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.Writer.Write(w.buf)
}

// WriteAll writes the records, their cells made safe, and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
