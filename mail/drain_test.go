package mail_test

import (
	"context"
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
