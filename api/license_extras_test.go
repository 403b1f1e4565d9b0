package api_test

import (
	"fmt"
	"testing"
)

func TestWarrantyFloatingTestAppDevDownloads(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"order_number":"SO-1"}`), 201, "")
	f.redeem(f.def, `[{"type":"GVL-Within-Warranty","quantity":4},{"type":"PBX-Floating","version":7,"quantity":1},
		{"type":"PBX-Port","version":8,"quantity":2}]`)
	dev := fmt.Sprintf("/v1/companies/%d/devices/000001", f.company)
	proj := fmt.Sprintf("/v1/projects/%d/devices/000001", f.def)

	w := l.want(l.do("POST", proj+"/warranty", f.bob, `{"years":3}`), 201, "")
	l.refused(422, "warranty-maximum-exceeded", "POST", proj+"/warranty", f.bob, `{"years":2}`)
	l.refused(400, "invalid-years", "POST", proj+"/warranty", f.bob, `{"years":0}`)
	d := f.data(dev, f.alice, w.num("position")).(map[string]any)
	if d["warranty_end"] != "2031-10-01" {
		t.Fatalf("warranty end = %v", d["warranty_end"])
	}

	fl := l.want(l.do("POST", proj+"/floating", f.bob, `{}`), 201, "")
	l.refused(422, "balance-insufficient", "POST", fmt.Sprintf("/v1/projects/%d/devices/000002/floating", f.def), f.bob, `{}`)
	l.refused(422, "floating-exclusive", "POST", proj+"/licenses", f.bob, `{"version":7,"lines":[{"type":"PBX-Port","quantity":1}]}`)
	l.want(l.do("DELETE", dev+"/floating", f.bob, ""), 200, "")
	l.refused(422, "no-floating-license", "DELETE", dev+"/floating", f.bob, "")
	_ = fl

	tl := l.want(l.do("POST", dev+"/test-licenses", f.bob, `{"version":13,"pbx_count":5}`), 201, "")
	if tl.body["valid_until"] != "2027-02-22" {
		t.Fatalf("test license = %v", tl.body)
	}
	l.refused(422, "test-license-used", "POST", dev+"/test-licenses", f.bob, `{"version":14}`)
	l.refused(422, "test-not-v5", "POST", dev+"/test-licenses", f.bob, `{"version":5}`)

	l.refused(422, "no-manufacturer-prefix", "POST", dev+"/app-dev-licenses", f.bob, `{"names":["App(innovaphone-app1)15"]}`)
	l.refused(403, "vendor-only", "PUT", fmt.Sprintf("/v1/companies/%d/manufacturer-prefix", f.company), f.alice, `{"prefix":"innovaphone"}`)
	l.want(l.do("PUT", fmt.Sprintf("/v1/companies/%d/manufacturer-prefix", f.company), adminToken, `{"prefix":"innovaphone"}`), 200, "")
	l.want(l.do("POST", dev+"/app-dev-licenses", f.bob, `{"names":["App(innovaphone-app1)15"]}`), 201, "")
	l.refused(400, "invalid-app-license-name", "POST", dev+"/app-dev-licenses", f.bob, `{"names":["App(other-app1)15"]}`)

	// PBX-Port8 without SSA: V6..V8; an unencrypted V7 file locks returning.
	b := l.want(l.do("POST", proj+"/licenses", f.bob, `{"version":8,"lines":[{"type":"PBX-Port","quantity":2}]}`), 201, "")
	dl := f.data(dev+"/downloads", f.alice, b.num("position")).(map[string]any)
	if fmt.Sprint(dl["versions"]) != "[6 7 8]" {
		t.Fatalf("download versions = %v", dl)
	}
	l.refused(422, "version-not-entitled", "POST", dev+"/downloads", f.bob, `{"version":9,"encrypted":true}`)
	lk := l.want(l.do("POST", dev+"/downloads", f.bob, `{"version":7,"encrypted":true}`), 201, "")
	if lk.body["locks_return"] != true {
		t.Fatalf("download = %v", lk.body)
	}
	l.refused(422, "returning-locked", "POST", dev+"/invalidations", f.bob, `{"firmware":13,"certificate":true}`)

	// Foreign device status needs the linked customer id.
	foreign := fmt.Sprintf("/v1/companies/%d/foreign-devices/000001", f.other)
	l.want(l.do("GET", foreign, f.carol, ""), 422, "customer-id-required")
	cid := l.want(l.do("PUT", fmt.Sprintf("/v1/companies/%d/customer-id", f.other), adminToken, `{"customer_id":"12345"}`), 200, "")
	fd := f.data(foreign, f.carol, cid.num("position")).(map[string]any)
	if fd["type"] != "IP6000" || fd["warranty_end"] != "2031-10-01" || len(fd["licenses"].([]any)) != 2 {
		t.Fatalf("foreign device = %v", fd)
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/foreign-devices/0a0a0a", f.other), f.carol, ""), 404, "device-not-found")
}
