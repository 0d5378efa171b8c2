package server

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"airbridge"
	"airbridge/mrz"
	"airbridge/translit"
)

// readMRZ reads the machine-readable zones a command carries: a scan's into
// the document it names, a registration's into the person's fields. An MRZ
// that is malformed or fails a check digit is refused, naming the check;
// fields the request also gives must agree with it.
func readMRZ(cmd airbridge.Command, now time.Time) error {
	switch c := cmd.(type) {
	case *airbridge.Scan:
		if c.MRZ == "" {
			return nil
		}
		if c.Document != "" || c.PersonID != "" {
			return airbridge.Errorf(airbridge.EINVALID, "mrz: give mrz, document or person_id, not two").With("field", "mrz")
		}
		d, err := parseMRZ("mrz", c.MRZ)
		if err != nil {
			return err
		}
		c.Document, c.MRZ = d.Number, ""
	case *airbridge.RegisterPerson:
		return personMRZ("mrz", &c.PersonInput, now)
	case *airbridge.RegisterPersons:
		for i := range c.Persons {
			if err := personMRZ(fmt.Sprintf("persons[%d].mrz", i), &c.Persons[i].PersonInput, now); err != nil {
				return err
			}
		}
	case *airbridge.RegisterGroup:
		return groupMRZ("persons", &c.GroupInput, now)
	case *airbridge.RegisterGroups:
		for i := range c.Groups {
			if err := groupMRZ(fmt.Sprintf("groups[%d].persons", i), &c.Groups[i], now); err != nil {
				return err
			}
		}
	}
	return nil
}

func groupMRZ(at string, g *airbridge.GroupInput, now time.Time) error {
	for i := range g.Persons {
		if err := personMRZ(fmt.Sprintf("%s[%d].mrz", at, i), &g.Persons[i], now); err != nil {
			return err
		}
	}
	return nil
}

func parseMRZ(field, text string) (mrz.Document, error) {
	d, err := mrz.Parse(strings.ReplaceAll(text, `\n`, "\n"))
	if err != nil {
		return d, airbridge.Errorf(airbridge.EINVALID, "%s: %v", field, err).With("field", field)
	}
	if !d.Valid() {
		var failed []string
		for name, ok := range d.Checks {
			if !ok {
				failed = append(failed, name)
			}
		}
		slices.Sort(failed)
		return d, airbridge.Errorf(airbridge.EINVALID, "%s: the check digit of %s does not match: misread, or not a genuine document", field, strings.Join(failed, ", ")).
			With("field", field).With("checks", failed)
	}
	return d, nil
}

// personMRZ fills in's fields from its MRZ. Messages name fields, never
// their values: refusals are kept in clear.
func personMRZ(field string, in *airbridge.PersonInput, now time.Time) error {
	if in.MRZ == "" {
		return nil
	}
	d, err := parseMRZ(field, in.MRZ)
	if err != nil {
		return err
	}
	in.MRZ = ""
	set := func(name string, dst *string, v string) error {
		switch {
		case v == "":
		case *dst == "":
			*dst = v
		case !sameAsMRZ(name, *dst, v):
			return airbridge.Errorf(airbridge.EINVALID, "%s: the %s given differs from the document's", field, name).With("field", field)
		}
		return nil
	}
	birth := mrzDate(d.BirthDate, now, true)
	d.Nationality, d.IssuingState = alpha3(d.Nationality), alpha3(d.IssuingState)
	sex := map[string]string{"M": "M", "F": "F"}[d.Sex] // "<", unspecified, says nothing against what is given
	for _, f := range []struct {
		name string
		dst  *string
		v    string
	}{{"surname", &in.Surname, d.Surname}, {"given_names", &in.GivenNames, d.GivenNames}, {"birth_date", &in.BirthDate, birth},
		{"sex", &in.Sex, sex}, {"nationality", &in.Nationality, d.Nationality}} {
		if err := set(f.name, f.dst, f.v); err != nil {
			return err
		}
	}
	doc := airbridge.Document{Type: "passport", Number: d.Number, IssuingState: d.IssuingState, Expiry: mrzDate(d.Expiry, now, false)}
	switch {
	case d.Type == mrz.MRVA || d.Type == mrz.MRVB:
		doc.Type = "visa"
	case d.Type == mrz.TD1 || d.Type == mrz.TD2 && !strings.HasPrefix(d.Code, "P"):
		doc.Type = "id_card"
	}
	if len(doc.IssuingState) != 3 {
		doc.IssuingState = ""
	}
	for _, have := range in.Documents {
		if airbridge.NormalizeDocumentNumber(have.Number) == doc.Number {
			return nil
		}
	}
	in.Documents = append([]airbridge.Document{doc}, in.Documents...)
	return nil
}

// mrzSpellings are the two ways an MRZ may write a name: capitals without
// diacritics, Ä, Ö, Ü and Å spelled AE, OE, UE and AA or their marks
// dropped, and anything but a letter a space.
func mrzSpellings(s string) [2]string {
	up := strings.ToUpper(strings.TrimSpace(s))
	clean := func(t string) string {
		return strings.Join(strings.FieldsFunc(translit.Latin(t), func(r rune) bool { return r < 'A' || r > 'Z' }), " ")
	}
	return [2]string{clean(translit.Umlauts(up)), clean(up)}
}

// sameAsMRZ reports whether the value given for field agrees with the
// MRZ's v: names as the MRZ spells them, dates as dates.
func sameAsMRZ(field, given, v string) bool {
	switch field {
	case "surname", "given_names":
		sp := mrzSpellings(given)
		return sp[0] == v || sp[1] == v
	case "birth_date":
		g, err := time.Parse("2006-1-2", strings.TrimSpace(given))
		return err == nil && g.Format(time.DateOnly) == v
	}
	return strings.EqualFold(strings.TrimSpace(given), v)
}

// alpha3 turns the MRZ's one-letter code for Germany, D, into the ISO
// alpha-3 DEU the rest of airbridge uses; other codes are alpha-3 already.
func alpha3(code string) string {
	if code == "D" {
		return "DEU"
	}
	return code
}

// mrzDate turns an MRZ's YYMMDD into YYYY-MM-DD: a birth date in the
// hundred years up to now (a day after today is a century earlier), an
// expiry date within fifty years of now.
func mrzDate(yymmdd string, now time.Time, past bool) string {
	t, err := time.Parse("060102", yymmdd)
	if err != nil {
		return "" // an unknown day or month, printed as <<
	}
	d := time.Date(now.Year()/100*100+t.Year()%100, t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case past && d.After(now):
		d = d.AddDate(-100, 0, 0)
	case !past && d.After(now.AddDate(50, 0, 0)):
		d = d.AddDate(-100, 0, 0)
	case !past && d.Before(now.AddDate(-50, 0, 0)):
		d = d.AddDate(100, 0, 0)
	}
	return d.Format(time.DateOnly)
}
