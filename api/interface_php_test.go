package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/api"
)

// The test vector of DESIGN.md and the portal manual.
func TestInterfaceHashTestVector(t *testing.T) {
	const want = "b62f7948d6383cc365592ed289b6173cd35229cadc347847b953f78c8880d5b9"
	if got := api.InterfaceHash("?cmd=addDevice&email=user@example.com&project_id=123456&serial=00-90-33-01-02-03", "1234567890abcdef"); got != want {
		t.Fatalf("hash = %s, want %s", got, want)
	}
	for _, raw := range []string{
		"cmd=addDevice&email=user@example.com&project_id=123456&serial=00-90-33-01-02-03&hash=" + want,   // as in the manual's URL
		"cmd=addDevice&email=user%40example.com&project_id=123456&serial=00-90-33-01-02-03&hash=" + want, // encoded by the client
		"hash=" + strings.ToUpper(want) + "&cmd=addDevice&email=user%40example.com&project_id=123456&serial=00-90-33-01-02-03",
	} {
		if !api.InterfaceHashOK(raw, want, "1234567890abcdef") {
			t.Errorf("%s: hash refused", raw)
		}
	}
	if api.InterfaceHashOK("cmd=addDevice&email=user%40example.com&project_id=123456&serial=00-90-33-01-02-04", want, "1234567890abcdef") {
		t.Fatal("a changed parameter kept the hash valid")
	}
	if api.InterfaceHashOK("cmd=addDevice&email=user%40example.com&project_id=123456&serial=00-90-33-01-02-03", want, "other") {
		t.Fatal("another trust value kept the hash valid")
	}
}

// iface is a ledger with alice's project Hotel configured for interface.php.
type iface struct {
	*licFixture
	trust string
}

func ifaceSetup(t *testing.T) *iface {
	f := &iface{licFixture: licSetup(t), trust: "s3cr3t-Trust"}
	f.want(f.do("PUT", fmt.Sprintf("/v1/projects/%d/properties", f.hotel), f.alice,
		fmt.Sprintf(`{"update_url":"https://update.example.com/init","trust_value":%q}`, f.trust)), 200, "")
	return f
}

// call signs and sends an interface.php call; params are name, value pairs.
func (f *iface) call(trust string, params ...string) map[string]any {
	f.t.Helper()
	var parts []string
	for i := 0; i+1 < len(params); i += 2 {
		parts = append(parts, params[i]+"="+strings.NewReplacer("@", "%40", " ", "+", "/", "%2F", ":", "%3A").Replace(params[i+1]))
	}
	q := strings.Join(parts, "&")
	a := f.want(f.do("GET", "/interface.php?"+q+"&hash="+api.InterfaceHash(q, trust), "", ""), 200, "")
	return a.body
}

// refusedCall asserts success:false with the error and that nothing was written.
func (f *iface) refusedCall(wantErr, trust string, params ...string) {
	f.t.Helper()
	before := f.head()
	got := f.call(trust, params...)
	if got["success"] != false || !strings.Contains(fmt.Sprint(got["error"]), wantErr) {
		f.t.Fatalf("answer %v, want success:false with error %q", got, wantErr)
	}
	if after := f.head(); after != before {
		f.t.Fatalf("a refused call wrote: head %d -> %d", before, after)
	}
}

func TestInterfaceAddAndDeleteDevice(t *testing.T) {
	f := ifaceSetup(t)
	pid := fmt.Sprint(f.hotel)
	got := f.call(f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "00-90-33-00-00-01", "device_desc", "lobby phone")
	if got["success"] != true || len(got) != 1 {
		t.Fatalf("addDevice = %v", got)
	}
	d := f.data(fmt.Sprintf("/v1/companies/%d/devices/00-90-33-00-00-01", f.company), f.alice, int64(f.head())).(map[string]any)
	if d["project"] != float64(f.hotel) || d["comment"] != "lobby phone" {
		t.Fatalf("device after addDevice = %v", d)
	}
	f.refusedCall("already", f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "00-90-33-00-00-01")
	// The interface's events are recorded with their channel.
	h := f.data(fmt.Sprintf("/v1/companies/%d/history?window=day", f.company), f.alice, int64(f.head())).(map[string]any)
	if row := h["rows"].([]any)[0].(map[string]any); row["actor"].(map[string]any)["channel"] != "interface" {
		t.Fatalf("newest history row = %v", row)
	}
	f.want(f.do("PUT", fmt.Sprintf("/v1/projects/%d/properties", f.def), f.alice, fmt.Sprintf(`{"trust_value":%q}`, f.trust)), 200, "")
	f.refusedCall("not in the project", f.trust, "cmd", "delDevice", "email", "alice@example.com", "project_id", fmt.Sprint(f.def), "serial", "00-90-33-00-00-01")
	if got := f.call(f.trust, "cmd", "delDevice", "email", "bob@example.com", "project_id", pid, "serial", "00-90-33-00-00-01"); got["success"] != true {
		t.Fatalf("delDevice = %v", got)
	}
	f.want(f.do("GET", fmt.Sprintf("/v1/companies/%d/devices/00-90-33-00-00-01?after=%d", f.company, f.head()), f.alice, ""), 404, "device-not-in-company")
}

func TestInterfaceCreateProject(t *testing.T) {
	f := ifaceSetup(t)
	got := f.call(f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel),
		"project_name", "Branch office", "project_desc", "via interface", "update_url", "https://branch.example.com/init")
	if got["success"] != true || got["projectId"] == nil {
		t.Fatalf("createProject = %v", got)
	}
	id := int64(got["projectId"].(float64))
	p := f.data(fmt.Sprintf("/v1/projects/%d", id), f.alice, int64(f.head())).(map[string]any)
	props, _ := p["properties"].(map[string]any)
	if p["name"] != "Branch office" || p["description"] != "via interface" || props["trust_value"] != f.trust ||
		props["update_url"] != "https://branch.example.com/init" {
		t.Fatalf("created project = %v", p)
	}
	// The new project inherited the trust value: it signs calls itself.
	if got := f.call(f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", fmt.Sprint(id), "serial", "000002"); got["success"] != true {
		t.Fatalf("addDevice into the new project = %v", got)
	}
	// ssa_due_date: unix seconds, the day it falls on in Europe/Berlin.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	due := time.Date(2027, 6, 30, 0, 0, 0, 0, berlin).Unix()
	got = f.call(f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel),
		"project_name", "With SSA", "ssa_due_date", fmt.Sprint(due))
	if got["success"] != true {
		t.Fatalf("createProject with ssa_due_date = %v", got)
	}
	withSSA := f.data(fmt.Sprintf("/v1/projects/%d", int64(got["projectId"].(float64))), f.alice, int64(f.head())).(map[string]any)
	if withSSA["ssa_end"] != "2027-06-30" {
		t.Fatalf("project created with ssa_due_date = %v, want ssa_end 2027-06-30", withSSA)
	}
	f.refusedCall("at most one year in the past", f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel),
		"project_name", "Old SSA", "ssa_due_date", "1448492400")
	f.refusedCall("unix seconds", f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel),
		"project_name", "Bad SSA", "ssa_due_date", "tomorrow")
	f.refusedCall("already has a project", f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "project_name", "hotel")
}

func TestInterfaceRefusals(t *testing.T) {
	f := ifaceSetup(t)
	pid := fmt.Sprint(f.hotel)
	add := func(email, project string) []string {
		return []string{"cmd", "addDevice", "email", email, "project_id", project, "serial", "00-90-33-00-00-01"}
	}
	f.refusedCall("wrong hash", "not-the-trust", add("alice@example.com", pid)...)
	f.refusedCall("unknown email", f.trust, add("nobody@example.com", pid)...)
	f.refusedCall("no access", f.trust, add("carol@example.com", pid)...)
	f.refusedCall("doesn't exist", f.trust, add("alice@example.com", "999")...)
	f.refusedCall("no trust value", "", add("alice@example.com", fmt.Sprint(f.def))...)
	f.refusedCall("missing parameter serial", f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid)
	f.refusedCall("missing parameter project_name", f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", pid)
	f.refusedCall("missing parameter cmd", f.trust, "email", "alice@example.com", "project_id", pid)
	f.refusedCall("unknown cmd", f.trust, "cmd", "format", "email", "alice@example.com", "project_id", pid)
	f.refusedCall("is not in company", f.trust, "cmd", "getWarranty", "email", "alice@example.com", "project_id", pid, "serial", "000001")
	// A hash over another query than the one sent is refused.
	before := f.head()
	q := "cmd=addDevice&email=alice%40example.com&project_id=" + pid + "&serial=00-90-33-00-00-01"
	a := f.want(f.do("GET", "/interface.php?"+q+"&serial=00-90-33-00-00-02&hash="+api.InterfaceHash(q, f.trust), "", ""), 200, "")
	if a.body["success"] != false || a.body["error"] != "wrong hash" || f.head() != before {
		t.Fatalf("tampered call answered %v", a.body)
	}
	a = f.want(f.do("GET", "/interface.php", "", ""), 200, "")
	if a.body["success"] != false || a.body["error"] != "missing parameter cmd" {
		t.Fatalf("empty call answered %v", a.body)
	}
}

func TestInterfaceGetWarranty(t *testing.T) {
	f := ifaceSetup(t)
	pid := fmt.Sprint(f.hotel)
	if got := f.call(f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "000001"); got["success"] != true {
		t.Fatalf("addDevice = %v", got)
	}
	// Delivered 2026-10-01 (licSetup) with the standard warranty: midnight
	// Europe/Berlin (CEST, UTC+2) of 2028-10-01.
	got := f.call(f.trust, "cmd", "getWarranty", "email", "bob@example.com", "project_id", pid, "serial", "00:90:33:00:00:01")
	want := time.Date(2028, 9, 30, 22, 0, 0, 0, time.UTC).Unix()
	if got["success"] != true || got["warranty"] != float64(want) || got["warrantyStr"] != "2028-10-01 00:00:00" {
		t.Fatalf("getWarranty = %v, want warranty %d", got, want)
	}
	f.refusedCall("missing parameter serial", f.trust, "cmd", "getWarranty", "email", "alice@example.com", "project_id", pid)
}

// ts inside the hash bounds a call's age: replay protection.
func TestInterfaceTimestamp(t *testing.T) {
	f := ifaceSetup(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // the test server's clock
	call := func(ts time.Time) []string {
		return []string{"cmd", "addDevice", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "serial", "000003",
			"ts", fmt.Sprint(ts.Unix())}
	}
	f.refusedCall("expired", f.trust, call(now.Add(-6*time.Minute))...)
	f.refusedCall("expired", f.trust, call(now.Add(6*time.Minute))...)
	f.refusedCall("ts must be", f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "serial", "000003", "ts", "soon")
	if got := f.call(f.trust, call(now.Add(-4*time.Minute))...); got["success"] != true {
		t.Fatalf("a fresh call = %v", got)
	}
}

// A signed call with ts is accepted once: a captured URL sent again within
// its window is refused, for a write also after a restart (the log holds
// the call's hash as command id) and for getWarranty, which writes nothing.
func TestInterfaceSignedCallAcceptedOnce(t *testing.T) {
	f := ifaceSetup(t)
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) // the test server's clock
	add := []string{"cmd", "addDevice", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "serial", "000003",
		"ts", fmt.Sprint(now.Unix())}
	if got := f.call(f.trust, add...); got["success"] != true {
		t.Fatalf("first call = %v", got)
	}
	f.refusedCall("already used", f.trust, add...)
	warranty := []string{"cmd", "getWarranty", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "serial", "000003",
		"ts", fmt.Sprint(now.Unix())}
	if got := f.call(f.trust, warranty...); got["success"] != true {
		t.Fatalf("first getWarranty = %v", got)
	}
	f.refusedCall("already used", f.trust, warranty...)
	// Without ts the legacy call may be repeated, as it always could.
	legacy := []string{"cmd", "getWarranty", "email", "alice@example.com", "project_id", fmt.Sprint(f.hotel), "serial", "000003"}
	for range 2 {
		if got := f.call(f.trust, legacy...); got["success"] != true {
			t.Fatalf("legacy getWarranty = %v", got)
		}
	}
	// A new node on the same log has not seen the call, but the log has.
	f.restart()
	f.refusedCall("already used", f.trust, add...)
}
