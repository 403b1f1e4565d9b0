package api_test

import (
	"fmt"
	"testing"
)

// TestExternalProjectLicensing: a company granted rights on another
// company's project adds devices and binds licenses there, but creates no
// key from its balance, draws nothing from its own projects and removes no
// devices.
func TestExternalProjectLicensing(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	f.redeem(f.hotel, `[{"type":"Relay-PRI","version":13,"quantity":2},{"type":"PBX-Port","version":13,"quantity":5}]`)
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/rights", f.hotel), f.alice, fmt.Sprintf(`{"company":%d}`, f.other)), 201, "")

	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.hotel), f.carol, `{"mac":"000001"}`), 201, "")
	b := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.hotel), f.carol,
		`{"version":13,"lines":[{"type":"Relay-PRI","quantity":2}]}`), 201, "")
	l.refused(403, "external-project-restricted", "POST", fmt.Sprintf("/v1/projects/%d/activation-keys", f.hotel), f.carol,
		`{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`)
	l.refused(422, "project-not-in-company", "POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.hotel), f.carol,
		fmt.Sprintf(`{"version":13,"lines":[{"type":"PBX-Port","quantity":6}],"also_from":[%d]}`, f.carolDf))
	l.refused(403, "not-member", "DELETE", fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.carol, "")

	// The device is the owner's: alice sees it with the bound licenses.
	d := f.data(fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.alice, b.num("position")).(map[string]any)
	if d["project"] != float64(f.hotel) || len(d["licenses"].([]any)) != 1 {
		t.Fatalf("device = %v", d)
	}
}
