package domain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Reminder timing (reference "SSA Expiry Mail"): the company's persons get
// a mail 7 weeks before the project's SSA end and then one every week;
// end users get one mail 30 days before.
const (
	PersonReminderDays  = 7 * 7
	EndUserReminderDays = 30
	// MaxEndUsers bounds the end-user addresses of a project.
	MaxEndUsers = 20
	// MaxReminderText bounds an end-user text.
	MaxReminderText = 4000
)

// DefaultEndUserText is the portal's default end-user mail. Placeholders:
// {$arg[1]} days left, {$arg[2]} reseller mail, {$arg[3]} project name.
const DefaultEndUserText = `Your Software Service Agreement for your innovaphone PBX in project "{$arg[3]}" will expire in {$arg[1]} days.
Please contact your reseller {$arg[2]} to upgrade the license.
The upgrade of the license is important to secure the phone system!`

// SetSSAMailSettings replaces a project's SSA expiry mail settings.
// Refusals, in order: project-not-found, the right to edit the project,
// invalid-email (reseller or an end user), too-many-end-users,
// invalid-text (a control character other than tab and newline, invalid
// UTF-8, or longer than MaxReminderText).
type SetSSAMailSettings struct {
	Project ProjectID
	SSAMailSettings
}

// CommandType implements Command.
func (SetSSAMailSettings) CommandType() string { return "SetSSAMailSettings" }

func (c SetSSAMailSettings) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	set := SSAMailSettings{NoMails: c.NoMails, ResellerMail: strings.TrimSpace(c.ResellerMail), Text: strings.TrimSpace(c.Text)}
	if set.ResellerMail != "" && !validEmail(set.ResellerMail) {
		return nil, Errorf(KindInvalid, "invalid-email", "%q is not an email address", set.ResellerMail)
	}
	for _, m := range c.EndUsers {
		m = strings.TrimSpace(m)
		if !validEmail(m) {
			return nil, Errorf(KindInvalid, "invalid-email", "%q is not an email address", m)
		}
		set.EndUsers = append(set.EndUsers, m)
	}
	if len(set.EndUsers) > MaxEndUsers {
		return nil, Errorf(KindInvalid, "too-many-end-users", "at most %d end-user addresses", MaxEndUsers)
	}
	if err := checkReminderText(set.Text); err != nil {
		return nil, err
	}
	return []Event{SSAMailSettingsSet{Project: p.ID, Company: p.Company, SSAMailSettings: set}}, nil
}

func checkReminderText(t string) error {
	if err := CheckText("text", t, MultiLine, 0); err != nil {
		return err
	}
	if len([]rune(t)) > MaxReminderText {
		return Errorf(KindInvalid, "invalid-text", "a mail text has at most %d characters", MaxReminderText)
	}
	return nil
}

// SetEndUserText sets a company's default end-user text (Administrator
// only; empty restores the built-in text). Refusals: company-not-found,
// not-member/not-administrator, invalid-text.
type SetEndUserText struct {
	Company CompanyID
	Text    string
}

// CommandType implements Command.
func (SetEndUserText) CommandType() string { return "SetEndUserText" }

func (c SetEndUserText) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	text := strings.TrimSpace(c.Text)
	if err := checkReminderText(text); err != nil {
		return nil, err
	}
	return []Event{EndUserTextSet{Company: c.Company, Text: text}}, nil
}

// SendSSAReminders is the scheduler's daily command: every reminder due on
// Day (zero: today) — per project, and per device for companies that asked
// for it (SetDeviceSSAReminders) — that was not decided before becomes an
// SSAReminderDue
// in the outbox. It is idempotent per project, SSA end, recipient and
// period — run it as often as you like; a missed day is caught up by the
// next run within the same week. A run with nothing due writes nothing.
// Refusals: vendor-only (the scheduler runs as vendor staff),
// reminder-day-in-future.
type SendSSAReminders struct {
	Day Day
}

// CommandType implements Command.
func (SendSSAReminders) CommandType() string { return "SendSSAReminders" }

func (c SendSSAReminders) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	day, err := schedulerDay(by, c.Day, now, "reminder-day-in-future")
	if err != nil {
		return nil, err
	}
	var due []SSAReminderDue
	for _, id := range sortedKeys(s.Projects) {
		due = append(due, s.remindersDue(s.Projects[id], day)...)
	}
	for _, c := range sortedKeys(s.DeviceSSA) {
		due = append(due, s.deviceRemindersDue(c, day)...)
	}
	var out []Event
	for _, r := range due {
		if _, done := s.Reminders[r.Key]; !done {
			out = append(out, r)
		}
	}
	return out, nil
}

// remindersDue lists a project's reminders for a day: persons in the
// reminder weeks, end users in the last 30 days, never on or after the end.
func (s *State) remindersDue(p *Project, day Day) []SSAReminderDue {
	end, _ := ParseDay(p.SSAEnd)
	left := int(end - day)
	if end.IsZero() || left <= 0 {
		return nil
	}
	set := s.MailSettings[p.ID]
	base := SSAReminderDue{Project: p.ID, Company: p.Company, End: end, Day: day, DaysLeft: left}
	var out []SSAReminderDue
	if left <= PersonReminderDays && !set.NoMails {
		week := (PersonReminderDays - left) / 7
		for _, m := range s.reminderPersons(p.Company) {
			r := base
			r.Kind, r.Person, r.To = ReminderPerson, m.ID, m.Email
			r.Key = fmt.Sprintf("ssa/%d/%s/person/%d/week-%d", p.ID, end, m.ID, week)
			r.Subject = fmt.Sprintf("SSA of project %q expires on %s", p.Name, end)
			r.Body = fmt.Sprintf("The software service agreement (SSA) of project %q expires in %d days, on %s.\n"+
				"Extend it on the project's Software Service page.", p.Name, left, end)
			out = append(out, r)
		}
	}
	if left <= EndUserReminderDays {
		body := s.endUserText(p, set, left)
		for _, to := range set.EndUsers {
			r := base
			r.Kind, r.To = ReminderEndUser, to
			r.Key = fmt.Sprintf("ssa/%d/%s/end-user/%s", p.ID, end, strings.ToLower(to))
			r.Subject = fmt.Sprintf("Your Software Service Agreement expires in %d days", left)
			r.Body = body
			out = append(out, r)
		}
	}
	return out
}

// reminderPersons are the company's members who receive SSA mails: not
// locked and not opted out, by person id.
func (s *State) reminderPersons(c CompanyID) []*Person {
	var out []*Person
	co := s.Companies[c]
	for _, id := range sortedKeys(co.Members) {
		p, ok := s.Persons[id]
		if ok && co.Members[id].Right != RightLocked && !p.NoSSAMail {
			out = append(out, p)
		}
	}
	return out
}

// endUserText fills the placeholders of the project's text, else the
// company's, else the built-in one.
func (s *State) endUserText(p *Project, set SSAMailSettings, left int) string {
	text := set.Text
	if text == "" {
		text = s.EndUserTexts[p.Company]
	}
	if text == "" {
		text = DefaultEndUserText
	}
	return strings.NewReplacer("{$arg[1]}", strconv.Itoa(left), "{$arg[2]}", set.ResellerMail, "{$arg[3]}", p.Name).Replace(text)
}

// MarkSSAReminderSent records that a reminder's mail was handed to the
// mail server, exactly once. Refusals: vendor-only, reminder-not-found,
// reminder-already-sent.
type MarkSSAReminderSent struct {
	Key string
}

// CommandType implements Command.
func (MarkSSAReminderSent) CommandType() string { return "MarkSSAReminderSent" }

func (c MarkSSAReminderSent) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	r, ok := s.Reminders[c.Key]
	if !ok {
		return nil, Errorf(KindNotFound, "reminder-not-found", "no reminder %q", c.Key)
	}
	if r.Sent {
		return nil, Errorf(KindRejected, "reminder-already-sent", "reminder %q was sent on %s", c.Key, r.SentOn)
	}
	return []Event{SSAReminderSent{Key: r.Key, Project: r.Project, Company: r.Company, Day: DayOf(now)}}, nil
}

// UpcomingExpiries lists the company's projects whose SSA end lies within
// days after day, soonest first (the read side's upcoming-expiries query).
func (s *State) UpcomingExpiries(c CompanyID, day Day, days int) []*Project {
	var out []*Project
	for _, id := range s.ProjectsOf(c) {
		p := s.Projects[id]
		if end, _ := ParseDay(p.SSAEnd); !end.IsZero() && end >= day && int(end-day) <= days {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SSAEnd != out[j].SSAEnd {
			return out[i].SSAEnd < out[j].SSAEnd
		}
		return out[i].ID < out[j].ID
	})
	return out
}
