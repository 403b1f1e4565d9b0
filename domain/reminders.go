package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Reminding is the state of SSA expiry mails: per-project settings, the
// companies' default end-user texts, and the outbox of reminders decided
// (SSAReminderDue) and sent (SSAReminderSent). The outbox is in the log so
// that each reminder is decided once per period and marked sent once, by
// whichever node drains it.
type Reminding struct {
	MailSettings map[ProjectID]SSAMailSettings
	EndUserTexts map[CompanyID]string
	// DeviceSSA are the companies' per-device reminder settings.
	DeviceSSA map[CompanyID]DeviceSSASettings
	Reminders map[string]*Reminder
}

func newReminding() Reminding {
	return Reminding{MailSettings: map[ProjectID]SSAMailSettings{}, EndUserTexts: map[CompanyID]string{},
		DeviceSSA: map[CompanyID]DeviceSSASettings{}, Reminders: map[string]*Reminder{}}
}

// SSAMailSettings are a project's "SSA Expiry Mail" settings.
type SSAMailSettings struct {
	// NoMails turns off the reminders to the company's persons for this
	// project (the checkbox "Send SSA expiry mails", inverted so that the
	// zero value sends).
	NoMails bool `json:"no_mails,omitempty"`
	// ResellerMail is named in the end users' mail ({$arg[2]}).
	ResellerMail string `json:"reseller_mail,omitempty" maxLength:"254"`
	// EndUsers receive one mail 30 days before the project's SSA end.
	EndUsers []string `json:"end_users,omitempty" maxLength:"254"`
	// Text overrides the company's end-user text; empty: the company's.
	Text string `json:"text,omitempty" maxLength:"4000" text:"multiline"`
}

// Reminder is one decided reminder and whether it was sent.
type Reminder struct {
	SSAReminderDue
	Sent bool `json:"sent"`
	// SentOn is the day it was marked sent.
	SentOn Day `json:"sent_on,omitempty"`
	// ClaimedBy is the drainer sending it, until ClaimedUntil
	// (ClaimReminder).
	ClaimedBy    string    `json:"claimed_by,omitempty"`
	ClaimedUntil time.Time `json:"claimed_until,omitzero"`
}

func reminderEvents() []registration {
	return []registration{reg[SSAMailSettingsSet](), reg[EndUserTextSet](), reg[SSAReminderDue](), reg[SSAReminderSent](),
		reg[DeviceSSARemindersSet](), reg[ReminderClaimed]()}
}

// SSAMailSettingsSet: a project's SSA expiry mail settings were replaced.
type SSAMailSettingsSet struct {
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	SSAMailSettings
}

// EndUserTextSet: a company's default end-user expiry text (empty: the
// built-in text).
type EndUserTextSet struct {
	Company CompanyID `json:"company"`
	Text    string    `json:"text"`
}

// The kinds of reminders.
const (
	ReminderPerson  = "person"   // a member of the project's company, weekly from 7 weeks before
	ReminderEndUser = "end-user" // an end-user address, once 30 days before
)

// (ReminderDevice, per device, is in reminders_device.go.)

// SSAReminderDue: a reminder mail is due; it waits in the outbox until a
// drainer sends it. Key is unique per project, SSA end, recipient and
// period, so a scheduler may run as often as it likes.
type SSAReminderDue struct {
	Key      string    `json:"key"`
	Kind     string    `json:"kind"`
	Project  ProjectID `json:"project"`
	Company  CompanyID `json:"company"`
	End      Day       `json:"end"`
	Day      Day       `json:"day"`
	DaysLeft int       `json:"days_left"`
	Person   PersonID  `json:"person,omitempty"`
	MAC      MAC       `json:"mac,omitempty"` // per-device reminders
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Body     string    `json:"body"`
}

// SSAReminderSent: the mail of reminder Key was handed to the mail server.
type SSAReminderSent struct {
	Key     string    `json:"key"`
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Day     Day       `json:"day"`
}

// EventType implements Event.
func (SSAMailSettingsSet) EventType() string { return "SSAMailSettingsSet" }

// EventType implements Event.
func (EndUserTextSet) EventType() string { return "EndUserTextSet" }

// EventType implements Event.
func (SSAReminderDue) EventType() string { return "SSAReminderDue" }

// EventType implements Event.
func (SSAReminderSent) EventType() string { return "SSAReminderSent" }

// EventTags implements Event.
func (e SSAMailSettingsSet) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

// EventTags implements Event.
func (e EndUserTextSet) EventTags() []string { return []string{e.Company.Tag()} }

// EventTags implements Event.
func (e SSAReminderDue) EventTags() []string {
	tags := []string{e.Company.Tag(), e.Project.Tag()}
	if e.Person != 0 {
		tags = append(tags, e.Person.Tag())
	}
	if e.MAC != "" {
		tags = append(tags, e.MAC.Tag())
	}
	return tags
}

// EventTags implements Event.
func (e SSAReminderSent) EventTags() []string { return []string{e.Company.Tag(), e.Project.Tag()} }

func (e SSAMailSettingsSet) apply(s *State) error {
	if _, err := s.knownProject(e.EventType(), e.Project); err != nil {
		return err
	}
	s.MailSettings[e.Project] = e.SSAMailSettings
	return nil
}

func (e EndUserTextSet) apply(s *State) error {
	if _, ok := s.Companies[e.Company]; !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.EndUserTexts[e.Company] = e.Text
	return nil
}

func (e SSAReminderDue) apply(s *State) error {
	if _, dup := s.Reminders[e.Key]; dup {
		return fmt.Errorf("%s: reminder %q decided twice", e.EventType(), e.Key)
	}
	s.Reminders[e.Key] = &Reminder{SSAReminderDue: e}
	return nil
}

func (e SSAReminderSent) apply(s *State) error {
	r, ok := s.Reminders[e.Key]
	if !ok {
		return fmt.Errorf("%s: unknown reminder %q", e.EventType(), e.Key)
	}
	r.Sent, r.SentOn = true, e.Day
	return nil
}

// PendingReminders lists the reminders not yet sent, by due day and key:
// the outbox a drainer sends from.
func (s *State) PendingReminders() []Reminder {
	var out []Reminder
	for _, r := range s.Reminders {
		if !r.Sent {
			out = append(out, *r)
		}
	}
	sortReminders(out)
	return out
}

func sortReminders(rs []Reminder) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Day != rs[j].Day {
			return rs[i].Day < rs[j].Day
		}
		return rs[i].Key < rs[j].Key
	})
}

// fingerprintReminders writes the reminder state in sorted order.
func (s *State) fingerprintReminders(enc *json.Encoder) {
	for _, id := range sortedKeys(s.MailSettings) {
		_ = enc.Encode([]any{"ssa-mail", id, s.MailSettings[id]})
	}
	for _, id := range sortedKeys(s.EndUserTexts) {
		_ = enc.Encode([]any{"end-user-text", id, s.EndUserTexts[id]})
	}
	for _, id := range sortedKeys(s.DeviceSSA) {
		_ = enc.Encode([]any{"device-ssa", id, s.DeviceSSA[id]})
	}
	all := make([]Reminder, 0, len(s.Reminders))
	for _, r := range s.Reminders {
		all = append(all, *r)
	}
	sortReminders(all)
	_ = enc.Encode([]any{"reminders", all})
}
