package mail_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/mail"
)

// On a real node: the scheduler decides the reminders into the log, the
// drainer sends them from the read model's outbox and marks them, and a
// second tick sends nothing.
func TestDrainerOnANode(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC) }
	store := memstore.New()
	node, err := app.Start(ctx, app.Config{Store: store, AdminToken: "lt_mail-test", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close(); store.Close() })
	staff := domain.Principal{Person: 1, Vendor: true}
	for _, c := range []domain.Command{
		domain.CreateCompany{Name: "Reseller"},
		domain.ExtendProjectSSA{Project: 1, End: domain.MustDay("2026-12-22")},
		domain.SetSSAMailSettings{Project: 1, SSAMailSettings: domain.SSAMailSettings{EndUsers: []string{"it@customer.example"}}},
	} {
		if _, err := node.Writer.Submit(ctx, commands.Request{By: staff, Command: c}); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
	s := &sender{}
	d := &mail.Drainer{Outbox: node.Model, Writer: node.Writer, Sender: s, As: mail.System, WaitFor: node.Runner.WaitFor}
	n, err := d.Tick(ctx, clock())
	if err != nil || n != 2 || len(s.sent) != 2 {
		t.Fatalf("first tick: marked %d, sent %v, err %v", n, s.sent, err)
	}
	if n, err := d.Tick(ctx, clock()); err != nil || n != 0 || len(s.sent) != 2 {
		t.Fatalf("second tick: marked %d, sent %d, err %v", n, len(s.sent), err)
	}
}

// TestFailingRemindersShowInReadyz: on a node whose mail relay refuses
// connections, the drainer's failures are counted in /metrics and named
// by /readyz, which still answers 200: a relay down must not take every
// node out of the load balancer.
func TestFailingRemindersShowInReadyz(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC) }
	store := memstore.New()
	node, err := app.Start(ctx, app.Config{Store: store, AdminToken: "lt_mail-test", Clock: clock,
		Mail: &mail.Config{Every: 10 * time.Millisecond, RetryMin: time.Millisecond,
			SMTP: mail.SMTPConfig{Host: "127.0.0.1", Port: port, From: "ledger@vendor.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close(); store.Close() })
	staff := domain.Principal{Person: 1, Vendor: true}
	for _, c := range []domain.Command{
		domain.CreateCompany{Name: "Reseller"},
		domain.ExtendProjectSSA{Project: 1, End: domain.MustDay("2026-12-22")},
		domain.SetSSAMailSettings{Project: 1, SSAMailSettings: domain.SSAMailSettings{EndUsers: []string{"it@customer.example"}}},
	} {
		if _, err := node.Writer.Submit(ctx, commands.Request{By: staff, Command: c}); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
	serve := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		node.Server.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	counted := regexp.MustCompile(`(?m)^ledger_ssa_reminder_errors_total [1-9]`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		code, body := serve("/readyz")
		_, metrics := serve("/metrics")
		if code == http.StatusOK && strings.Contains(body, `"warnings":["ssa reminders failing: `) && counted.MatchString(metrics) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %s; /metrics counts no reminder errors", code, body)
		}
	}
}

// Rental expiry mails on a node with two drainers (two API nodes on one
// writer): the first mail 7 weeks or less before the rental end, then one
// a week, each exactly once per recipient however many drainers tick.
func TestRentalMailsOncePerRecipientAndWeek(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memstore.New()
	node, err := app.Start(ctx, app.Config{Store: store, AdminToken: "lt_mail-test", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Close(); store.Close() })
	staff := domain.Principal{Person: 1, Vendor: true}
	for _, c := range []domain.Command{
		domain.CreateCompany{Name: "Reseller"},
		domain.ConcludeContract{Company: 1, Kind: domain.ContractSoftwareRental},
		domain.ApproveContract{Contract: 1},
		domain.CreateDevicesInstance{Company: 1, Name: "apps.example.com", Password: "pw"},
		domain.CreateDomain{Instance: 1, Name: "pbx.example.com", Password: "pw",
			DomainSettings: domain.DomainSettings{Recipients: []string{"ops@reseller.example"}}},
		domain.AddDomainDevice{Domain: "pbx.example.com", MAC: "00-50-56-00-00-01"},
		domain.IssueKey{Code: "ISC-1", Lines: []domain.Line{{Item: domain.ISCItem, Quantity: 100}}},
		domain.RedeemDomainKey{Domain: "pbx.example.com", Code: "ISC-1"},
		// 90 a month from 100 iSC: the rental ends on December 25.
		domain.RentLicenses{Domain: "pbx.example.com", MAC: "00-50-56-00-00-01",
			Licenses: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 90}}},
	} {
		if _, err := node.Writer.Submit(ctx, commands.Request{By: staff, Command: c}); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
	s := &sender{}
	drainers := []*mail.Drainer{
		{Outbox: node.Model, Writer: node.Writer, Sender: s, As: mail.System, WaitFor: node.Runner.WaitFor, Daily: mail.RentalDaily},
		{Outbox: node.Model, Writer: node.Writer, Sender: s, As: mail.System, WaitFor: node.Runner.WaitFor, Daily: mail.RentalDaily},
	}
	tickAll := func() {
		t.Helper()
		for _, d := range drainers {
			if _, err := d.Tick(ctx, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	tickAll()
	if len(s.sent) != 1 || s.sent[0].To != "ops@reseller.example" {
		t.Fatalf("first day: sent %v", s.sent)
	}
	for range 6 { // the following six days: no mail
		now = now.AddDate(0, 0, 1)
		tickAll()
	}
	if len(s.sent) != 1 {
		t.Fatalf("within the week: sent %v", s.sent)
	}
	now = now.AddDate(0, 0, 1)
	tickAll()
	if len(s.sent) != 2 {
		t.Fatalf("a week later: sent %v", s.sent)
	}
}
