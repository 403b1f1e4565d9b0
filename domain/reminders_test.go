package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/innolic/ledger/domain"
)

// remindWorld is ssaWorld with project 1's SSA ending on end.
func remindWorld(bobRight Right, end string, more ...Event) []Event {
	return append(append(ssaWorld(bobRight, 0), ProjectSSACorrected{Project: 1, Company: 1, End: d(end)}), more...)
}

func personReminder(person PersonID, email, end string, left, week int) SSAReminderDue {
	return SSAReminderDue{Key: fmt.Sprintf("ssa/1/%s/person/%d/week-%d", end, person, week), Kind: ReminderPerson, Project: 1, Company: 1,
		End: d(end), Day: d("2026-11-22"), DaysLeft: left, Person: person, To: email,
		Subject: fmt.Sprintf("SSA of project \"DEFAULT\" expires on %s", end),
		Body: fmt.Sprintf("The software service agreement (SSA) of project \"DEFAULT\" expires in %d days, on %s.\n"+
			"Extend it on the project's Software Service page.", left, end)}
}

func endUserReminder(to, end string, left int, body string) SSAReminderDue {
	return SSAReminderDue{Key: "ssa/1/" + end + "/end-user/" + strings.ToLower(to), Kind: ReminderEndUser, Project: 1, Company: 1,
		End: d(end), Day: d("2026-11-22"), DaysLeft: left, To: to,
		Subject: fmt.Sprintf("Your Software Service Agreement expires in %d days", left), Body: body}
}

func TestSendSSAReminders(t *testing.T) {
	const in49, in30 = "2027-01-10", "2026-12-22"
	aliceW0 := personReminder(2, "alice@example.com", in49, 49, 0)
	bobW0 := personReminder(3, "bob@example.com", in49, 49, 0)
	endUsers := SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{ResellerMail: "sales@reseller.example",
		EndUsers: []string{"It@Customer.example"}, Text: "{$arg[3]}: {$arg[1]} days left, ask {$arg[2]}."}}
	runCases(t, []decideCase{
		{name: "7 weeks before: every member with the mail flag", given: remindWorld(RightViewer, in49), by: vendor,
			when: SendSSAReminders{}, then: []Event{aliceW0, bobW0}},
		{name: "a locked member gets none", given: remindWorld(RightLocked, in49), by: vendor,
			when: SendSSAReminders{Day: d("2026-11-22")}, then: []Event{aliceW0}},
		{name: "a person who opted out gets none", given: remindWorld(RightViewer, in49, SSAMailSet{Person: 3, Receive: false}), by: vendor,
			when: SendSSAReminders{}, then: []Event{aliceW0}},
		{name: "a project with mails turned off sends none to persons",
			given: remindWorld(RightViewer, in49, SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{NoMails: true}}),
			by:    vendor, when: SendSSAReminders{}, then: nil},
		{name: "idempotent per period: what was decided is not decided again", given: remindWorld(RightViewer, in49, aliceW0), by: vendor,
			when: SendSSAReminders{}, then: []Event{bobW0}},
		{name: "more than 7 weeks before: nothing", given: remindWorld(RightViewer, "2027-01-11"), by: vendor, when: SendSSAReminders{}, then: nil},
		{name: "30 days before: end users too, with the project's text filled in", given: remindWorld(RightViewer, in30, endUsers), by: vendor,
			when: SendSSAReminders{}, then: []Event{
				personReminder(2, "alice@example.com", in30, 30, 2), personReminder(3, "bob@example.com", in30, 30, 2),
				endUserReminder("It@Customer.example", in30, 30, "DEFAULT: 30 days left, ask sales@reseller.example.")}},
		{name: "the company's text when the project has none", by: vendor, when: SendSSAReminders{},
			given: remindWorld(RightLocked, in30, EndUserTextSet{Company: 1, Text: "Company: {$arg[1]} / {$arg[3]}"},
				SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{NoMails: true, EndUsers: []string{"a@b.example"}}}),
			then: []Event{endUserReminder("a@b.example", in30, 30, "Company: 30 / DEFAULT")}},
		{name: "the built-in text otherwise", by: vendor, when: SendSSAReminders{},
			given: remindWorld(RightLocked, in30, SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{NoMails: true,
				ResellerMail: "r@s.example", EndUsers: []string{"a@b.example"}}}),
			then: []Event{endUserReminder("a@b.example", in30, 30, strings.NewReplacer("{$arg[1]}", "30", "{$arg[2]}", "r@s.example",
				"{$arg[3]}", "DEFAULT").Replace(DefaultEndUserText))}},
		{name: "the scheduler runs as vendor staff", given: remindWorld(RightViewer, in49), by: alice, when: SendSSAReminders{}, wantErr: "vendor-only"},
		{name: "not for a day to come", given: remindWorld(RightViewer, in49), by: vendor, when: SendSSAReminders{Day: d("2026-11-23")},
			wantErr: "reminder-day-in-future"},
		{name: "a reminder is marked sent", given: remindWorld(RightViewer, in49, aliceW0), by: vendor,
			when: MarkSSAReminderSent{Key: aliceW0.Key}, then: []Event{SSAReminderSent{Key: aliceW0.Key, Project: 1, Company: 1, Day: d("2026-11-22")}}},
		{name: "exactly once", by: vendor, when: MarkSSAReminderSent{Key: aliceW0.Key},
			given:   remindWorld(RightViewer, in49, aliceW0, SSAReminderSent{Key: aliceW0.Key, Project: 1, Company: 1, Day: d("2026-11-22")}),
			wantErr: "reminder-already-sent"},
		{name: "an unknown reminder", given: remindWorld(RightViewer, in49), by: vendor, when: MarkSSAReminderSent{Key: "nope"}, wantErr: "reminder-not-found"},
		{name: "only the drainer (vendor staff) marks", given: remindWorld(RightViewer, in49, aliceW0), by: alice,
			when: MarkSSAReminderSent{Key: aliceW0.Key}, wantErr: "vendor-only"},
	})
}

func TestReminderSettingsDeciders(t *testing.T) {
	base := ssaWorld(RightViewer, 0)
	runCases(t, []decideCase{
		{name: "project settings, trimmed", given: base, by: alice,
			when: SetSSAMailSettings{Project: 1, SSAMailSettings: SSAMailSettings{ResellerMail: " r@s.example ", EndUsers: []string{" a@b.example"}, Text: " hi "}},
			then: []Event{SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{ResellerMail: "r@s.example",
				EndUsers: []string{"a@b.example"}, Text: "hi"}}}},
		{name: "an end user must be an address", given: base, by: alice,
			when: SetSSAMailSettings{Project: 1, SSAMailSettings: SSAMailSettings{EndUsers: []string{"nobody"}}}, wantErr: "invalid-email"},
		{name: "the reseller must be an address", given: base, by: alice,
			when: SetSSAMailSettings{Project: 1, SSAMailSettings: SSAMailSettings{ResellerMail: "x"}}, wantErr: "invalid-email"},
		{name: "at most 20 end users", given: base, by: alice,
			when:    SetSSAMailSettings{Project: 1, SSAMailSettings: SSAMailSettings{EndUsers: strings.Split(strings.Repeat("a@b.example,", 21)[:21*12-1], ",")}},
			wantErr: "too-many-end-users"},
		{name: "a viewer cannot change them", given: base, by: bob, when: SetSSAMailSettings{Project: 1}, wantErr: "no-right"},
		{name: "unknown project", given: base, by: alice, when: SetSSAMailSettings{Project: 9}, wantErr: "project-not-found"},
		{name: "the company text, by an administrator", given: base, by: alice, when: SetEndUserText{Company: 1, Text: " Bye "},
			then: []Event{EndUserTextSet{Company: 1, Text: "Bye"}}},
		{name: "not by others", given: base, by: bob, when: SetEndUserText{Company: 1, Text: "x"}, wantErr: "not-administrator"},
		{name: "not too long", given: base, by: alice, when: SetEndUserText{Company: 1, Text: strings.Repeat("x", MaxReminderText+1)}, wantErr: "invalid-text"},
	})
}

// Run daily over the last 60 days of an SSA, the scheduler decides 7 mails
// per person (7 weeks, weekly) and one per end user, whatever the hour.
func TestRemindersOverAnSSAsLastWeeks(t *testing.T) {
	st := stateOf(t, remindWorld(RightViewer, "2027-01-10",
		SSAMailSettingsSet{Project: 1, Company: 1, SSAMailSettings: SSAMailSettings{EndUsers: []string{"a@b.example"}}})...)
	count := map[string]int{}
	start := d("2026-11-11")
	for day := start; day <= d("2027-01-12"); day++ {
		for _, hour := range []int{1, 13} {
			clock := day.Time().Add(time.Duration(hour) * time.Hour)
			evs, err := Decide(st, vendor, SendSSAReminders{}, clock)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if err := st.Evolve(e); err != nil {
					t.Fatal(err)
				}
				count[e.(SSAReminderDue).To]++
			}
		}
	}
	if count["alice@example.com"] != 7 || count["bob@example.com"] != 7 || count["a@b.example"] != 1 {
		t.Fatalf("mails per recipient: %v", count)
	}
}

func TestDeviceSSAReminders(t *testing.T) {
	withEnding := append(ssaWorld(RightViewer, 0), LicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: []LicenseLine{
		{ID: 5, Item: Item{"PBX-UC", 16}, Quantity: 2, BindDate: "2026-01-10", SSAEnd: "2027-01-10", Origin: OriginPurchased}}})
	on := append(withEnding, DeviceSSARemindersSet{Company: 1, DeviceSSASettings: DeviceSSASettings{On: true, Mails: []string{"ops@reseller.example"}}})
	dev := func(person PersonID, to, key string) SSAReminderDue {
		return SSAReminderDue{Key: "ssa-device/1/00-90-33-00-00-01/2027-01-10/" + key + "/week-0", Kind: ReminderDevice, Project: 1,
			Company: 1, MAC: mac6000, End: d("2027-01-10"), Day: d("2026-11-22"), DaysLeft: 49, Person: person, To: to,
			Subject: "SSA of licenses on device 00-90-33-00-00-01 expires on 2027-01-10",
			Body:    "The software service agreement (SSA) of these licenses on device 00-90-33-00-00-01 expires in 49 days, on 2027-01-10:\nPBX-UC16 x 2"}
	}
	runCases(t, []decideCase{
		{name: "per-device reminders reach the persons and the additional addresses", given: on, by: vendor, when: SendSSAReminders{},
			then: []Event{dev(2, "alice@example.com", "person/2"), dev(3, "bob@example.com", "person/3"),
				dev(0, "ops@reseller.example", "mail/ops@reseller.example")}},
		{name: "not without the company's Device SSA flag", given: withEnding, by: vendor, when: SendSSAReminders{}, then: nil},
		{name: "an administrator turns them on", given: withEnding, by: alice,
			when: SetDeviceSSAReminders{Company: 1, DeviceSSASettings: DeviceSSASettings{On: true, Mails: []string{" ops@reseller.example "}}},
			then: []Event{DeviceSSARemindersSet{Company: 1, DeviceSSASettings: DeviceSSASettings{On: true, Mails: []string{"ops@reseller.example"}}}}},
		{name: "addresses must be addresses", given: withEnding, by: alice,
			when: SetDeviceSSAReminders{Company: 1, DeviceSSASettings: DeviceSSASettings{On: true, Mails: []string{"ops"}}}, wantErr: "invalid-email"},
		{name: "only administrators", given: withEnding, by: bob, when: SetDeviceSSAReminders{Company: 1}, wantErr: "not-administrator"},
		{name: "at most 20 addresses", given: withEnding, by: alice, wantErr: "too-many-mails",
			when: SetDeviceSSAReminders{Company: 1, DeviceSSASettings: DeviceSSASettings{Mails: strings.Split(strings.Repeat("a@b.example,", 21)[:21*12-1], ",")}}},
	})
}
