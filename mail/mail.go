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
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"sync/atomic"
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
	// Timeout bounds one mail, from dialing to QUIT (default 1 minute):
	// a relay that accepts the connection and never answers must not
	// hold the drainer.
	Timeout time.Duration
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

// Send implements Sender, within ctx and the configured timeout.
func (s SMTPSender) Send(ctx context.Context, m Message) error {
	c := s.Config
	if strings.ContainsAny(m.To+m.Subject+c.From, "\r\n") {
		return fmt.Errorf("mail: header value with a line break")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	// Closing the connection when ctx ends unblocks a read in progress.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	body := "From: " + c.From + "\r\nTo: " + m.To + "\r\nSubject: " + m.Subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n") + "\r\n"
	return s.converse(conn, m.To, []byte(body))
}

// converse is smtp.SendMail on an open connection: STARTTLS when the
// server offers it, PLAIN authentication when configured (net/smtp refuses
// it over an unencrypted connection to another host), one recipient.
func (s SMTPSender) converse(conn net.Conn, to string, body []byte) error {
	c := s.Config
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host}); err != nil {
			return fmt.Errorf("mail: %w", err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("mail: %w", err)
		}
	}
	if err := cl.Mail(c.From); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return cl.Quit()
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
	// MaxWait bounds that wait (default 1 minute): a read model that
	// stopped must fail the drain, not hold it.
	MaxWait time.Duration
	// RetryMin is the first wait after a failed run, doubled after each
	// further failure up to the interval of Run (default 1 second).
	RetryMin time.Duration
	// Failed, when set, is told every failed run: the metrics count them.
	Failed func(error)

	// written is the last log position this drainer wrote.
	written uint64
	// lastErr is the failure of the last run, until a run succeeds.
	lastErr atomic.Pointer[error]
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
	if err := d.waitForReadSide(ctx); err != nil {
		return 0, err
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

// waitForReadSide waits, bounded by MaxWait, until the read side holds
// what this drainer wrote.
func (d *Drainer) waitForReadSide(ctx context.Context) error {
	if d.WaitFor == nil {
		return nil
	}
	wait := d.MaxWait
	if wait <= 0 {
		wait = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := d.WaitFor(ctx, d.written); err != nil {
		return fmt.Errorf("mail: waiting for the read models to reach position %d: %w", d.written, err)
	}
	return nil
}

// Run ticks every interval until ctx ends. A failed tick is logged at
// error level, counted (Failed) and reported by Health, and tried again
// after a backoff (RetryMin doubling up to every); a tick that succeeds
// clears it.
func (d *Drainer) Run(ctx context.Context, every time.Duration, clock func() time.Time) error {
	if every <= 0 {
		return errors.New("mail: the reminder interval must be positive")
	}
	retry := d.retryMin(every)
	for {
		next := every
		n, err := d.Tick(ctx, clock())
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			next, retry = retry, min(2*retry, every)
			d.fail(err, next)
		default:
			retry = d.retryMin(every)
			d.succeeded(n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(next):
		}
	}
}

// nonce is 16 random hex digits.
func nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Health is nil unless the last run failed: then it is that failure, until
// a run succeeds.
func (d *Drainer) Health() error {
	if p := d.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (d *Drainer) retryMin(every time.Duration) time.Duration {
	if d.RetryMin > 0 {
		return min(d.RetryMin, every)
	}
	return min(time.Second, every)
}

func (d *Drainer) fail(err error, retry time.Duration) {
	d.logger().Error("ssa reminders failed; retrying", "retry_in", retry, "err", err)
	d.lastErr.Store(&err)
	if d.Failed != nil {
		d.Failed(err)
	}
}

func (d *Drainer) succeeded(n int) {
	if d.lastErr.Swap(nil) != nil {
		d.logger().Info("ssa reminders running again")
	}
	if n > 0 {
		d.logger().Info("ssa reminders sent", "count", n)
	}
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
	// MaxWait and RetryMin are the Drainer's (0: their defaults).
	MaxWait, RetryMin time.Duration
}

// System is the principal the scheduler and the drainer act as: vendor
// staff without a person (the envelope's actor says channel system).
var System = domain.Principal{Vendor: true}
