package domain_test

import (
	"errors"
	"testing"
	"time"

	. "github.com/innolic/ledger/domain"
)

// TestDayRange: the first and last days a command may name are exactly
// the ones DayOf still counts right; beyond them a date would be stored as
// another day (year 5138 became 2262-04-11).
func TestDayRange(t *testing.T) {
	if FirstDay.String() != "1970-01-02" || LastDay.String() != "2262-04-11" {
		t.Fatalf("range %s..%s", FirstDay, LastDay)
	}
	if got := DayOf(LastDay.Time()); got != LastDay {
		t.Fatalf("DayOf(LastDay) = %d, want %d", got, LastDay)
	}
	if DayOf(LastDay.Time().AddDate(0, 0, 1)) == LastDay+1 {
		t.Fatal("the day after LastDay is counted right: widen the range")
	}
	for _, tc := range []struct {
		in   string
		want Day
		code string
	}{
		{"", 0, ""}, {"2027-01-31", MustDay("2027-01-31"), ""}, {"1970-01-02", FirstDay, ""}, {"2262-04-11", LastDay, ""},
		{"2262-04-12", 0, "invalid-date"}, {"5138-01-01", 0, "invalid-date"}, {"1970-01-01", 0, "invalid-date"},
		{"1969-12-31", 0, "invalid-date"}, {"2027-02-30", 0, "invalid-date"}, {"tomorrow", 0, "invalid-date"},
	} {
		got, err := ParseInputDay("end", tc.in)
		var de *Error
		switch {
		case tc.code == "" && (err != nil || got != tc.want):
			t.Errorf("ParseInputDay(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.code != "" && (!errors.As(err, &de) || de.Code != tc.code):
			t.Errorf("ParseInputDay(%q) error = %v, want %s", tc.in, err, tc.code)
		}
	}
	if !InDayRange(time.Date(2262, 4, 11, 23, 59, 0, 0, time.UTC)) || InDayRange(time.Date(5138, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("InDayRange disagrees with LastDay")
	}
}

// TestCommandDatesOutsideTheRange: a delivery date or an SSA end beyond
// the range is refused, not stored as 2262-04-11.
func TestCommandDatesOutsideTheRange(t *testing.T) {
	runCases(t, []decideCase{
		{name: "a delivery date in year 5138", given: world(RightViewer), by: vendor,
			when:    RegisterDevices{OrderNumber: "SO-9", Delivered: "5138-01-01", Devices: []RegistryEntry{{MAC: "00-90-33-00-01-01", Type: "IP6000"}}},
			wantErr: "invalid-date"},
		{name: "an SSA end of a binding in year 9999", given: bindWorld(), by: dave,
			when:    BindLicenses{Project: 1, MAC: string(mac6000), Version: 13, Lines: []Line{{Item: Item{Type: "PBX-Port"}, Quantity: 1}}, SSAEnd: "9999-12-31"},
			wantErr: "invalid-date"},
	})
}
