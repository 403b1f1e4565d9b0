package api_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestDeviceRegistryAndAdding(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	devs := fmt.Sprintf("/v1/projects/%d/devices", f.def)
	l.refused(403, "vendor-only", "POST", "/v1/registry/orders", f.alice, `{"order_number":"SO-2","delivered":"2026-10-01","devices":[{"mac":"0a0a0a","type":"IP811"}]}`)
	l.refused(422, "device-registered", "POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-2","delivered":"2026-10-01","devices":[{"mac":"000001","type":"IP811"}]}`)
	l.refused(422, "mac-not-vendor", "POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-2","delivered":"2026-10-01","devices":[{"mac":"00-50-56-00-00-01","type":"IP811"}]}`)
	l.refused(400, "unknown-device-type", "POST", "/v1/registry/orders", adminToken, `{"order_number":"SO-2","delivered":"2026-10-01","devices":[{"mac":"0a0a0a","type":"IP9"}]}`)
	order := l.want(l.do("GET", fmt.Sprintf("/v1/registry/orders/SO-1?after=%d", l.head()), f.alice, ""), 200, "").body["data"].([]any)
	if len(order) != 3 || order[0].(map[string]any)["type"] != "IP6000" {
		t.Fatalf("order SO-1 = %v", order)
	}
	l.want(l.do("GET", "/v1/registry/orders/SO-9", f.alice, ""), 404, "order-not-found")

	one := l.want(l.do("POST", devs, f.alice, `{"mac":"00:90:33:00:00:01"}`), 201, "")
	if fmt.Sprint(one.body["devices"]) != "[00-90-33-00-00-01]" {
		t.Fatalf("added %v", one.body)
	}
	l.refused(422, "already-in-company", "POST", devs, f.alice, `{"mac":"000001"}`)
	l.refused(404, "device-not-found", "POST", devs, f.alice, `{"mac":"0a0a0a"}`)
	l.refused(400, "invalid-mac", "POST", devs, f.alice, `{"macs":["000002","nope"]}`)
	l.refused(400, "too-many-devices", "POST", devs, f.alice, `{"from":"000000","to":"0000ff"}`)
	l.refused(400, "invalid-device-selection", "POST", devs, f.alice, `{"mac":"000002","order_number":"SO-1"}`)
	l.refused(404, "order-not-found", "POST", devs, f.alice, `{"order_number":"SO-9"}`)
	l.refused(403, "not-member", "POST", devs, f.carol, `{"mac":"000002"}`)
	all := l.want(l.do("POST", devs, f.alice, `{"order_number":"SO-1"}`), 201, "")
	if fmt.Sprint(all.body["devices"]) != "[00-90-33-00-00-02 00-90-33-00-00-03]" {
		t.Fatalf("order add = %v", all.body)
	}

	// Carol adds the IP6000 too: allowed, with a warning.
	warn := l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.carolDf), f.carol, `{"macs":["009033000001"]}`), 201, "")
	if fmt.Sprint(warn.body["warnings"]) != "[map[code:in-other-company mac:00-90-33-00-00-01]]" {
		t.Fatalf("warnings = %v", warn.body["warnings"])
	}
	// IPVA MACs are created by their owner and unique across companies.
	l.want(l.do("POST", devs, f.alice, `{"mac":"00-0c-29-aa-bb-cc"}`), 201, "")
	l.refused(422, "ipva-mac-exists", "POST", fmt.Sprintf("/v1/projects/%d/devices", f.carolDf), f.carol, `{"mac":"00-0c-29-aa-bb-cc"}`)
	l.refused(422, "device-type-mismatch", "POST", devs, f.alice, `{"mac":"00-0c-29-aa-bb-cd","type":"IP6000"}`)

	list := f.data(fmt.Sprintf("/v1/companies/%d/devices", f.company), f.alice, warn.num("position")).([]any)
	if len(list) != 4 {
		t.Fatalf("devices = %v", list)
	}
	va := list[0].(map[string]any)
	if va["mac"] != "00-0c-29-aa-bb-cc" || va["type"] != "IPVA" || va["name"] != "00-0c-29-aa-bb-cc" {
		t.Fatalf("first device = %v", va)
	}
}

func TestDeviceProperties(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/devices", f.def), f.alice, `{"order_number":"SO-1"}`), 201, "")
	dev := fmt.Sprintf("/v1/companies/%d/devices/000001", f.company)
	ch := l.want(l.do("PUT", dev, f.bob, `{"name":"Main PBX","comment":"rack 2"}`), 200, "")
	l.refused(400, "invalid-device-name", "PUT", dev, f.bob, `{"name":"00-90-33-00-00-09"}`)
	l.refused(400, "invalid-name", "PUT", dev, f.bob, `{"name":" "}`)
	l.refused(404, "device-not-in-company", "PUT", fmt.Sprintf("/v1/companies/%d/devices/0a0a0a", f.company), f.bob, `{"name":"x"}`)
	l.refused(400, "invalid-mac", "PUT", fmt.Sprintf("/v1/companies/%d/devices/zz", f.company), f.bob, `{"name":"x"}`)
	found := f.data(fmt.Sprintf("/v1/companies/%d/devices?q=rack", f.company), f.alice, ch.num("position")).([]any)
	if len(found) != 1 || found[0].(map[string]any)["name"] != "Main PBX" {
		t.Fatalf("search = %v", found)
	}
	d := f.data(dev, f.alice, ch.num("position")).(map[string]any)
	if d["order_number"] != "SO-1" || d["delivered"] != "2026-10-01" || d["comment"] != "rack 2" {
		t.Fatalf("device = %v", d)
	}

	mv := l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/device-moves", f.company), f.bob,
		fmt.Sprintf(`{"macs":["000001","000002"],"to":%d}`, f.hotel)), 201, "")
	l.refused(422, "already-in-project", "POST", fmt.Sprintf("/v1/companies/%d/device-moves", f.company), f.bob, fmt.Sprintf(`{"macs":["000001"],"to":%d}`, f.hotel))
	l.refused(422, "project-not-in-company", "POST", fmt.Sprintf("/v1/companies/%d/device-moves", f.company), f.bob, fmt.Sprintf(`{"macs":["000001"],"to":%d}`, f.carolDf))
	inHotel := f.data(fmt.Sprintf("/v1/companies/%d/devices?project=%d", f.company, f.hotel), f.alice, mv.num("position")).([]any)
	if len(inHotel) != 2 {
		t.Fatalf("hotel devices = %v", inHotel)
	}
	l.want(l.do("GET", fmt.Sprintf("/v1/companies/%d/devices?project=x", f.company), f.alice, ""), 400, "invalid-project")

	rma := l.want(l.do("POST", dev+"/rma", f.bob, `{"reason":"broken"}`), 201, "")
	l.refused(422, "rma-already-requested", "POST", dev+"/rma", f.bob, `{}`)
	marked := f.data(dev, f.alice, rma.num("position")).(map[string]any)
	if marked["rma"] != "requested" {
		t.Fatalf("device after RMA request = %v", marked)
	}
	l.refused(403, "vendor-only", "POST", "/v1/registry/devices/000001/rma-receipt", f.alice, "")
	l.want(l.do("POST", "/v1/registry/devices/000001/rma-receipt", adminToken, ""), 200, "")
	l.refused(422, "rma-not-requested", "POST", "/v1/registry/devices/000001/rma-receipt", adminToken, "")

	rm := l.want(l.do("DELETE", dev, f.bob, ""), 200, "")
	l.refused(404, "device-not-in-company", "DELETE", dev, f.bob, "")
	l.want(l.do("POST", fmt.Sprintf("/v1/companies/%d/device-removals", f.company), f.bob, `{"macs":["000002","000003"]}`), 201, "")
	left := f.data(fmt.Sprintf("/v1/companies/%d/devices", f.company), f.alice, rm.num("position")+1).([]any)
	if len(left) != 0 {
		t.Fatalf("devices left = %v", left)
	}
	if !strings.Contains(fmt.Sprint(rm.body["devices"]), "00-90-33-00-00-01") {
		t.Fatalf("removed = %v", rm.body)
	}
}
