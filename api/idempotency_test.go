package api_test

import (
	"fmt"
	"testing"
)

// TestIdempotencyKeyIsTheCallers: an Idempotency-Key belongs to the person
// who sent it. Another person who sends the same key, path and body gets
// the answer their own rights give (here 403), never the first caller's
// answer with its freshly created activation code; the vendor's key
// issuing route likewise.
func TestIdempotencyKeyIsTheCallers(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	f.redeem(f.def, `[{"type":"PBX-Port","version":13,"quantity":20}]`)
	keys := fmt.Sprintf("/v1/projects/%d/activation-keys", f.def)
	body := `{"lines":[{"type":"PBX-Port","version":13,"quantity":5}],"order_number":"PO-42"}`
	own := l.want(l.do("POST", keys, f.bob, body, "Idempotency-Key", "order-42"), 201, "")
	before := l.head()
	stolen := l.do("POST", keys, f.carol, body, "Idempotency-Key", "order-42")
	l.want(stolen, 403, "not-member")
	if stolen.body["code"] == own.body["code"] || l.head() != before {
		t.Fatalf("another company's caller got %v (head %d, was %d)", stolen.body, l.head(), before)
	}
	// The vendor's route: a non-vendor with the vendor's key is refused as
	// without it.
	issue := `{"lines":[{"type":"PBX-Port","version":13,"quantity":1}]}`
	l.want(l.do("POST", "/v1/activation-keys", adminToken, issue, "Idempotency-Key", "issue-7"), 201, "")
	without := l.do("POST", "/v1/activation-keys", f.carol, issue)
	with := l.do("POST", "/v1/activation-keys", f.carol, issue, "Idempotency-Key", "issue-7")
	if with.status != without.status || with.code() != without.code() || with.status < 400 {
		t.Fatalf("a non-vendor with the vendor's key got %d %v; without the key %d %v", with.status, with.body, without.status, without.body)
	}
}

// TestIdempotencyDigestIsTheJSONValue: a retry whose body differs only in
// white space and key order is the same command and gets the first answer;
// another value under the same key is a conflict.
func TestIdempotencyDigestIsTheJSONValue(t *testing.T) {
	f := licSetup(t)
	l := f.ledger
	f.redeem(f.def, `[{"type":"PBX-Port","version":13,"quantity":20}]`)
	keys := fmt.Sprintf("/v1/projects/%d/activation-keys", f.def)
	first := l.want(l.do("POST", keys, f.bob, `{"lines":[{"type":"PBX-Port","version":13,"quantity":5}],"comment":"c"}`,
		"Idempotency-Key", "k-1"), 201, "")
	h := l.head()
	again := l.want(l.do("POST", keys, f.bob, "{ \"comment\" : \"c\",\n  \"lines\":[ {\"quantity\":5, \"version\":13, \"type\":\"PBX-Port\"} ] }",
		"Idempotency-Key", "k-1"), 201, "")
	if again.body["replayed"] != true || again.body["code"] != first.body["code"] || l.head() != h {
		t.Fatalf("reformatted retry: %v; first %v", again.body, first.body)
	}
	l.want(l.do("POST", keys, f.bob, `{"lines":[{"type":"PBX-Port","version":13,"quantity":6}],"comment":"c"}`,
		"Idempotency-Key", "k-1"), 409, "idempotency-key-reused")
	if l.head() != h {
		t.Fatal("a reused key with another body wrote")
	}
}
