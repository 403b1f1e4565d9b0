package memory

import (
	"slices"
	"sort"
	"strconv"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// history is the history read model: every event as a row, and per
// context key ("company:1", "person:2", "device:00-90-33-...") the rows of
// that context in log order. Rows are assigned to contexts when they are
// applied, from the state as the event found it, so a project moved to
// another company leaves its earlier rows with the old company, and later
// rows go to the new one.
type history struct {
	rows  []projections.HistoryRow
	byKey map[string][]int32
}

func newHistory() history { return history{byKey: map[string][]int32{}} }

// add appends an event's row to its contexts. A company join moves the
// absorbed company's rows into the joining company's history, so the
// joined company's history follows the join.
func (h *history) add(r replay.Record, keys []string) {
	idx := int32(len(h.rows))
	tags := r.Env.Tags
	if tags == nil {
		tags = []string{}
	}
	h.rows = append(h.rows, projections.HistoryRow{Position: r.Env.Seq, Time: r.Env.Time.UTC(), Actor: r.Env.Actor,
		Action: r.Env.Type, Tags: tags, Summary: domain.Summarize(r.Event)})
	for _, k := range keys {
		h.byKey[k] = append(h.byKey[k], idx)
	}
	if j, ok := r.Event.(domain.CompanyJoined); ok {
		into, old := j.Company.Tag(), j.Absorbed.Tag()
		h.byKey[into] = mergeSorted(h.byKey[into], h.byKey[old])
	}
}

// mergeSorted merges two ascending index lists, dropping duplicates.
func mergeSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// History implements projections.HistoryReader.
func (m *Model) History(by domain.Principal, q projections.HistoryQuery) (projections.HistoryPage, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	list, filter, err := m.historyList(by, q)
	if err != nil {
		return projections.HistoryPage{}, err
	}
	if q.Project != 0 {
		// The context is authorized already, and its rows were assigned
		// when they happened: narrowing them to a project needs no check of
		// the project's company now (a project moved away keeps its old
		// rows readable by the old company).
		pt := q.Project.Tag()
		prev := filter
		filter = func(row *projections.HistoryRow) bool { return prev(row) && slices.Contains(row.Tags, pt) }
	}
	return m.hist.page(list, filter, q), nil
}

// historyList picks the index list of the query's context, the filter its
// rows must pass, and checks the caller may read it.
func (m *Model) historyList(by domain.Principal, q projections.HistoryQuery) ([]int32, func(*projections.HistoryRow) bool, error) {
	all := func(*projections.HistoryRow) bool { return true }
	if q.Company != 0 {
		if err := m.st.CanRead(by, q.Company); err != nil {
			return nil, nil, err
		}
	}
	list := m.hist.byKey[q.Company.Tag()]
	switch q.Context {
	case projections.HistoryCompany:
		if q.Company == 0 {
			return nil, nil, domain.Errorf(domain.KindInvalid, "invalid-company", "the company context needs a company")
		}
		return list, all, nil
	case projections.HistoryPerson:
		if _, ok := m.st.Persons[q.Person]; !ok {
			return nil, nil, domain.Errorf(domain.KindNotFound, "person-not-found", "no person %d", q.Person)
		}
		pt := q.Person.Tag()
		actor := strconv.FormatInt(int64(q.Person), 10)
		if q.Company == 0 {
			if !by.Vendor && by.Person != q.Person {
				return nil, nil, domain.Errorf(domain.KindForbidden, "not-own-person",
					"another person's history is visible only within a company both belong to (pass company)")
			}
			return m.hist.byKey[pt], all, nil
		}
		return list, func(r *projections.HistoryRow) bool { return r.Actor.Person == actor || slices.Contains(r.Tags, pt) }, nil
	case projections.HistoryDevice:
		dt := domain.MAC(q.Device).Tag()
		if q.Company == 0 {
			if !by.Vendor {
				return nil, nil, domain.ErrVendorOnly
			}
			return m.hist.byKey[dt], all, nil
		}
		return list, func(r *projections.HistoryRow) bool { return slices.Contains(r.Tags, dt) }, nil
	}
	return nil, nil, domain.Errorf(domain.KindInvalid, "invalid-context", "context must be company, person or device")
}

// page walks a context's rows newest first from the cursor, keeping those
// in the time window that pass filter, up to the limit. Times follow log
// order (the single writer stamps them), so the walk stops at the first
// row older than the window.
func (h *history) page(list []int32, keep func(*projections.HistoryRow) bool, q projections.HistoryQuery) projections.HistoryPage {
	out := projections.HistoryPage{Rows: []projections.HistoryRow{}}
	start := len(list)
	if q.Before != 0 {
		start = sort.Search(len(list), func(i int) bool { return h.rows[list[i]].Position >= q.Before })
	}
	for i := start - 1; i >= 0; i-- {
		row := &h.rows[list[i]]
		if !q.To.IsZero() && !row.Time.Before(q.To) {
			continue
		}
		if !q.From.IsZero() && row.Time.Before(q.From) {
			break
		}
		if !keep(row) {
			continue
		}
		if len(out.Rows) == q.Limit {
			out.Next = strconv.FormatUint(out.Rows[len(out.Rows)-1].Position, 10)
			break
		}
		out.Rows = append(out.Rows, *row)
	}
	return out
}
