package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// loadCompany rebuilds, from the tables, the part of the domain state one
// company's SSA calculations read: the company with its members, its
// projects with balances, SSA end and automatic SSA, and the devices placed
// in them with their license lines. The domain's calculator then runs on
// it, so a quote from Postgres is the domain's quote, not a second
// implementation of the SSC rules. A company that does not exist leaves
// the state empty (the domain then answers its not-found errors).
func loadCompany(ctx context.Context, tx pgx.Tx, cat *domain.Catalog, id domain.CompanyID) (*domain.State, error) {
	st := domain.NewState(cat)
	co := &domain.Company{ID: id, Members: map[domain.PersonID]domain.Membership{}, Projects: map[domain.ProjectID]struct{}{}}
	err := tx.QueryRow(ctx, "SELECT name, customer_id FROM companies WHERE id = $1", id).Scan(&co.Name, &co.CustomerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Companies[id] = co
	var person domain.PersonID
	var m domain.Membership
	rows, _ := tx.Query(ctx, "SELECT person, member_right, buy_on_credit FROM members WHERE company = $1", id)
	if _, err := pgx.ForEachRow(rows, []any{&person, &m.Right, &m.BuyOnCredit}, func() error {
		co.Members[person] = m
		return nil
	}); err != nil {
		return nil, err
	}
	var p domain.Project
	rows, _ = tx.Query(ctx, "SELECT id, name, description, ssa_end, auto_ssa FROM projects WHERE company = $1", id)
	if _, err := pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.Description, &p.SSAEnd, &p.AutoSSA}, func() error {
		q := p
		q.Company, q.Balance, q.Grants = id, domain.Balance{}, map[domain.CompanyID]struct{}{}
		st.Projects[q.ID], co.Projects[q.ID] = &q, struct{}{}
		return nil
	}); err != nil {
		return nil, err
	}
	var project domain.ProjectID
	var l domain.Line
	rows, _ = tx.Query(ctx, `SELECT b.project, b.type, b.version, b.quantity FROM balances b JOIN projects p ON p.id = b.project
		WHERE p.company = $1`, id)
	if _, err := pgx.ForEachRow(rows, []any{&project, &l.Type, &l.Version, &l.Quantity}, func() error {
		st.Projects[project].Balance[l.Item] = l.Quantity
		return nil
	}); err != nil {
		return nil, err
	}
	return st, loadDevices(ctx, tx, st, id)
}

// loadDevices adds the devices placed in company id, with this company's
// placement only, and their license lines in device order.
func loadDevices(ctx context.Context, tx pgx.Tx, st *domain.State, id domain.CompanyID) error {
	var d domain.Device
	var pl domain.Placement
	rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, d.order_number, d.delivered, d.owner, d.rma, d.test_until, d.return_locked,
			p.project, p.name, p.comment, p.rental_project
		FROM device_placements p JOIN devices d ON d.mac = p.mac WHERE p.company = $1`, id)
	if _, err := pgx.ForEachRow(rows, []any{&d.MAC, &d.Type, &d.OrderNumber, &d.Delivered, &d.Owner, &d.RMA, &d.TestUntil,
		&d.ReturnLocked, &pl.Project, &pl.Name, &pl.Comment, &pl.Rental}, func() error {
		dev, place := d, pl
		dev.In = map[domain.CompanyID]*domain.Placement{id: &place}
		st.Devices[dev.MAC] = &dev
		return nil
	}); err != nil {
		return err
	}
	var mac domain.MAC
	var l domain.LicenseLine
	rows, _ = tx.Query(ctx, `SELECT l.mac, l.id, l.type, l.version, l.quantity, l.bind_date, l.ssa_end, l.external_key, l.origin
		FROM license_lines l JOIN device_placements p ON p.mac = l.mac AND p.company = $1 ORDER BY l.mac, l.n`, id)
	_, err := pgx.ForEachRow(rows, []any{&mac, &l.ID, &l.Type, &l.Version, &l.Quantity, &l.BindDate, &l.SSAEnd, &l.ExternalKey, &l.Origin}, func() error {
		d := st.Devices[mac]
		d.Licenses = append(d.Licenses, l)
		return nil
	})
	return err
}

// companyOfProject is the company owning a project (0: no such project).
func companyOfProject(ctx context.Context, tx pgx.Tx, id domain.ProjectID) (domain.CompanyID, error) {
	var c domain.CompanyID
	err := tx.QueryRow(ctx, "SELECT company FROM projects WHERE id = $1", id).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return c, err
}

// SSAQuote implements projections.SSAReader with the domain's calculator
// over the company's part of the state, loaded from the tables.
func (r *Reader) SSAQuote(by domain.Principal, q domain.SSAQuoteRequest, today time.Time) (domain.SSAQuote, error) {
	var out domain.SSAQuote
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		company := q.Company
		if q.Project != 0 {
			var err error
			if company, err = companyOfProject(ctx, tx, q.Project); err != nil {
				return err
			}
		}
		st, err := loadCompany(ctx, tx, r.cat, company)
		if err != nil {
			return err
		}
		out, err = st.QuoteSSA(by, q, today)
		return err
	})
	if err != nil {
		return domain.SSAQuote{}, err
	}
	return out, nil
}

// ProjectSSA implements projections.SSAReader: a project's SSA state with
// its SSA lines, as the domain lists them.
func (r *Reader) ProjectSSA(by domain.Principal, id domain.ProjectID) (projections.ProjectSSAView, error) {
	var v projections.ProjectSSAView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		company, err := companyOfProject(ctx, tx, id)
		if err != nil {
			return err
		}
		st, err := loadCompany(ctx, tx, r.cat, company)
		if err != nil {
			return err
		}
		p, ok := st.Projects[id]
		if !ok {
			return domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
		}
		if err := st.CanRead(by, p.Company); err != nil {
			return err
		}
		var mail string
		if err := tx.QueryRow(ctx, "SELECT auto_ssa_requested, ssa_mail::text FROM projects WHERE id = $1", id).Scan(&v.AutoSSARequested, &mail); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(mail), &v.Mail); err != nil {
			return err
		}
		end, _ := domain.ParseDay(p.SSAEnd)
		v.Project, v.Company, v.Name, v.SSAEnd, v.AutoSSA = id, p.Company, p.Name, end, p.AutoSSA
		v.SSCBalance, v.Lines = p.Balance[domain.Item{Type: "SSC"}], []projections.SSALineView{}
		for _, l := range st.ProjectSSALines(p) {
			v.Lines = append(v.Lines, projections.SSALineView{MAC: l.MAC, Line: l.Line, Item: l.Item, Units: l.Units,
				BindDate: l.Bound, SSAEnd: l.OldEnd})
		}
		return nil
	})
	if err != nil {
		return projections.ProjectSSAView{}, err
	}
	return v, nil
}
