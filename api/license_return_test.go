package api_test

import (
	"fmt"
	"testing"
)

func TestReturnFreePoolMoveAndReship(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	l.want(l.do("POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-2","delivered":"2026-10-01","devices":[{"mac":"00-90-33-00-00-04","type":"IP6010"},{"mac":"00-90-33-00-00-05","type":"IP6010"}]}`), 201, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"macs":["000001","000004","000005"]}`), 201, "")
	f.redeem(f.def, `[{"type":"PBX-PBX","version":13,"quantity":1},{"type":"PBX-Voicemail","version":13,"quantity":1},
		{"type":"PBX-Standby","version":13,"quantity":1},{"type":"PBX-Port","version":13,"quantity":10},{"type":"Relay-PRI","version":13,"quantity":2}]`)
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def), f.bob, `{"version":13,"lines":[{"type":"PBX-PBX","quantity":1},
		{"type":"PBX-Voicemail","quantity":1},{"type":"PBX-Standby","quantity":1},{"type":"PBX-Port","quantity":10},{"type":"Relay-PRI","quantity":2}]}`), 201, "")

	inv := fmt.Sprintf("/v1/companies/%d/devices/000001/invalidations", f.company)
	l.refused(422, "firmware-too-old", "POST", inv, f.bob, `{"firmware":7,"certificate":true}`)
	l.refused(422, "no-device-certificate", "POST", inv, f.bob, `{"firmware":13}`)
	ret := l.want(l.do("POST", inv, f.bob, `{"firmware":13,"certificate":true}`), 201, "")
	if ret.body["confirmation"] != "INV-009033000001-1" || len(ret.body["lines"].([]any)) != 4 {
		t.Fatalf("invalidation = %v", ret.body)
	}
	l.refused(422, "nothing-to-return", "POST", inv, f.bob, `{"firmware":13,"certificate":true}`)
	pool := f.data(fmt.Sprintf("/v1/projects/%d/free-licenses", f.def), f.alice, ret.num("position")).([]any)
	if len(pool) != 4 {
		t.Fatalf("free pool = %v", pool)
	}
	dev := f.data(fmt.Sprintf("/v1/companies/%d/devices/000001", f.company), f.alice, ret.num("position")).(map[string]any)
	if len(dev["licenses"].([]any)) != 1 || len(dev["invalidations"].([]any)) != 1 {
		t.Fatalf("device after return = %v", dev)
	}

	free := fmt.Sprintf("/v1/projects/%d/devices/000004/free-licenses", f.def)
	l.refused(422, "voicemail-standby-mismatch", "POST", free, f.bob, `{"ids":[1]}`)
	l.refused(404, "free-license-not-found", "POST", free, f.bob, `{"ids":[5]}`)
	fb := l.want(l.do("POST", free, f.bob, `{"ids":[1,2,3,4]}`), 201, "")
	if len(fb.body["lines"].([]any)) != 4 {
		t.Fatalf("bound from pool = %v", fb.body)
	}

	// Bob (Licenses right) may move licenses only off a received RMA device.
	moves := fmt.Sprintf("/v1/companies/%d/devices/000001/license-moves", f.company)
	l.refused(403, "move-needs-rma", "POST", moves, f.bob, `{"to":"000005"}`)
	l.refused(422, "target-has-licenses", "POST", moves, f.alice, `{"to":"000004"}`)
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices/000004/rma", f.company), f.bob, `{}`), 201, "")
	l.want(l.do("POST", "/v1/registry/devices/000004/rma-receipt", adminToken, ""), 200, "")
	mv := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices/000004/license-moves", f.company), f.bob, `{"to":"000005"}`), 201, "")
	if len(mv.body["lines"].([]any)) != 4 {
		t.Fatalf("moved = %v", mv.body)
	}

	// Reshipping the IP6000 (RMA received) frees its Relay-PRI into Freed_RMA_licenses.
	l.refused(422, "rma-not-received", "POST", "/v1/registry/devices/000001/reshipment", adminToken, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/devices/000001/rma", f.company), f.bob, `{}`), 201, "")
	l.want(l.do("POST", "/v1/registry/devices/000001/rma-receipt", adminToken, ""), 200, "")
	l.refused(403, "vendor-only", "POST", "/v1/registry/devices/000001/reshipment", f.alice, "")
	rs := l.want(l.do("POST", "/v1/registry/devices/000001/reshipment", adminToken, ""), 200, "")
	projects := f.data(fmt.Sprintf("/v1/companies/%d/projects", f.company), f.alice, rs.num("position")).([]any)
	last := projects[len(projects)-1].(map[string]any)
	if last["name"] != "Freed_RMA_licenses" {
		t.Fatalf("projects = %v", projects)
	}
	freed := f.data(fmt.Sprintf("/v1/projects/%d/free-licenses", int64(last["id"].(float64))), f.alice, rs.num("position")).([]any)
	if len(freed) != 1 || freed[0].(map[string]any)["type"] != "Relay-PRI" {
		t.Fatalf("freed = %v", freed)
	}
}
