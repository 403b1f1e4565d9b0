package domain

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Per-device SSA reminders (reference: Company > "Device SSA"): a company
// may ask for reminders for each device whose licenses' SSA ends, whatever
// the project's SSA end, weekly from seven weeks before, to its persons
// with the SSA mail flag and to additional addresses.

// ReminderDevice is the kind of a per-device reminder.
const ReminderDevice = "device"

// MaxDeviceSSAMails bounds the additional addresses of a company.
const MaxDeviceSSAMails = 20

// DeviceSSASettings are a company's per-device reminder settings.
type DeviceSSASettings struct {
	On    bool     `json:"on"`
	Mails []string `json:"mails,omitempty" maxLength:"254"`
}

// DeviceSSARemindersSet: a company's per-device reminder settings changed.
type DeviceSSARemindersSet struct {
	Company CompanyID `json:"company"`
	DeviceSSASettings
}

// EventType implements Event.
func (DeviceSSARemindersSet) EventType() string { return "DeviceSSARemindersSet" }

// EventTags implements Event.
func (e DeviceSSARemindersSet) EventTags() []string { return []string{e.Company.Tag()} }

func (e DeviceSSARemindersSet) apply(s *State) error {
	if _, ok := s.Companies[e.Company]; !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.DeviceSSA[e.Company] = e.DeviceSSASettings
	return nil
}

// SetDeviceSSAReminders turns per-device reminders on or off and sets the
// additional addresses (Administrator only). Refusals: company-not-found,
// not-member/not-administrator, invalid-email, too-many-mails.
type SetDeviceSSAReminders struct {
	Company CompanyID
	DeviceSSASettings
}

// CommandType implements Command.
func (SetDeviceSSAReminders) CommandType() string { return "SetDeviceSSAReminders" }

func (c SetDeviceSSAReminders) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	set := DeviceSSASettings{On: c.On}
	for _, m := range c.Mails {
		m = strings.TrimSpace(m)
		if !validEmail(m) {
			return nil, Errorf(KindInvalid, "invalid-email", "%q is not an email address", m)
		}
		set.Mails = append(set.Mails, m)
	}
	if len(set.Mails) > MaxDeviceSSAMails {
		return nil, Errorf(KindInvalid, "too-many-mails", "at most %d additional addresses", MaxDeviceSSAMails)
	}
	return []Event{DeviceSSARemindersSet{Company: c.Company, DeviceSSASettings: set}}, nil
}

// deviceRemindersDue lists the per-device reminders of a company for a
// day: per device and SSA end within the reminder weeks, one per recipient
// and week.
func (s *State) deviceRemindersDue(c CompanyID, day Day) []SSAReminderDue {
	set := s.DeviceSSA[c]
	if !set.On {
		return nil
	}
	var out []SSAReminderDue
	for _, m := range SortedMACs(s.Devices) {
		pl, ok := s.Devices[m].In[c]
		if !ok {
			continue
		}
		for _, g := range s.deviceEnds(pl.Project, m, day) {
			out = append(out, s.deviceReminders(c, pl.Project, m, g, day, set.Mails)...)
		}
	}
	return out
}

// deviceEnd is an SSA end of a device's lines with the items ending then.
type deviceEnd struct {
	end   Day
	items []string
}

// deviceEnds groups a device's SSA lines by an end within the reminder
// weeks after day, earliest first.
func (s *State) deviceEnds(p ProjectID, m MAC, day Day) []deviceEnd {
	by := map[Day][]string{}
	for _, l := range s.Devices[m].Licenses {
		pl, ok := s.ssaLine(p, m, l)
		if left := int(pl.line.SSAEnd - day); ok && left > 0 && left <= PersonReminderDays {
			by[pl.line.SSAEnd] = append(by[pl.line.SSAEnd], fmt.Sprintf("%s x %d", l.Item, l.Quantity))
		}
	}
	out := make([]deviceEnd, 0, len(by))
	for e, items := range by {
		out = append(out, deviceEnd{end: e, items: items})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].end < out[j].end })
	return out
}

func (s *State) deviceReminders(c CompanyID, p ProjectID, m MAC, g deviceEnd, day Day, extra []string) []SSAReminderDue {
	left := int(g.end - day)
	week := (PersonReminderDays - left) / 7
	base := SSAReminderDue{Kind: ReminderDevice, Project: p, Company: c, MAC: m, End: g.end, Day: day, DaysLeft: left,
		Subject: fmt.Sprintf("SSA of licenses on device %s expires on %s", m, g.end),
		Body: fmt.Sprintf("The software service agreement (SSA) of these licenses on device %s expires in %d days, on %s:\n%s",
			m, left, g.end, strings.Join(g.items, "\n"))}
	prefix := fmt.Sprintf("ssa-device/%d/%s/%s", c, m, g.end)
	var out []SSAReminderDue
	for _, per := range s.reminderPersons(c) {
		r := base
		r.Person, r.To = per.ID, per.Email
		r.Key = fmt.Sprintf("%s/person/%d/week-%d", prefix, per.ID, week)
		out = append(out, r)
	}
	for _, to := range extra {
		r := base
		r.To = to
		r.Key = fmt.Sprintf("%s/mail/%s/week-%d", prefix, strings.ToLower(to), week)
		out = append(out, r)
	}
	return out
}
