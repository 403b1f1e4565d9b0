package postgres

import (
	"encoding/json"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/replay"
)

// The rows of migrations/0006_ssa.sql.
type reminderRow struct {
	Project domain.ProjectID
	Company domain.CompanyID
	Day     domain.Day
	Sent    bool
	Data    string // domain.Reminder as JSON, to stay comparable
}

// ssa is the mirror of the SSA tables.
type ssa struct {
	invoices  *rowset[int64, domain.SSCInvoiced, struct{}]
	reminders *rowset[string, reminderRow, struct{}]
}

func newSSA() ssa {
	return ssa{invoices: newRowset[int64, domain.SSCInvoiced, struct{}](nil), reminders: newRowset[string, reminderRow, struct{}](nil)}
}

// touchesReminders says whether a batch decides or sends reminders; only
// then is the outbox compared with the state (reminders carry no entity
// tag of their own).
func touchesReminders(recs []replay.Record) bool {
	for _, r := range recs {
		switch r.Event.(type) {
		case domain.SSAReminderDue, domain.SSAReminderSent, domain.RentalReminderDue, domain.ReminderClaimed:
			return true
		}
	}
	return false
}

// syncSSA adds the invoices appended since the last batch (the domain only
// appends to them) and, when asked, rewrites the changed reminders.
func (s *ssa) syncSSA(st *domain.State, reminders bool) {
	for i := len(s.invoices.rows); i < len(st.Invoices); i++ {
		s.invoices.put(int64(i+1), st.Invoices[i])
	}
	if !reminders {
		return
	}
	for key, r := range st.Reminders {
		data, _ := json.Marshal(r)
		s.reminders.put(key, reminderRow{Project: r.Project, Company: r.Company, Day: r.Day, Sent: r.Sent, Data: string(data)})
	}
	for key := range s.reminders.rows {
		if _, ok := st.Reminders[key]; !ok {
			s.reminders.del(key)
		}
	}
}

var (
	invoicesTable = newTable[int64, domain.SSCInvoiced]("ssc_invoices", []string{"n bigint"},
		[]string{"project bigint", "company bigint", "cause text", "date integer", "ssc bigint", "exact text"},
		func(ks []int64) []any { return []any{ks} },
		func(rs []domain.SSCInvoiced) []any {
			return []any{col(rs, func(r domain.SSCInvoiced) int64 { return int64(r.Project) }),
				col(rs, func(r domain.SSCInvoiced) int64 { return int64(r.Company) }), col(rs, func(r domain.SSCInvoiced) string { return r.Cause }),
				col(rs, func(r domain.SSCInvoiced) int32 { return int32(r.Date) }), col(rs, func(r domain.SSCInvoiced) int64 { return r.SSC }),
				col(rs, func(r domain.SSCInvoiced) string { return r.Exact })}
		})
	remindersTable = newTable[string, reminderRow]("ssa_reminders", []string{"key text"},
		[]string{"project bigint", "company bigint", "day integer", "sent boolean", "data text jsonb"},
		func(ks []string) []any { return []any{ks} },
		func(rs []reminderRow) []any {
			return []any{col(rs, func(r reminderRow) int64 { return int64(r.Project) }), col(rs, func(r reminderRow) int64 { return int64(r.Company) }),
				col(rs, func(r reminderRow) int32 { return int32(r.Day) }), col(rs, func(r reminderRow) bool { return r.Sent }),
				col(rs, func(r reminderRow) string { return r.Data })}
		})
)

func (s *ssa) changes(ws []tableWrite) []tableWrite {
	ws = changesOf(ws, invoicesTable, s.invoices)
	return changesOf(ws, remindersTable, s.reminders)
}
