package postgres

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/innolic/ledger/domain"
)

// TestAppendPostings: the hand-written encoding equals encoding/json's,
// byte for byte, also for strings JSON or encoding/json escape.
func TestAppendPostings(t *testing.T) {
	// appendPostings writes these fields; a new one must be added there.
	if p, it := reflect.TypeFor[domain.Posting](), reflect.TypeFor[domain.Item](); p.NumField() != 3 || it.NumField() != 2 {
		t.Fatalf("domain.Posting has %d fields, domain.Item %d: update appendPostings", p.NumField(), it.NumField())
	}
	accounts := []string{"vendor", "key:ABC-123", "device:00-90-33-01-02-03", `key:"quoted"\`, "key:<&>", "key:tab\there", "key:ünï", ""}
	for _, a := range accounts {
		for _, it := range []domain.Item{{Type: "PBX-Port", Version: 13}, {Type: "GVL-Purchase"}, {Type: `Odd"Type`, Version: -1}} {
			legs := []domain.Posting{{Account: a, Item: it, Amount: -20}, {Account: "project:7", Item: it, Amount: 20}}
			want, err := json.Marshal(legs)
			if err != nil {
				t.Fatal(err)
			}
			if got := appendPostings([]byte("x"), legs); string(got) != "x"+string(want) {
				t.Errorf("appendPostings(%q, %v) = %s, want %s", a, it, got[1:], want)
			}
		}
	}
	if got := appendPostings(nil, nil); string(got) != "[]" {
		t.Errorf("no legs: %s, want []", got)
	}
}
