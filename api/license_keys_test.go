package api_test

import (
	"fmt"
	"testing"
)

func TestOwnActivationKeys(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	f.redeem(f.def, `[{"type":"PBX-Port","version":13,"quantity":20}]`)
	keys := fmt.Sprintf("/v1/projects/%d/activation-keys", f.def)
	own := l.want(l.do("POST", keys, f.bob, `{"lines":[{"type":"PBX-Port","version":13,"quantity":5}],"comment":"for carol","order_number":"PO-1","order_reference":"C-7"}`), 201, "")
	code := own.body["code"].(string)
	l.refused(422, "balance-insufficient", "POST", keys, f.bob, `{"lines":[{"type":"PBX-Port","version":13,"quantity":16}]}`)
	l.refused(403, "not-member", "POST", keys, f.carol, `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`)
	l.refused(400, "invalid-lines", "POST", keys, f.bob, `{"lines":[]}`)

	bal := f.data(fmt.Sprintf("/v1/projects/%d/balance", f.def), f.alice, own.num("position")).(map[string]any)
	if fmt.Sprint(bal["lines"]) != "[map[quantity:15 type:PBX-Port version:13]]" {
		t.Fatalf("balance after creating a key of 5 = %v", bal["lines"])
	}
	up := l.want(l.do("PATCH", "/v1/activation-keys/"+code, f.bob, `{"delta":[{"type":"PBX-Port","version":13,"quantity":-2}],"comment":"three"}`), 200, "")
	l.refused(422, "key-quantity-negative", "PATCH", "/v1/activation-keys/"+code, f.bob, `{"delta":[{"type":"PBX-Port","version":13,"quantity":-4}]}`)
	l.refused(422, "key-empty", "PATCH", "/v1/activation-keys/"+code, f.bob, `{"delta":[{"type":"PBX-Port","version":13,"quantity":-3}]}`)
	l.refused(404, "key-not-found", "PATCH", "/v1/activation-keys/NOPE-NOPE", f.bob, `{"comment":"x"}`)

	list := f.data(fmt.Sprintf("/v1/companies/%d/activation-keys?order_number=PO-1", f.company), f.alice, up.num("position")).([]any)
	if len(list) != 1 || list[0].(map[string]any)["comment"] != "three" || fmt.Sprint(list[0].(map[string]any)["lines"]) != "[map[quantity:3 type:PBX-Port version:13]]" {
		t.Fatalf("keys of PO-1 = %v", list)
	}
	all := f.data(fmt.Sprintf("/v1/companies/%d/activation-keys", f.company), f.alice, up.num("position")).([]any)
	if len(all) != 2 {
		t.Fatalf("own and redeemed keys = %v", all)
	}
	cert := f.data("/v1/activation-keys/"+code+"/certificate", f.alice, up.num("position")).(map[string]any)
	if cert["issued_by"] != "Reseller" || cert["order_reference"] != "C-7" {
		t.Fatalf("certificate = %v", cert)
	}
	l.want(l.do("GET", "/v1/activation-keys/"+code+"/certificate", f.carol, ""), 404, "key-not-found")

	// Delete into Hotel: the licenses go to the project the caller names.
	l.refused(422, "project-not-in-company", "DELETE", "/v1/activation-keys/"+code, f.bob, fmt.Sprintf(`{"refund_to":%d}`, f.carolDf))
	del := l.want(l.do("DELETE", "/v1/activation-keys/"+code, f.bob, fmt.Sprintf(`{"refund_to":%d}`, f.hotel)), 200, "")
	l.refused(404, "key-not-found", "DELETE", "/v1/activation-keys/"+code, f.bob, "")
	hotel := f.data(fmt.Sprintf("/v1/projects/%d/balance", f.hotel), f.alice, del.num("position")).(map[string]any)
	if fmt.Sprint(hotel["lines"]) != "[map[quantity:3 type:PBX-Port version:13]]" {
		t.Fatalf("hotel balance = %v", hotel["lines"])
	}

	// A redeemed own key can no longer be changed.
	k2 := l.want(l.do("POST", keys, f.bob, `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`), 201, "").body["code"].(string)
	l.want(l.do("POST", fmt.Sprintf("/v1/projects/%d/redemptions", f.carolDf), f.carol, fmt.Sprintf(`{"code":%q}`, k2)), 201, "")
	l.refused(422, "key-already-redeemed", "DELETE", "/v1/activation-keys/"+k2, f.bob, "")
	l.refused(422, "not-own-key", "PATCH", "/v1/activation-keys/"+vendorKey(f), f.bob, `{"comment":"x"}`)
}

// vendorKey issues an unredeemed vendor key and returns its code.
func vendorKey(f *licFixture) string {
	f.t.Helper()
	return f.want(f.do("POST", "/v1/activation-keys", adminToken, `{"lines":[{"type":"SSC","quantity":1}]}`), 201, "").body["code"].(string)
}
