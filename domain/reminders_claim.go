package domain

import (
	"fmt"
	"time"
)

// ReminderClaimFor is how long a drainer holds a reminder it claimed.
const ReminderClaimFor = 10 * time.Minute

// ReminderClaimed: a mail drainer took a pending reminder to send it;
// other drainers leave it alone until Until (then, if it is still not
// marked sent, the drainer that took it is presumed gone and another may
// take it). This makes several drainers (API nodes) send each reminder
// once: the writer decides claims one at a time.
type ReminderClaimed struct {
	Key      string    `json:"key"`
	Project  ProjectID `json:"project"`
	Company  CompanyID `json:"company"`
	Claimant string    `json:"claimant"`
	Until    time.Time `json:"until"`
}

// EventType implements Event.
func (ReminderClaimed) EventType() string { return "ReminderClaimed" }

// EventTags implements Event.
func (e ReminderClaimed) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

func (e ReminderClaimed) apply(s *State) error {
	r, ok := s.Reminders[e.Key]
	if !ok {
		return fmt.Errorf("%s: unknown reminder %q", e.EventType(), e.Key)
	}
	r.ClaimedBy, r.ClaimedUntil = e.Claimant, e.Until
	return nil
}

// ClaimReminder takes a pending reminder for a drainer (Claimant, an id
// unique per drainer) for ReminderClaimFor. Refusals: vendor-only,
// invalid-claim (no claimant), reminder-not-found, reminder-already-sent,
// reminder-claimed (another drainer holds it).
type ClaimReminder struct {
	Key      string
	Claimant string
}

// CommandType implements Command.
func (ClaimReminder) CommandType() string { return "ClaimReminder" }

func (c ClaimReminder) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	if c.Claimant == "" {
		return nil, Errorf(KindInvalid, "invalid-claim", "a claim names its drainer")
	}
	r, ok := s.Reminders[c.Key]
	if !ok {
		return nil, Errorf(KindNotFound, "reminder-not-found", "no reminder %q", c.Key)
	}
	if r.Sent {
		return nil, Errorf(KindRejected, "reminder-already-sent", "reminder %q was sent on %s", c.Key, r.SentOn)
	}
	if r.ClaimedBy != "" && r.ClaimedBy != c.Claimant && now.Before(r.ClaimedUntil) {
		return nil, Errorf(KindRejected, "reminder-claimed", "reminder %q is being sent by another drainer", c.Key)
	}
	return []Event{ReminderClaimed{Key: r.Key, Project: r.Project, Company: r.Company, Claimant: c.Claimant, Until: now.UTC().Add(ReminderClaimFor)}}, nil
}
