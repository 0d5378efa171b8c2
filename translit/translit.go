// Package translit writes names in the Latin letters that travel documents,
// EDIFACT messages and boarding passes carry, as ICAO Doc 9303 spells them:
// diacritics dropped, letters without one spelled out.
package translit

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// marks holds the transformers that drop diacritics. A transformer keeps
// state between calls, so each call takes one of its own: Marks is called
// from many goroutines at once (the server's handlers, an import's rows).
var marks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Marks drops the diacritics of s: É is E, ü is u. Letters without a
// decomposition (Ø, ß) stay as they are. It is safe for concurrent use.
func Marks(s string) string {
	if ascii(s) {
		return s
	}
	t := marks.Get().(transform.Transformer)
	s, _, _ = transform.String(t, s)
	marks.Put(t)
	return s
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var letters = strings.NewReplacer("Ø", "OE", "ø", "OE", "Ł", "L", "ł", "L", "ß", "SS", "Æ", "AE", "æ", "AE", "Œ", "OE", "œ", "OE",
	"Đ", "D", "đ", "D", "Þ", "TH", "þ", "TH", "Ð", "D", "ð", "D", "Ħ", "H", "ħ", "H", "Ŧ", "T", "ŧ", "T", "ı", "I")

// Latin spells the Latin letters that have no diacritic to drop (Ø, Ł, ß,
// Æ, Œ, Đ, Þ …) as ICAO 9303 does, then drops the diacritics. Letters of
// other scripts stay as they are.
func Latin(s string) string { return Marks(letters.Replace(s)) }

var umlauts = strings.NewReplacer("Ä", "AE", "ä", "AE", "Ö", "OE", "ö", "OE", "Ü", "UE", "ü", "UE", "Å", "AA", "å", "AA")

// Umlauts spells Ä, Ö, Ü and Å as AE, OE, UE and AA: the German and Nordic
// spelling that ICAO 9303 allows besides dropping the marks.
func Umlauts(s string) string { return umlauts.Replace(s) }
