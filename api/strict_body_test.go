package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestBodiesAreHeldToTheDocument: what the document marks required is
// required, null is not an empty value, keys match case-sensitively and
// once. Today's PUT .../description with {} cleared the description.
func TestBodiesAreHeldToTheDocument(t *testing.T) {
	f := licSetup(t)
	desc := fmt.Sprintf("/v1/projects/%d/description", f.hotel)
	f.want(f.do("PUT", desc, f.alice, `{"description":"floor 2"}`), 200, "")
	for _, body := range []string{`{}`, ``, `{"description":null}`, `{"Description":"x"}`, `{"DESCRIPTION":"x"}`,
		`{"description":"x","description":"y"}`, `null`, `[]`, `{"description":1}`} {
		f.refused(400, "invalid-body", "PUT", desc, f.alice, body)
	}
	p := f.data(fmt.Sprintf("/v1/projects/%d", f.hotel), f.alice, int64(f.head())).(map[string]any)
	if p["description"] != "floor 2" {
		t.Fatalf("description after refused bodies = %v", p["description"])
	}
	f.refused(400, "invalid-json", "PUT", desc, f.alice, `{"description":"x"`)
	bind := fmt.Sprintf("/v1/projects/%d/devices/000001/licenses", f.def)
	f.refused(400, "invalid-body", "POST", bind, f.bob, `{"version":13,"lines":null}`)
	f.refused(400, "invalid-body", "POST", bind, f.bob, `{"version":13,"lines":[{"type":"PBX-Port"}]}`)
	f.refused(400, "invalid-body", "POST", bind, f.bob, `{"version":13.5,"lines":[]}`)
	f.refused(400, "invalid-body", "POST", fmt.Sprintf("/v1/companies/%d/members", f.company), f.alice, `{"person":2,"right":"viewer","buy_on_credit":null}`)
	a := f.do("PUT", desc, f.alice, `{}`)
	if d, _ := a.body["detail"].(string); !strings.Contains(d, "description is required") {
		t.Fatalf("detail %q does not name the field", d)
	}
}
