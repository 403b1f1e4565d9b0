package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
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

// flakySender fails its first fails sends.
type flakySender struct {
	fails int
	sent  []mail.Message
}

func (s *flakySender) Send(_ context.Context, m mail.Message) error {
	if s.fails > 0 {
		s.fails--
		return errors.New("relay down")
	}
	s.sent = append(s.sent, m)
	return nil
}

// logRecorder keeps the records' messages with their attributes and
// signals each on seen.
type logRecorder struct {
	mu   sync.Mutex
	recs []string
	seen chan string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	line := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	r.recs = append(r.recs, line)
	r.mu.Unlock()
	r.seen <- rec.Message
	return nil
}

// TestRunRetriesAFailedTick: a failed run is logged at error level,
// counted and reported by Health, and tried again with a doubling backoff
// (not only at the next interval); the run that succeeds clears it.
func TestRunRetriesAFailedTick(t *testing.T) {
	ob := &outbox{pending: []domain.Reminder{reminder("k1", "a@x.example")}}
	s := &flakySender{fails: 3}
	logs := &logRecorder{seen: make(chan string, 100)}
	failed := make(chan error, 10)
	d := &mail.Drainer{Outbox: ob, Writer: &writer{}, Sender: s, As: staff, Logger: slog.New(logs),
		RetryMin: time.Millisecond, Failed: func(err error) { failed <- err }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- d.Run(ctx, time.Hour, func() time.Time { return time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC) })
	}()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run ended with %v", err)
		}
	}()
	for range 3 {
		if err := <-failed; !strings.Contains(err.Error(), "relay down") {
			t.Fatalf("failure reported as %v", err)
		}
	}
	if err := d.Health(); err == nil || !strings.Contains(err.Error(), "relay down") {
		t.Fatalf("Health while failing = %v", err)
	}
	for msg := range logs.seen {
		if msg == "ssa reminders running again" {
			break
		}
	}
	if err := d.Health(); err != nil {
		t.Fatalf("Health after a run succeeded = %v", err)
	}
	if len(s.sent) != 1 {
		t.Fatalf("sent %v, want the reminder once", s.sent)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	for i, want := range []string{"retry_in=1ms", "retry_in=2ms", "retry_in=4ms"} {
		if !strings.HasPrefix(logs.recs[i], "ERROR ssa reminders failed") || !strings.Contains(logs.recs[i], want) {
			t.Errorf("record %d = %q, want an error with %s", i, logs.recs[i], want)
		}
	}
}

// TestDrainWaitsBounded: a read side that never reaches the drainer's
// position (its runner stopped) fails the drain after MaxWait instead of
// holding it for good.
func TestDrainWaitsBounded(t *testing.T) {
	w := &writer{}
	d := &mail.Drainer{Outbox: &outbox{}, Writer: w, Sender: &sender{}, As: staff, MaxWait: 10 * time.Millisecond,
		WaitFor: func(ctx context.Context, _ uint64) error { <-ctx.Done(); return ctx.Err() }}
	done := make(chan error, 1)
	go func() {
		_, err := d.Tick(context.Background(), time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "waiting for the read models") {
			t.Fatalf("Tick = %v, want the wait's failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a drain waits for a stopped read model for good")
	}
}

// TestSMTPSendTimesOut: a relay that accepts the connection and never
// answers fails the send after the timeout instead of holding it.
func TestSMTPSendTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent
		}
	}()
	addr := l.Addr().(*net.TCPAddr)
	s := mail.SMTPSender{Config: mail.SMTPConfig{Host: "127.0.0.1", Port: addr.Port, From: "ledger@x.example", Timeout: 50 * time.Millisecond}}
	done := make(chan error, 1)
	go func() { done <- s.Send(context.Background(), mail.Message{To: "a@x.example", Subject: "s", Body: "b"}) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a silent relay accepted the mail")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a send to a silent relay does not end")
	}
}
