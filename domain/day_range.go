package domain

import (
	"strings"
	"time"
)

// The days a command may name: FirstDay to LastDay (1970-01-02 to
// 2262-04-11). A Day counts days since 1970-01-01, which is the zero Day
// ("no date"), and DayOf measures with time.Duration, which spans only
// about 292 years either side of 1970: a later date would be stored as
// 2262-04-11 and an earlier one as another day. Nothing in the ledger is
// older than V5 (2003) or further ahead than a few SSA years, so every
// real date fits.
const (
	FirstDay Day = 1      // 1970-01-02
	LastDay  Day = 106751 // 2262-04-11
)

// InDayRange reports whether the calendar day of t (UTC) lies between
// FirstDay and LastDay.
func InDayRange(t time.Time) bool {
	y, m, d := t.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !day.Before(FirstDay.Time()) && !day.After(LastDay.Time())
}

// ParseInputDay reads a date a caller sends, "YYYY-MM-DD" (the empty
// string is the zero Day, "none"), and refuses malformed dates and dates
// outside FirstDay..LastDay with invalid-date naming the field. Events are
// read with ParseDay, which takes any day already in a log.
func ParseInputDay(field, v string) (Day, error) {
	if v == "" {
		return 0, nil
	}
	t, err := parseDate(field, v)
	if err != nil {
		return 0, err
	}
	return DayOf(t), nil
}

// parseDate reads a required date of a command (a date the caller sends):
// "YYYY-MM-DD" between FirstDay and LastDay, else invalid-date naming the
// field. ParseInputDay is its exported form, where "" means none.
func parseDate(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, Errorf(KindInvalid, "invalid-date", "%s must be a date YYYY-MM-DD", field)
	}
	if !InDayRange(t) {
		return time.Time{}, Errorf(KindInvalid, "invalid-date", "%s must lie between %s and %s", field, FirstDay, LastDay)
	}
	return t, nil
}
