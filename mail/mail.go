// Package mail delivers the SSA expiry reminders: a scheduler run decides
// the reminders due (the SendSSAReminders command writes SSAReminderDue
// events, the outbox), and a drainer sends each pending one through a
// Sender and marks it sent (MarkSSAReminderSent, exactly once per
// reminder). A mail may be sent twice if the process stops between sending
// and marking — delivery is at least once, the record exactly once — which
// is the right side to err on for an expiry warning.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
)

// Message is one mail.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender hands a mail to a mail system.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender only logs mails: the default, so that a node without SMTP
// settings still drains its outbox and shows what it would send.
type LogSender struct {
	Logger *slog.Logger
}

// Send implements Sender.
func (s LogSender) Send(_ context.Context, m Message) error {
	l := s.Logger
	if l == nil {
		l = slog.Default()
	}
	l.Info("ssa reminder (log only)", "to", m.To, "subject", m.Subject)
	return nil
}

// SMTPConfig are the settings of an SMTP relay.
type SMTPConfig struct {
	Host     string // empty: no SMTP, use LogSender
	Port     int    // default 587
	Username string // empty: no authentication
	Password string
	From     string
}

// SMTPSender sends through an SMTP relay with net/smtp, which upgrades to
// TLS with STARTTLS when the server offers it (PLAIN authentication is
// refused by net/smtp over an unencrypted connection to another host).
type SMTPSender struct {
	Config SMTPConfig
}

// NewSender returns an SMTPSender for a configured host, else a LogSender.
func NewSender(c SMTPConfig, log *slog.Logger) Sender {
	if c.Host == "" {
		return LogSender{Logger: log}
	}
	if c.Port == 0 {
		c.Port = 587
	}
	return SMTPSender{Config: c}
}

// Send implements Sender.
func (s SMTPSender) Send(_ context.Context, m Message) error {
	c := s.Config
	if strings.ContainsAny(m.To+m.Subject+c.From, "\r\n") {
		return fmt.Errorf("mail: header value with a line break")
	}
	var auth smtp.Auth
	if c.Username != "" {
		auth = smtp.PlainAuth("", c.Username, c.Password, c.Host)
	}
	body := "From: " + c.From + "\r\nTo: " + m.To + "\r\nSubject: " + m.Subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n") + "\r\n"
	return smtp.SendMail(net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), auth, c.From, []string{m.To}, []byte(body))
}

// Outbox lists the reminders decided and not yet sent (the read side's
// PendingSSAReminders).
type Outbox interface {
	PendingSSAReminders(by domain.Principal) ([]domain.Reminder, error)
}

// Submitter runs commands (a *commands.Writer).
type Submitter interface {
	Submit(ctx context.Context, req commands.Request) (commands.Result, error)
}

// Drainer runs the scheduler and drains the outbox. One goroutine uses a
// Drainer (Run); it remembers the last position it wrote.
type Drainer struct {
	Outbox Outbox
	Writer Submitter
	Sender Sender
	// As is the vendor principal the scheduler acts as.
	As     domain.Principal
	Logger *slog.Logger
	// WaitFor, when set, waits until the read side reached a position, so
	// a drain sees the reminders this drainer decided and the marks it
	// wrote (else a lagging read model would list a sent reminder again).
	WaitFor func(ctx context.Context, pos uint64) error
	// Daily, when set, are more of the scheduler's daily commands, run
	// after the SSA reminders on each tick: the node charges the rentals
	// and decides the rental expiry mails, which go into the same outbox
	// (RentalDaily).
	Daily func(day domain.Day) []domain.Command

	// ID names this drainer in its claims (ClaimReminder); empty: a
	// random one, chosen at the first drain.
	ID string

	// written is the last log position this drainer wrote.
	written uint64
}

// claim takes reminder r for this drainer; false: another drainer sent it
// or is sending it.
func (d *Drainer) claim(ctx context.Context, r domain.Reminder) (bool, error) {
	if d.ID == "" {
		d.ID = nonce()
	}
	// Each claim is a new command (a claim repeated after its time ran
	// out must be decided again, not answered from the first).
	res, err := d.Writer.Submit(ctx, commands.Request{ID: "reminder-claim:" + r.Key + ":" + d.ID + ":" + nonce(), By: d.As,
		Actor: eventstore.Actor{Vendor: true, Channel: eventstore.ChannelSystem}, Command: domain.ClaimReminder{Key: r.Key, Claimant: d.ID}})
	var de *domain.Error
	switch {
	case errors.As(err, &de) && (de.Code == "reminder-claimed" || de.Code == "reminder-already-sent"):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("mail: claiming reminder %s: %w", r.Key, err)
	}
	d.written = max(d.written, res.Last())
	return true, nil
}

// Schedule decides the reminders due on the day of now. Each run is a new
// command: the decider itself decides each reminder once per period, so a
// run later in the day adds only what changed since (an SSA end set in the
// meantime) and a run with nothing due writes nothing.
func (d *Drainer) Schedule(ctx context.Context, now time.Time) (commands.Result, error) {
	day := domain.DayOf(now)
	run := []domain.Command{domain.SendSSAReminders{Day: day}}
	if d.Daily != nil {
		run = append(run, d.Daily(day)...)
	}
	var last commands.Result
	for _, c := range run {
		res, err := d.Writer.Submit(ctx, commands.Request{By: d.As,
			Actor: eventstore.Actor{Vendor: true, Channel: eventstore.ChannelSystem}, Command: c})
		if err != nil {
			return last, err
		}
		if res.Last() >= last.Last() {
			last = res
		}
	}
	return last, nil
}

// RentalDaily are the rental's daily commands: charge every renting
// domain through the day, then decide the expiry mails (after the charge,
// so a rental that lapsed today gets none).
func RentalDaily(day domain.Day) []domain.Command {
	return []domain.Command{domain.ChargeRentals{Day: day}, domain.SendRentalReminders{Day: day}}
}

// Drain sends every pending reminder and marks it sent; it returns how
// many it marked. A reminder another drainer marked meanwhile is skipped;
// a send failure stops the drain (the reminder stays pending for the next
// one).
func (d *Drainer) Drain(ctx context.Context) (int, error) {
	if d.WaitFor != nil {
		if err := d.WaitFor(ctx, d.written); err != nil {
			return 0, err
		}
	}
	pending, err := d.Outbox.PendingSSAReminders(d.As)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range pending {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		// Claimed first, so that of several drainers (API nodes) one sends
		// it; claims are decided one at a time by the writer.
		if ok, err := d.claim(ctx, r); err != nil || !ok {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := d.Sender.Send(ctx, Message{To: r.To, Subject: r.Subject, Body: r.Body}); err != nil {
			return n, fmt.Errorf("mail: sending reminder %s: %w", r.Key, err)
		}
		res, err := d.Writer.Submit(ctx, commands.Request{ID: "ssa-reminder-sent:" + r.Key, By: d.As,
			Actor: eventstore.Actor{Vendor: true, Channel: eventstore.ChannelSystem}, Command: domain.MarkSSAReminderSent{Key: r.Key}})
		var de *domain.Error
		switch {
		case errors.As(err, &de) && de.Code == "reminder-already-sent", err == nil && res.Replayed:
			continue // marked before, by another drainer or an earlier try
		case err != nil:
			return n, fmt.Errorf("mail: marking reminder %s sent: %w", r.Key, err)
		}
		d.written = max(d.written, res.Last())
		n++
	}
	return n, nil
}

// Tick is one scheduler run followed by a drain.
func (d *Drainer) Tick(ctx context.Context, now time.Time) (int, error) {
	res, err := d.Schedule(ctx, now)
	if err != nil {
		return 0, err
	}
	d.written = max(d.written, res.Last())
	return d.Drain(ctx)
}

// Run ticks every interval until ctx ends, logging failures: a failed tick
// is repeated by the next one.
func (d *Drainer) Run(ctx context.Context, every time.Duration, clock func() time.Time) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := d.Tick(ctx, clock()); err != nil {
			d.logger().Warn("ssa reminders", "err", err)
		} else if n > 0 {
			d.logger().Info("ssa reminders sent", "count", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// nonce is 16 random hex digits.
func nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (d *Drainer) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

// Config turns the reminder scheduler of a node on.
type Config struct {
	// Every is the interval between scheduler runs (each followed by a
	// drain); the decider makes extra runs harmless.
	Every time.Duration
	SMTP  SMTPConfig
}

// System is the principal the scheduler and the drainer act as: vendor
// staff without a person (the envelope's actor says channel system).
var System = domain.Principal{Vendor: true}
