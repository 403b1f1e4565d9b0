package domain_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/innolic/ledger/domain"
)

// expiringWorld: 90 PBX-Port rented on 2026-11-22 from 100 iSC. Today
// costs round4(90·22/30) − round4(90·21/30) = 66 − 63 = 3 (97 left); the
// rest of November 24 (73 left); December (31 days): round4(90·25/31) =
// 72.5806 ≤ 73 < 75.4839, so the rental ends on December 25: 33 days
// after today, within the 7 weeks of the first mail.
func expiringWorld() []Event {
	day := MustDay(today)
	return append(rentalWorld(RightLicenses),
		RentalLicensesBound{DomainRef: pbxRef, MAC: mac6000, By: 3, Lines: []RentedLine{rented(1, port13, 90, "1")}},
		RentalCharged{DomainRef: pbxRef, From: day, To: day, Amount: "3", Debit: 3})
}

func TestRentalReminderDeciders(t *testing.T) {
	day := MustDay(today)
	mailed := func(d Day) Event {
		return RentalReminderDue{Domain: "pbx.example.com", SSAReminderDue: SSAReminderDue{Key: "rental/pbx.example.com/bob@example.com/" + d.String(),
			Kind: ReminderRental, Project: 3, Company: 1, To: "bob@example.com", Day: d}}
	}
	runCases(t, []decideCase{
		{name: "mails are for the scheduler", given: expiringWorld(), by: alice, when: SendRentalReminders{}, wantErr: "vendor-only"},
		{name: "not for a day to come", given: expiringWorld(), by: vendor, when: SendRentalReminders{Day: day + 1}, wantErr: "reminder-day-in-future"},
		{name: "one mail a week: none 6 days after the last", given: append(expiringWorld(), mailed(day-6)), by: vendor, when: SendRentalReminders{}},
		{name: "a rental not ending within 7 weeks sends nothing", given: rentalWorld(RightLicenses), by: vendor, when: SendRentalReminders{}},
	})
}

// TestRentalRemindersWeekly: the first mail 7 weeks or less before the
// end, then one a week to each recipient, however often the scheduler
// runs (as several API nodes do: their runs reach the one writer in turn).
func TestRentalRemindersWeekly(t *testing.T) {
	st := stateOf(t, expiringWorld()...)
	first := decideAndApply(t, st, vendor, SendRentalReminders{})
	if len(first) != 1 {
		t.Fatalf("first run: %v", first)
	}
	r := first[0].(RentalReminderDue)
	if r.To != "bob@example.com" || r.DaysLeft != 33 || r.End != MustDay("2026-12-25") || r.Kind != ReminderRental ||
		!strings.Contains(r.Subject, "pbx.example.com") || !strings.Contains(r.Body, "33 more days") {
		t.Fatalf("first mail: %+v", r)
	}
	if again, err := Decide(st, vendor, SendRentalReminders{}, now); err != nil || len(again) != 0 {
		t.Fatalf("second run the same day: %v, %v", again, err)
	}
	if later, err := Decide(st, vendor, SendRentalReminders{}, now.AddDate(0, 0, 6)); err != nil || len(later) != 0 {
		t.Fatalf("6 days later: %v, %v", later, err)
	}
	// The domain's recipients replace the contact person; German texts.
	decideAndApply(t, st, bob, SetDomainSettings{Domain: "pbx.example.com", DomainSettings: DomainSettings{
		Recipients: []string{"ops@example.com", "Bob@Example.com"}, MailLanguage: "de"}})
	week := now.AddDate(0, 0, 7)
	evs, err := Decide(st, vendor, SendRentalReminders{}, week)
	if err != nil || len(evs) != 2 {
		t.Fatalf("a week later: %v, %v", evs, err)
	}
	if de := evs[0].(RentalReminderDue); de.To != "ops@example.com" || !strings.Contains(de.Subject, "endet am 25.12.2026") {
		t.Fatalf("German mail: %+v", de)
	}
	if pending := len(st.PendingReminders()); pending != 1 {
		t.Fatalf("the outbox holds %d reminders, want the first", pending)
	}
	decideAndApply(t, st, vendor, MarkSSAReminderSent{Key: r.Key})
	if _, err := Decide(st, vendor, MarkSSAReminderSent{Key: r.Key}, now); err == nil {
		t.Fatal("a reminder was marked sent twice")
	}
}

func TestClaimReminderDeciders(t *testing.T) {
	due := RentalReminderDue{Domain: "pbx.example.com", SSAReminderDue: SSAReminderDue{Key: "rental/k", Kind: ReminderRental, Project: 3, Company: 1,
		To: "bob@example.com", Day: MustDay(today)}}
	pending := append(expiringWorld(), due)
	claimed := append(append([]Event{}, pending...), ReminderClaimed{Key: "rental/k", Project: 3, Company: 1, Claimant: "node-a", Until: now.Add(5 * time.Minute)})
	stale := append(append([]Event{}, pending...), ReminderClaimed{Key: "rental/k", Project: 3, Company: 1, Claimant: "node-a", Until: now.Add(-time.Minute)})
	runCases(t, []decideCase{
		{name: "a drainer takes a pending reminder for ten minutes", given: pending, by: vendor, when: ClaimReminder{Key: "rental/k", Claimant: "node-b"},
			then: []Event{ReminderClaimed{Key: "rental/k", Project: 3, Company: 1, Claimant: "node-b", Until: now.Add(ReminderClaimFor)}}},
		{name: "another drainer leaves it alone", given: claimed, by: vendor, when: ClaimReminder{Key: "rental/k", Claimant: "node-b"}, wantErr: "reminder-claimed"},
		{name: "unless the claim ran out", given: stale, by: vendor, when: ClaimReminder{Key: "rental/k", Claimant: "node-b"},
			then: []Event{ReminderClaimed{Key: "rental/k", Project: 3, Company: 1, Claimant: "node-b", Until: now.Add(ReminderClaimFor)}}},
		{name: "a sent reminder is not taken", given: append(append([]Event{}, claimed...), SSAReminderSent{Key: "rental/k", Project: 3, Company: 1}), by: vendor,
			when: ClaimReminder{Key: "rental/k", Claimant: "node-a"}, wantErr: "reminder-already-sent"},
		{name: "an unknown reminder", given: pending, by: vendor, when: ClaimReminder{Key: "nope", Claimant: "node-a"}, wantErr: "reminder-not-found"},
		{name: "a claimant", given: pending, by: vendor, when: ClaimReminder{Key: "rental/k"}, wantErr: "invalid-claim"},
		{name: "drainers are vendor staff", given: pending, by: alice, when: ClaimReminder{Key: "rental/k", Claimant: "x"}, wantErr: "vendor-only"},
	})
}
