package api_test

import (
	"fmt"
	"testing"
	"time"
)

// TestInterfaceSSADueDateRange: an ssa_due_date the ledger cannot store
// as the day it names is refused (year 5138 was stored as 2262-04-11).
func TestInterfaceSSADueDateRange(t *testing.T) {
	f := ifaceSetup(t)
	create := func(name string, due int64) []string {
		return []string{"cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel),
			"project_name", name, "ssa_due_date", fmt.Sprint(due)}
	}
	f.refusedCall("ssa_due_date must be a day from 1970-01-02 to 2262-04-11", f.trust, create("Far", time.Date(5138, 1, 1, 0, 0, 0, 0, time.UTC).Unix())...)
	f.refusedCall("ssa_due_date must be a day from", f.trust, create("Just after", time.Date(2262, 4, 12, 12, 0, 0, 0, time.UTC).Unix())...)
	// The last day itself is stored as itself (then refused by the SSA rules
	// only if too far; a new project's date is a correction, not a sale).
	got := f.call(f.trust, create("Last day", time.Date(2262, 4, 11, 12, 0, 0, 0, time.UTC).Unix())...)
	if got["success"] != true {
		t.Fatalf("createProject on the last day = %v", got)
	}
	p := f.data(fmt.Sprintf("/v1/projects/%d", int64(got["projectId"].(float64))), f.alice, int64(f.head())).(map[string]any)
	if p["ssa_end"] != "2262-04-11" {
		t.Fatalf("ssa_end = %v", p["ssa_end"])
	}
}

// TestJSONDatesOutsideTheRange: every date the JSON API takes is refused
// beyond the days a command may name, with 400 invalid-date.
func TestJSONDatesOutsideTheRange(t *testing.T) {
	f := licSetup(t)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001"]}`), 201, "")
	f.redeem(f.def, `[{"type":"Relay-PRI","version":13,"quantity":2}]`)
	f.refused(400, "invalid-date", "POST", fmt.Sprintf("/v1/projects/%d/ssa", f.def), f.alice, `{"end":"5138-01-01"}`)
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/ssa/quote", f.def), f.alice, `{"end":"2262-04-12"}`), 400, "invalid-date")
	f.want(f.do("POST", fmt.Sprintf("/v1/projects/%d/ssa/quote", f.def), f.alice, `{"end":"2027-01-01","calc_date":"1970-01-01"}`), 400, "invalid-date")
	f.refused(400, "invalid-date", "POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.bob,
		`{"version":13,"lines":[{"type":"Relay-PRI","quantity":1}],"ssa_end":"9999-12-31"}`)
	f.refused(400, "invalid-date", "POST", "/v1/registry/orders", adminToken,
		`{"order_number":"SO-9","delivered":"5138-01-01","devices":[{"mac":"00-90-33-00-01-01","type":"IP6000"}]}`)
	f.refused(400, "invalid-date", "POST", "/v1/ssa/reminders", adminToken, `{"day":"1969-12-31"}`)
}
