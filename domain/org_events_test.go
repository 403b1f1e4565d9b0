package domain_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	. "github.com/innolic/ledger/domain"
)

// orgSampleEvents has one value of every event type of the organization
// area, with every field set, for the wire round-trip test.
func orgSampleEvents() []Event {
	props := ProjectProperties{UpdateURL: "https://u.example/init", TrustedCertificate: testCert, TrustValue: "t",
		DevicesAppGUID: testGUID, CCMails: []string{"a@b.cd"}}
	return []Event{
		MemberRemoved{Company: 1, Person: 2},
		CustomerIDLinked{Company: 1, CustomerID: "12345"},
		CompanyJoined{Company: 1, Absorbed: 2, AbsorbedName: "B", Projects: []JoinedProject{{Project: 3, Name: "DEFAULT (2)"}},
			Members: []JoinedMember{{Person: 4, Membership: Membership{Right: RightViewer, BuyOnCredit: true}}}},
		PersonUpdated{Person: 2, Name: "A", Email: "a@b.cd"},
		SSAMailSet{Person: 2, Receive: true},
		ProjectRenamed{Project: 3, Company: 1, Name: "N"},
		ProjectDescribed{Project: 3, Company: 1, Description: "D"},
		ProjectPropertiesSet{Project: 3, Company: 1, ProjectProperties: props},
		ProjectRightGranted{Project: 3, Company: 1, Grantee: 2},
		ProjectRightRevoked{Project: 3, Company: 1, Grantee: 2},
		ProjectUnsubscribed{Project: 3, Company: 1, Grantee: 2},
		ProjectJoined{Project: 3, Into: 1, Company: 1, Balance: []Line{{Item: Item{"PBX-Port", 13}, Quantity: 2}}},
		ProjectMoved{Project: 3, From: 1, To: 2, RevokedGrants: []CompanyID{5}},
		ProjectDeleted{Project: 3, Company: 1},
		ContractConcluded{Contract: 1, Company: 1, Kind: ContractMyAppsCloud, By: 2},
		ContractApproved{Contract: 1, Company: 1},
		ContractCancelled{Contract: 1, Company: 1},
	}
}

// TestOrgEventsRoundTrip: every organization event is registered under its
// wire name, decodes to an equal value and names the entities it touches.
func TestOrgEventsRoundTrip(t *testing.T) {
	for _, e := range orgSampleEvents() {
		raw, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeEvent(e.EventType(), raw)
		if err != nil {
			t.Fatalf("%s: %v", e.EventType(), err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s: round trip gave %#v, want %#v", e.EventType(), back, e)
		}
		tags := e.EventTags()
		if len(tags) == 0 {
			t.Errorf("%s has no tags", e.EventType())
		}
		for _, tag := range tags {
			if !strings.Contains(tag, ":") {
				t.Errorf("%s: malformed tag %q", e.EventType(), tag)
			}
		}
	}
}

// TestJoinEventsTagBothSides: history views follow a company join and a
// project move through the tags of both companies.
func TestJoinEventsTagBothSides(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		want []string
	}{
		{CompanyJoined{Company: 1, Absorbed: 2, Projects: []JoinedProject{{Project: 3}}}, []string{"company:1", "company:2", "project:3"}},
		{ProjectMoved{Project: 3, From: 1, To: 2}, []string{"company:1", "company:2", "project:3"}},
		{ProjectJoined{Project: 3, Into: 1, Company: 1}, []string{"company:1", "project:3", "project:1"}},
	} {
		if got := tc.e.EventTags(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s tags = %v, want %v", tc.e.EventType(), got, tc.want)
		}
	}
}
