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
