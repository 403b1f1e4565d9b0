package postgres

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// History implements projections.HistoryReader: the rows of one context
// (history_contexts), newest first from the cursor, within the time window,
// narrowed by person, device or project, one page at a time. Rows stream
// from the database and the page is cut in Go with the memory backend's
// rules, so both answer the same page and cursor.
func (r *Reader) History(by domain.Principal, q projections.HistoryQuery) (projections.HistoryPage, error) {
	if q.Limit <= 0 {
		// The API asks for 1..500 rows; a page of none has no cursor (the
		// memory backend would index row -1 here).
		return projections.HistoryPage{}, domain.Errorf(domain.KindInvalid, "invalid-limit", "a history page has at least one row")
	}
	out := projections.HistoryPage{Rows: []projections.HistoryRow{}}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		key, keep, err := historyContext(ctx, tx, by, q)
		if err != nil {
			return err
		}
		if q.Project != 0 {
			pt, prev := q.Project.Tag(), keep
			keep = func(row *projections.HistoryRow) bool { return prev(row) && slices.Contains(row.Tags, pt) }
		}
		before := int64(q.Before)
		if before == 0 {
			before = 1<<63 - 1
		}
		rows, err := tx.Query(ctx, `SELECT h.position, h.time_ns, h.actor_person, h.actor_company, h.actor_vendor, h.channel,
				h.type, h.tags, h.summary
			FROM history_contexts c JOIN history h ON h.position = c.position
			WHERE c.context = $1 AND c.position < $2 ORDER BY c.position DESC`, key, before)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var row projections.HistoryRow
			var pos, ns int64
			if err := rows.Scan(&pos, &ns, &row.Actor.Person, &row.Actor.Company, &row.Actor.Vendor,
				&row.Actor.Channel, &row.Action, &row.Tags, &row.Summary); err != nil {
				return err
			}
			row.Position, row.Time = uint64(pos), time.Unix(0, ns).UTC()
			if !q.To.IsZero() && !row.Time.Before(q.To) {
				continue
			}
			if !q.From.IsZero() && row.Time.Before(q.From) {
				break
			}
			if !keep(&row) {
				continue
			}
			if len(out.Rows) == q.Limit {
				out.Next = strconv.FormatUint(out.Rows[len(out.Rows)-1].Position, 10)
				break
			}
			out.Rows = append(out.Rows, row)
		}
		rows.Close()
		return rows.Err()
	})
	if err != nil {
		return projections.HistoryPage{}, err
	}
	return out, nil
}

// historyContext checks the caller may read the query's context and
// returns its key and the filter its rows must pass.
func historyContext(ctx context.Context, tx pgx.Tx, by domain.Principal, q projections.HistoryQuery) (string, func(*projections.HistoryRow) bool, error) {
	all := func(*projections.HistoryRow) bool { return true }
	if q.Company != 0 {
		if err := canRead(ctx, tx, by, q.Company); err != nil {
			return "", nil, err
		}
	}
	key := q.Company.Tag()
	switch q.Context {
	case projections.HistoryCompany:
		if q.Company == 0 {
			return "", nil, domain.Errorf(domain.KindInvalid, "invalid-company", "the company context needs a company")
		}
		return key, all, nil
	case projections.HistoryPerson:
		if err := personExists(ctx, tx, q.Person); err != nil {
			return "", nil, err
		}
		pt, actor := q.Person.Tag(), strconv.FormatInt(int64(q.Person), 10)
		if q.Company == 0 {
			if !by.Vendor && by.Person != q.Person {
				return "", nil, domain.Errorf(domain.KindForbidden, "not-own-person",
					"another person's history is visible only within a company both belong to (pass company)")
			}
			return pt, all, nil
		}
		return key, func(r *projections.HistoryRow) bool { return r.Actor.Person == actor || slices.Contains(r.Tags, pt) }, nil
	case projections.HistoryDevice:
		dt := domain.MAC(q.Device).Tag()
		if q.Company == 0 {
			if !by.Vendor {
				return "", nil, domain.ErrVendorOnly
			}
			return dt, all, nil
		}
		return key, func(r *projections.HistoryRow) bool { return slices.Contains(r.Tags, dt) }, nil
	}
	return "", nil, domain.Errorf(domain.KindInvalid, "invalid-context", "context must be company, person or device")
}

// canReadProjectHistory: a project's rows are readable by those who may
// read its company now; a project that no longer exists (joined into
// another) is filtered by tag only, within a company already checked.
func canReadProjectHistory(ctx context.Context, tx pgx.Tx, by domain.Principal, id domain.ProjectID) error {
	var company domain.CompanyID
	err := tx.QueryRow(ctx, "SELECT company FROM projects WHERE id = $1", id).Scan(&company)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return canRead(ctx, tx, by, company)
}
