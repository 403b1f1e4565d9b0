package domain

import (
	"encoding/json"
	"time"
)

// Day is a calendar day, counted in days since 1970-01-01 (UTC). The SSA
// rules count whole days between dates (bind date, release date, SSA end),
// so a day number makes the arithmetic exact and time-zone free. The zero
// value means "no date": no license of the ledger predates V5 (2003).
// On the wire a Day is "YYYY-MM-DD", and "" (or an omitted field) for none.
type Day int32

// DayLayout is the wire form of a Day.
const DayLayout = "2006-01-02"

var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// DayOf returns the UTC calendar day of t. The ledger decides in UTC: the
// caller's clock passes through it and tests fix it.
func DayOf(t time.Time) Day {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return Day(d.Sub(epoch).Hours() / 24)
}

// ParseDay reads "YYYY-MM-DD"; the empty string is the zero Day.
func ParseDay(s string) (Day, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse(DayLayout, s)
	if err != nil {
		return 0, Errorf(KindInvalid, "invalid-date", "%q is not a date (YYYY-MM-DD)", s)
	}
	return DayOf(t), nil
}

// MustDay parses a literal date and panics on a malformed one; it is for
// constant tables and tests, never for input.
func MustDay(s string) Day {
	d, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Time returns midnight UTC of the day.
func (d Day) Time() time.Time { return epoch.AddDate(0, 0, int(d)) }

// IsZero reports whether d is "no date".
func (d Day) IsZero() bool { return d == 0 }

// String is "YYYY-MM-DD", or "" for the zero Day.
func (d Day) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format(DayLayout)
}

// MarshalJSON writes the wire form.
func (d Day) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the wire form.
func (d *Day) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDay(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// JSONSchemaBytes documents the wire form for the OpenAPI reflector (its
// raw-schema interface needs no import here): a date, or "" for none.
func (Day) JSONSchemaBytes() ([]byte, error) {
	return []byte(`{"type":"string","pattern":"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$","description":"a calendar day YYYY-MM-DD (UTC); empty: none"}`), nil
}
