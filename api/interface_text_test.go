package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestInterfaceRefusesControlCharacters: every parameter of interface.php
// is held to the text rules and capped, answered in its own success:false
// form; descriptions may span lines.
func TestInterfaceRefusesControlCharacters(t *testing.T) {
	f := ifaceSetup(t)
	pid := fmt.Sprint(f.hotel)
	add := func(desc string) []string {
		return []string{"cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "000001", "device_desc", desc}
	}
	f.refusedCall("parameter device_desc must not contain the control character U+0000", f.trust, add("lobby%00phone")...)
	f.refusedCall("parameter device_desc must not contain the control character U+0085", f.trust, add("lobby%C2%85phone")...)
	f.refusedCall("parameter device_desc must be valid UTF-8", f.trust, add("lobby%FF")...)
	f.refusedCall("parameter device_desc has at most 1000 characters", f.trust, add(strings.Repeat("x", 1001))...)
	f.refusedCall("parameter serial must not contain", f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "0000%0A01")
	f.refusedCall("parameter project_name must not contain", f.trust, "cmd", "createProject", "email", "alice@example.com", "project_id", pid,
		"project_name", "Branch%09office")
	f.refusedCall("parameter x must not contain", f.trust, "cmd", "addDevice", "email", "alice@example.com", "project_id", pid, "serial", "000001", "x", "%7F")
	if got := f.call(f.trust, add("lobby%0Aphone%09desk")...); got["success"] != true {
		t.Fatalf("a multi-line description = %v", got)
	}
}
