package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// SSAInvoices implements projections.SSAReader: SSC invoiced under
// automatic SSA, then SSC bought on credit, each in log order.
func (r *Reader) SSAInvoices(by domain.Principal, company domain.CompanyID) ([]projections.SSAInvoiceView, error) {
	if company == 0 && !by.Vendor {
		return nil, domain.ErrVendorOnly
	}
	out := []projections.SSAInvoiceView{}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if company != 0 {
			if err := canRead(ctx, tx, by, company); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT project, company, date, cause, ssc, exact FROM ssc_invoices
			WHERE $1 = 0 OR company = $1 ORDER BY n`, company)
		auto, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.SSAInvoiceView, error) {
			v := projections.SSAInvoiceView{Kind: projections.InvoiceAutoSSA}
			return v, row.Scan(&v.Project, &v.Company, &v.Date, &v.Cause, &v.SSC, &v.Exact)
		})
		if err != nil {
			return err
		}
		out = append(out, auto...)
		rows, _ = tx.Query(ctx, `SELECT company, project, person, lines::text, order_number, date FROM credit_purchases
			WHERE $1 = 0 OR company = $1 ORDER BY n`, company)
		var c projections.SSAInvoiceView
		var lines, date string
		_, err = pgx.ForEachRow(rows, []any{&c.Company, &c.Project, &c.Person, &lines, &c.OrderNumber, &date}, func() error {
			var ls []domain.Line
			if err := json.Unmarshal([]byte(lines), &ls); err != nil {
				return err
			}
			for _, l := range ls {
				if l.Item.Type == "SSC" {
					v := c
					v.Kind, v.SSC = projections.InvoiceCredit, l.Quantity
					v.Date, _ = domain.ParseDay(date)
					out = append(out, v)
				}
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PendingSSAReminders implements projections.SSAReader: the reminder
// outbox, by due day and key (vendor staff).
func (r *Reader) PendingSSAReminders(by domain.Principal) ([]domain.Reminder, error) {
	if !by.Vendor {
		return nil, domain.ErrVendorOnly
	}
	var out []domain.Reminder
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT data::text FROM ssa_reminders WHERE NOT sent ORDER BY day, key COLLATE "C"`)
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Reminder, error) {
			var rem domain.Reminder
			var data string
			if err := row.Scan(&data); err != nil {
				return rem, err
			}
			return rem, json.Unmarshal([]byte(data), &rem)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// SSAExpiries implements projections.SSAReader: the company's projects
// whose SSA ends within days after day (day included), soonest first. The
// window is applied in Go with the domain's day arithmetic.
func (r *Reader) SSAExpiries(by domain.Principal, company domain.CompanyID, day domain.Day, days int) ([]projections.SSAExpiryView, error) {
	out := []projections.SSAExpiryView{}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, company, name, ssa_end, auto_ssa FROM projects
			WHERE company = $1 AND ssa_end <> '' ORDER BY ssa_end COLLATE "C", id`, company)
		var v projections.SSAExpiryView
		var end string
		_, err := pgx.ForEachRow(rows, []any{&v.Project, &v.Company, &v.Name, &end, &v.AutoSSA}, func() error {
			if d, _ := domain.ParseDay(end); !d.IsZero() && d >= day && int(d-day) <= days {
				v.SSAEnd, v.DaysLeft = d, int(d-day)
				out = append(out, v)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
