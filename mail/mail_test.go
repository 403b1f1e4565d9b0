package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/mail"
)

// outbox is the reminders a read model would answer, updated by marks.
type outbox struct{ pending []domain.Reminder }

func (o *outbox) PendingSSAReminders(by domain.Principal) ([]domain.Reminder, error) {
	if !by.Vendor {
		return nil, domain.ErrVendorOnly
	}
	return append([]domain.Reminder(nil), o.pending...), nil
}

// writer records the commands; keys in refuse answer reminder-already-sent.
type writer struct {
	got    []domain.Command
	ids    []string
	refuse map[string]bool
}

func (w *writer) Submit(_ context.Context, r commands.Request) (commands.Result, error) {
	if m, ok := r.Command.(domain.MarkSSAReminderSent); ok && w.refuse[m.Key] {
		return commands.Result{}, domain.Errorf(domain.KindRejected, "reminder-already-sent", "sent")
	}
	w.got, w.ids = append(w.got, r.Command), append(w.ids, r.ID)
	return commands.Result{Positions: []uint64{uint64(len(w.got))}}, nil
}

type sender struct {
	sent []mail.Message
	fail string
}

func (s *sender) Send(_ context.Context, m mail.Message) error {
	if m.To == s.fail {
		return errors.New("relay down")
	}
	s.sent = append(s.sent, m)
	return nil
}

func reminder(key, to string) domain.Reminder {
	return domain.Reminder{SSAReminderDue: domain.SSAReminderDue{Key: key, To: to, Subject: "S " + key, Body: "B"}}
}

var staff = domain.Principal{Person: 1, Vendor: true}

func TestDrainSendsAndMarksEachOnce(t *testing.T) {
	ob := &outbox{pending: []domain.Reminder{reminder("k1", "a@x.example"), reminder("k2", "b@x.example"), reminder("k3", "c@x.example")}}
	w := &writer{refuse: map[string]bool{"k2": true}}
	s := &sender{}
	d := &mail.Drainer{Outbox: ob, Writer: w, Sender: s, As: staff}
	n, err := d.Tick(context.Background(), time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
	if err != nil || n != 2 {
		t.Fatalf("marked %d, err %v; want 2 (k2 was marked by another drainer)", n, err)
	}
	if len(s.sent) != 3 || s.sent[0].Subject != "S k1" {
		t.Fatalf("sent %v", s.sent)
	}
	if run, ok := w.got[0].(domain.SendSSAReminders); !ok || run.Day != domain.MustDay("2026-11-22") {
		t.Fatalf("first command %#v, want the scheduler run for the day", w.got[0])
	}
	var marks []string
	for _, id := range w.ids {
		if strings.HasPrefix(id, "ssa-reminder-sent:") {
			marks = append(marks, id)
		}
	}
	if len(marks) != 2 || marks[0] != "ssa-reminder-sent:k1" || marks[1] != "ssa-reminder-sent:k3" {
		t.Fatalf("mark ids %v: a retried mark must reuse its idempotency key", w.ids)
	}
}

func TestDrainStopsAtASendFailure(t *testing.T) {
	ob := &outbox{pending: []domain.Reminder{reminder("k1", "a@x.example"), reminder("k2", "down@x.example"), reminder("k3", "c@x.example")}}
	w := &writer{}
	d := &mail.Drainer{Outbox: ob, Writer: w, Sender: &sender{fail: "down@x.example"}, As: staff}
	n, err := d.Drain(context.Background())
	if err == nil || n != 1 || len(marks(w)) != 1 {
		t.Fatalf("marked %d (%v), err %v; want 1 marked and the failure", n, w.got, err)
	}
}

// marks are the reminders the writer was asked to mark sent (claims
// come first).
func marks(w *writer) []domain.Command {
	var out []domain.Command
	for _, c := range w.got {
		if _, ok := c.(domain.MarkSSAReminderSent); ok {
			out = append(out, c)
		}
	}
	return out
}

func TestNewSenderDefaultsToLog(t *testing.T) {
	if _, ok := mail.NewSender(mail.SMTPConfig{}, nil).(mail.LogSender); !ok {
		t.Fatal("without a host the sender must only log")
	}
	s, ok := mail.NewSender(mail.SMTPConfig{Host: "smtp.example", From: "ledger@example"}, nil).(mail.SMTPSender)
	if !ok || s.Config.Port != 587 {
		t.Fatalf("smtp sender %#v", s)
	}
	if err := s.Send(context.Background(), mail.Message{To: "a@b.example\r\nBcc: x@y", Subject: "s"}); err == nil {
		t.Fatal("a header injection was sent")
	}
}
