package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"airbridge"
	"airbridge/vault"
)

// Personal data is sealed on its way into the file and opened on its way out:
// the writer's state and every reader's answer hold it in clear, the file
// never does. Records are bound to what they belong to ("person/P123"), so
// that a sealed box moved to another row does not open.

// ensureKey makes sure nation has a live data key, creating and storing one
// (wrapped by the master key) in t's transaction if needed. If the
// transaction fails, reload rebuilds the keyring from the table.
func (db *DB) ensureKey(ctx context.Context, t *txn, nation string) error {
	if _, ok := db.keyring.Current(nation); ok {
		return nil
	}
	version := db.keyring.NextVersion(nation)
	key, err := vault.NewDataKey()
	if err != nil {
		return err
	}
	wrapped, err := db.master.Wrap(nation, version, key)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO data_keys (nation, version, wrapped, created) VALUES (?, ?, ?, ?)`,
		nation, version, wrapped, db.now().UTC().Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("store data key of %s: %w", nation, err)
	}
	return db.keyring.Add(nation, version, key)
}

func (db *DB) seal(nation, aad string, v any) (*airbridge.Sealed, error) {
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	key, box, err := db.keyring.Seal(nation, aad, pt)
	if err != nil {
		return nil, err
	}
	return &airbridge.Sealed{Key: key, Box: box}, nil
}

// sealedPerson returns p as stored: its personal data sealed.
func (db *DB) sealedPerson(p *airbridge.Person) (*airbridge.Person, error) {
	c := *p
	if !c.PersonalData.IsZero() {
		s, err := db.seal(p.Nation, "person/"+p.ID, c.PersonalData)
		if err != nil {
			return nil, fmt.Errorf("seal person %s: %w", p.ID, err)
		}
		c.PersonalData, c.Sealed = airbridge.PersonalData{}, s
	}
	return &c, nil
}

// sealedRow is a person's personal data as last sealed for its read row.
type sealedRow struct {
	data   airbridge.PersonalData
	sealed *airbridge.Sealed
}

func samePersonalData(a, b airbridge.PersonalData) bool {
	return a.Surname == b.Surname && a.GivenNames == b.GivenNames && a.BirthDate == b.BirthDate &&
		a.Sex == b.Sex && a.ScreeningReason == b.ScreeningReason && slices.Equal(a.Documents, b.Documents)
}

// rowPerson returns p as its read row stores it. A person's row is written
// at every step of the pipeline while its personal data rarely changes, so
// the writer keeps the last box it sealed for each person (last, if ok) and
// reuses it while the data is the same. fresh is the box to keep instead,
// if it sealed a new one; remember records it. rowPerson only reads the
// writer's boxes, so that several persons' rows can be made at once.
func (db *DB) rowPerson(p *airbridge.Person, last sealedRow, ok bool) (stored *airbridge.Person, fresh *sealedRow, err error) {
	if p.PersonalData.IsZero() {
		stored, err = db.sealedPerson(p)
		return stored, nil, err
	}
	if ok && samePersonalData(last.data, p.PersonalData) {
		c := *p
		c.PersonalData, c.Sealed = airbridge.PersonalData{}, last.sealed
		return &c, nil, nil
	}
	if stored, err = db.sealedPerson(p); err != nil {
		return nil, nil, err
	}
	return stored, &sealedRow{data: p.PersonalData, sealed: stored.Sealed}, nil
}

// remember keeps the box of p's read row that rowPerson or encodeEvent
// sealed, or forgets the box of a person without personal data.
func (db *DB) remember(p *airbridge.Person, fresh *sealedRow) {
	switch {
	case p.PersonalData.IsZero():
		delete(db.rowSeals, p.ID)
	case fresh != nil:
		db.rowSeals[p.ID] = *fresh
	}
}

// sealedGroup returns g as stored: its name sealed.
func (db *DB) sealedGroup(g *airbridge.Group) (*airbridge.Group, error) {
	c := *g
	if c.Name != "" {
		s, err := db.seal(g.Nation, "group/"+g.ID, c.Name)
		if err != nil {
			return nil, fmt.Errorf("seal group %s: %w", g.ID, err)
		}
		c.Name, c.Sealed = "", s
	}
	return &c, nil
}

// encodeEvent returns the stored form of e's data; nation is that of the
// person or group the event is about. fresh is the box it sealed for the
// person the event carries, for remember. It writes nothing of the writer's,
// so that several events can be encoded at once.
func (db *DB) encodeEvent(e airbridge.Event, nation string) (data []byte, fresh *sealedRow, err error) {
	d := e.Data
	if d.Person != nil {
		plain := d.Person
		if d.Person, err = db.sealedPerson(plain); err != nil {
			return nil, nil, err
		}
		// The person's read row holds the same data under the same binding:
		// it reuses this box.
		if d.Person.Sealed != nil {
			fresh = &sealedRow{data: plain.PersonalData, sealed: d.Person.Sealed}
		}
	}
	if d.Group != nil {
		if d.Group, err = db.sealedGroup(d.Group); err != nil {
			return nil, nil, err
		}
	}
	if d.Reason != "" && nation != "" {
		if d.Sealed, err = db.seal(nation, e.Stream, d.Reason); err != nil {
			return nil, nil, fmt.Errorf("seal reason on %s: %w", e.Stream, err)
		}
		d.Reason = ""
	}
	data, err = json.Marshal(d)
	return data, fresh, err
}

// opener opens sealed records. A nil keyring (a check of the file without
// the master key) leaves them sealed.
type opener struct{ keyring *vault.Keyring }

// redaction says why sealed data cannot be shown.
func redaction(err error) string {
	var destroyed *vault.DestroyedError
	if errors.As(err, &destroyed) {
		return fmt.Sprintf("personal data destroyed: the data key %s was destroyed at %s", destroyed.Key, destroyed.At.UTC().Format(time.RFC3339))
	}
	return "personal data unreadable: " + err.Error()
}

func (o opener) open(s *airbridge.Sealed, aad string, v any) error {
	pt, err := o.keyring.Open(s.Key, aad, s.Box)
	if err != nil {
		return err
	}
	return json.Unmarshal(pt, v)
}

func (o opener) person(p *airbridge.Person) {
	if o.keyring == nil || p.Sealed == nil {
		return
	}
	var d airbridge.PersonalData
	if err := o.open(p.Sealed, "person/"+p.ID, &d); err != nil {
		p.Redact(redaction(err))
		return
	}
	p.PersonalData, p.Sealed = d, nil
}

func (o opener) group(g *airbridge.Group) {
	if o.keyring == nil || g.Sealed == nil {
		return
	}
	var name string
	if err := o.open(g.Sealed, "group/"+g.ID, &name); err != nil {
		g.Name, g.Sealed, g.Redacted = "", nil, redaction(err)
		return
	}
	g.Name, g.Sealed = name, nil
}

func (o opener) event(e *airbridge.Event) {
	d := &e.Data
	if d.Person != nil {
		o.person(d.Person)
	}
	if d.Group != nil {
		o.group(d.Group)
	}
	if o.keyring != nil && d.Sealed != nil {
		var reason string
		if err := o.open(d.Sealed, e.Stream, &reason); err != nil {
			d.Reason = "(" + redaction(err) + ")"
		} else {
			d.Reason = reason
		}
		d.Sealed = nil
	}
}

// fingerprint keys a request's fingerprint before it is stored.
func (db *DB) fingerprint(fp string) string {
	m := hmac.New(sha256.New, db.fpKey)
	m.Write([]byte(fp))
	return hex.EncodeToString(m.Sum(nil))
}
