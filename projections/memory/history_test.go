package memory

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// records wraps events as log records, one minute apart, acted by person 1.
func records(evs ...domain.Event) []replay.Record {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]replay.Record, len(evs))
	for i, e := range evs {
		out[i] = replay.Record{Event: e, Env: &eventstore.Envelope{Seq: uint64(i + 1), Type: e.EventType(), Tags: e.EventTags(),
			Time: t0.Add(time.Duration(i) * time.Minute), Actor: eventstore.Actor{Person: "1", Channel: "api"}}}
	}
	return out
}

func historyText(t *testing.T, m *Model, q projections.HistoryQuery) string {
	t.Helper()
	q.Limit = 100
	p, err := m.History(domain.Principal{Person: 1, Vendor: true}, q)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range p.Rows {
		fmt.Fprintf(&b, "%d %s\n", r.Position, r.Summary)
	}
	return b.String()
}

// The history projection assigns rows to companies when they happen and is
// unchanged by applying a batch twice.
func TestHistoryAssignsRowsWhenTheyHappen(t *testing.T) {
	recs := records(
		domain.PersonRegistered{Person: 1, Email: "a@example.com", Name: "A"},
		domain.CompanyCreated{Company: 1, Name: "One", Creator: 1},
		domain.ProjectCreated{Project: 1, Company: 1, Name: "DEFAULT"},
		domain.CompanyCreated{Company: 2, Name: "Two", Creator: 1},
		domain.ProjectCreated{Project: 2, Company: 2, Name: "DEFAULT"},
		domain.ProjectDescribed{Project: 1, Company: 1, Description: "before"},
		domain.ProjectMoved{Project: 1, From: 1, To: 2},
		domain.ProjectDescribed{Project: 1, Company: 2, Description: "after"},
	)
	m := New(catalog.Default())
	for range 2 {
		if err := m.Apply(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
	}
	one := historyText(t, m, projections.HistoryQuery{Context: projections.HistoryCompany, Company: 1})
	two := historyText(t, m, projections.HistoryQuery{Context: projections.HistoryCompany, Company: 2, Project: 1})
	wantOne := "7 Project 1 moved from company 1 to company 2\n6 Project described: company 1, project 1\n" +
		"3 Project \"DEFAULT\" (1) created\n2 Company \"One\" (1) created by person 1\n"
	wantTwo := "8 Project described: company 2, project 1\n7 Project 1 moved from company 1 to company 2\n"
	if one != wantOne || two != wantTwo {
		t.Fatalf("company 1:\n%s\nwant\n%s\ncompany 2, project 1:\n%s\nwant\n%s", one, wantOne, two, wantTwo)
	}
	// Windows cut by event time; the cursor continues below a position.
	w := historyText(t, m, projections.HistoryQuery{Context: projections.HistoryCompany, Company: 1,
		From: time.Date(2026, 1, 1, 0, 2, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 6, 0, 0, time.UTC), Before: 6})
	if w != "3 Project \"DEFAULT\" (1) created\n" {
		t.Fatalf("window and cursor: %q", w)
	}
}

func TestMergeSorted(t *testing.T) {
	got := fmt.Sprint(mergeSorted([]int32{1, 4, 6}, []int32{2, 4, 7, 9}))
	if got != "[1 2 4 6 7 9]" {
		t.Fatalf("merge = %s", got)
	}
}

// A device in two companies: each company's history has its own doings
// with the device; an event naming no company (the vendor receiving the
// device back) goes to every company holding it.
func TestHistoryOfASharedDevice(t *testing.T) {
	const mac = domain.MAC("00-90-33-00-00-01")
	recs := records(
		domain.PersonRegistered{Person: 1, Email: "a@example.com", Name: "A"},
		domain.CompanyCreated{Company: 1, Name: "One", Creator: 1},
		domain.ProjectCreated{Project: 1, Company: 1, Name: "DEFAULT"},
		domain.CompanyCreated{Company: 2, Name: "Two", Creator: 1},
		domain.ProjectCreated{Project: 2, Company: 2, Name: "DEFAULT"},
		domain.DeviceRegistered{MAC: mac, Type: "IP0010", OrderNumber: "SO-1", Delivered: "2026-01-01"},
		domain.DeviceAdded{MAC: mac, Company: 1, Project: 1},
		domain.DeviceAdded{MAC: mac, Company: 2, Project: 2, InOtherCompany: true},
		domain.DeviceChanged{MAC: mac, Company: 2, Name: "Two's name", Comment: "private to two"},
		domain.RMARequestedEvent{MAC: mac, Company: 1},
		domain.RMAReceivedEvent{MAC: mac},
	)
	m := New(catalog.Default())
	if err := m.Apply(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	dev := func(c domain.CompanyID) string {
		return historyText(t, m, projections.HistoryQuery{Context: projections.HistoryDevice, Device: string(mac), Company: c})
	}
	one, two := dev(1), dev(2)
	wantOne := "11 RMA received: device 00-90-33-00-00-01\n10 RMA requested: device 00-90-33-00-00-01, company 1\n" +
		"7 Device 00-90-33-00-00-01 added to project 1\n"
	wantTwo := "11 RMA received: device 00-90-33-00-00-01\n9 Device changed: device 00-90-33-00-00-01, company 2\n" +
		"8 Device 00-90-33-00-00-01 added to project 2\n"
	if one != wantOne || two != wantTwo {
		t.Fatalf("company 1 sees:\n%s\nwant\n%s\ncompany 2 sees:\n%s\nwant\n%s", one, wantOne, two, wantTwo)
	}
}
