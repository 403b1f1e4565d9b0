package domain

import (
	"fmt"
	"time"
)

// ReminderRental is the kind of rental expiry mails in the outbox.
const ReminderRental = "rental"

// RentalReminderWeek is the spacing of rental expiry mails to one
// recipient: one a week.
const RentalReminderWeek = 7

// SendRentalReminders is the scheduler's daily command for rental expiry
// mails (reference: "seven weeks before the expiry and then once a week
// until the rental expires"): for every domain renting licenses whose
// rental end date lies 0..49 days after Day (zero: today), each recipient
// gets a mail unless they got one in the 6 days before. Recipients are the
// domain's; without any, the person who last acted on the domain. The
// mails go into the outbox of the SSA reminders (RentalReminderDue) and are
// sent and marked as those are. One mail per recipient and week, however
// often it runs and however the end date moves (a top-up, a license
// change). Refusals: vendor-only, reminder-day-in-future.
type SendRentalReminders struct {
	Day Day
}

// CommandType implements Command.
func (SendRentalReminders) CommandType() string { return "SendRentalReminders" }

func (c SendRentalReminders) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	day, err := schedulerDay(by, c.Day, now, "reminder-day-in-future")
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, name := range sortedNames(s.Domains) {
		out = append(out, s.rentalRemindersDue(s.Domains[name], day)...)
	}
	return out, nil
}

func (s *State) rentalRemindersDue(dm *DevicesDomain, day Day) []Event {
	sim := s.rentalSimOf(dm)
	end := sim.acct.End(sim.monthly, sim.available())
	left := int(end - day)
	if end.IsZero() || sim.acct.Lapsed != 0 || left < 0 || left > PersonReminderDays {
		return nil
	}
	type recipient struct {
		to     string
		person PersonID
	}
	var to []recipient
	for _, m := range dm.Settings.Recipients {
		to = append(to, recipient{to: m})
	}
	if p, ok := s.Persons[dm.Contact]; ok && len(to) == 0 {
		to = append(to, recipient{to: p.Email, person: p.ID})
	}
	var out []Event
	for _, r := range to {
		key := normalizeEmail(r.to)
		if last, ok := dm.Mailed[key]; ok && day-last < RentalReminderWeek {
			continue
		}
		k := fmt.Sprintf("rental/%s/%s/%s", dm.Name, key, day)
		if _, done := s.Reminders[k]; done {
			continue
		}
		subject, body := rentalMail(dm.Settings.MailLanguage, dm.Name, end, left)
		out = append(out, RentalReminderDue{Domain: dm.Name, SSAReminderDue: SSAReminderDue{Key: k, Kind: ReminderRental,
			Project: dm.Project, Company: sim.ref.Company, End: end, Day: day, DaysLeft: left, Person: r.person, To: r.to,
			Subject: subject, Body: body}})
	}
	return out
}

// rentalMail is the text of a rental expiry mail, in English or German.
func rentalMail(lang, domain string, end Day, left int) (subject, body string) {
	if lang == "de" {
		return fmt.Sprintf("Software-Miete der Domäne %s endet am %s", domain, end.Time().Format("02.01.2006")),
			fmt.Sprintf("Das iSC-Guthaben der Domäne %s deckt die gemieteten Lizenzen noch %d Tage, bis einschließlich %s (UTC).\n"+
				"Danach sind die gemieteten Lizenzen nicht mehr gültig und das Gateway startet ohne sie neu.\n"+
				"Laden Sie rechtzeitig einen Aktivierungsschlüssel mit iSC in der Devices App hoch.",
				domain, left, end.Time().Format("02.01.2006"))
	}
	return fmt.Sprintf("Software rental of domain %s ends on %s", domain, end),
		fmt.Sprintf("The iSC balance of domain %s covers the rented licenses for %d more days, up to and including %s (UTC).\n"+
			"After that the rented licenses are no longer valid and the gateway restarts without them.\n"+
			"Upload an activation key with iSC in the Devices App in time.", domain, left, end)
}
