package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// Reader answers the queries of projections.Reader from the tables. It
// holds no state, so any number of API instances may share the database;
// each answer is read in one read-only snapshot, so it reflects a single
// checkpoint.
//
// The answers equal the memory backend's byte for byte: the same access
// rules and error codes (domain/rights.go), the same order (ids ascending;
// license types in byte order, as Go sorts strings, hence COLLATE "C") and
// empty lists as [] rather than null. Text the tables cannot hold as it is
// (U+0000, invalid UTF-8) is stored and answered in the form of StoredText,
// and text arguments are looked up in that form.
type Reader struct {
	db      *DB
	cat     *domain.Catalog
	timeout time.Duration
}

// NewReader returns a reader; the catalog parses license-type searches;
// timeout bounds each query (default 10s).
func NewReader(db *DB, cat *domain.Catalog, timeout time.Duration) *Reader {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Reader{db: db, cat: cat, timeout: timeout}
}

// errUnavailable is what a query answers when the database fails: the
// client may retry (503), the detail stays in the logs of the database.
var errUnavailable = &domain.Error{Kind: domain.KindUnavailable, Code: "read-model-unavailable",
	Detail: "the read-model database did not answer; retry"}

// read runs fn in a read-only repeatable-read transaction.
func (r *Reader) read(fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	err := pgx.BeginTxFunc(ctx, r.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(ctx, tx) })
	var de *domain.Error
	if err != nil && !errors.As(err, &de) {
		slog.Error("postgres read models: query failed", "err", err)
		return errUnavailable
	}
	return err
}

// Position implements projections.Reader: the committed checkpoint, as
// any process sees it (0 when the database does not answer).
func (r *Reader) Position() uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	cp, err := readCheckpoint(ctx, r.db.Pool, false)
	if err != nil {
		return 0
	}
	return cp.Position
}

// Authenticate implements projections.Reader.
func (r *Reader) Authenticate(hash string) (domain.Principal, bool) {
	var p domain.Principal
	found := false
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT t.person, p.vendor FROM auth_tokens t JOIN persons p ON p.id = t.person
			WHERE t.hash = $1`, StoredText(hash)).Scan(&p.Person, &p.Vendor)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	return p, err == nil && found
}

// canRead is domain.State.CanRead over the tables: vendor staff read every
// company there is; members read unless locked.
func canRead(ctx context.Context, tx pgx.Tx, by domain.Principal, c domain.CompanyID) error {
	var exists bool
	var right *string
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM companies WHERE id = $1),
		(SELECT member_right FROM members WHERE company = $1 AND person = $2)`, c, by.Person).Scan(&exists, &right)
	switch {
	case err != nil:
		return err
	case !exists:
		return domain.Errorf(domain.KindNotFound, "company-not-found", "no company %d", c)
	case by.Vendor:
		return nil
	case right == nil:
		return domain.ErrNotMember
	case domain.Right(*right) == domain.RightLocked:
		return domain.ErrPersonLocked
	}
	return nil
}

// canLicense is domain.State.CanLicense over the tables, for the answers
// that show more to those who may work with licenses.
func canLicense(ctx context.Context, tx pgx.Tx, by domain.Principal, c domain.CompanyID) error {
	if err := canRead(ctx, tx, by, c); err != nil || by.Vendor {
		return err
	}
	var right domain.Right
	if err := tx.QueryRow(ctx, "SELECT member_right FROM members WHERE company = $1 AND person = $2", c, by.Person).Scan(&right); err != nil {
		return err
	}
	switch right {
	case domain.RightAdministrator, domain.RightLicenses:
		return nil
	}
	return domain.ErrNoRight
}

// Person implements projections.Reader: oneself, or anyone for vendor staff.
func (r *Reader) Person(by domain.Principal, id domain.PersonID) (projections.PersonView, error) {
	if !by.Vendor && by.Person != id {
		return projections.PersonView{}, domain.Errorf(domain.KindForbidden, "not-own-person", "only one's own person record is visible")
	}
	var v projections.PersonView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT id, email, name, vendor FROM persons WHERE id = $1", id).Scan(&v.ID, &v.Email, &v.Name, &v.Vendor)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "person-not-found", "no person %d", id)
		}
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT m.company, c.name, m.member_right, m.buy_on_credit
			FROM members m JOIN companies c ON c.id = m.company WHERE m.person = $1 ORDER BY m.company`, id)
		v.Memberships, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.MemberOf, error) {
			var m projections.MemberOf
			return m, row.Scan(&m.Company, &m.Name, &m.Right, &m.BuyOnCredit)
		})
		return err
	})
	if err != nil {
		return projections.PersonView{}, err
	}
	if v.Memberships == nil {
		v.Memberships = []projections.MemberOf{}
	}
	return v, nil
}

// Company implements projections.Reader.
func (r *Reader) Company(by domain.Principal, id domain.CompanyID) (projections.CompanyView, error) {
	var v projections.CompanyView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, id); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "SELECT id, name FROM companies WHERE id = $1", id).Scan(&v.ID, &v.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "company-not-found", "no company %d", id)
		}
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT m.person, p.email, p.name, m.member_right, m.buy_on_credit
			FROM members m JOIN persons p ON p.id = m.person WHERE m.company = $1 ORDER BY m.person`, id)
		v.Members, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.MemberView, error) {
			var m projections.MemberView
			return m, row.Scan(&m.Person, &m.Email, &m.Name, &m.Right, &m.BuyOnCredit)
		})
		if err != nil {
			return err
		}
		v.Projects, err = projectsOf(ctx, tx, id)
		return err
	})
	if err != nil {
		return projections.CompanyView{}, err
	}
	if v.Members == nil {
		v.Members = []projections.MemberView{}
	}
	return v, nil
}

// Projects implements projections.Reader.
func (r *Reader) Projects(by domain.Principal, company domain.CompanyID) ([]projections.ProjectView, error) {
	var out []projections.ProjectView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		var err error
		out, err = projectsOf(ctx, tx, company)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func projectsOf(ctx context.Context, tx pgx.Tx, company domain.CompanyID) ([]projections.ProjectView, error) {
	rows, _ := tx.Query(ctx, "SELECT id, company, name, description FROM projects WHERE company = $1 ORDER BY id", company)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.ProjectView, error) {
		var p projections.ProjectView
		return p, row.Scan(&p.ID, &p.Company, &p.Name, &p.Description)
	})
	if out == nil {
		out = []projections.ProjectView{}
	}
	return out, err
}

// ProjectBalance implements projections.Reader.
func (r *Reader) ProjectBalance(by domain.Principal, id domain.ProjectID) (projections.BalanceView, error) {
	v := projections.BalanceView{Scope: "project", ID: int64(id)}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		var company domain.CompanyID
		err := tx.QueryRow(ctx, "SELECT company FROM projects WHERE id = $1", id).Scan(&company)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
		}
		if err != nil {
			return err
		}
		if err := canReadProject(ctx, tx, by, id, company); err != nil {
			return err
		}
		v.Lines, err = balanceLines(ctx, tx, `SELECT type, version, quantity FROM balances
			WHERE project = $1 AND quantity <> 0 ORDER BY type COLLATE "C", version`, id)
		return err
	})
	if err != nil {
		return projections.BalanceView{}, err
	}
	return v, nil
}

// canReadProject is domain.State.CanReadProject on the tables: readers of
// the owning company, or of a company the project is granted to (members of
// a grantee bind from an external project's balance, so they see it).
func canReadProject(ctx context.Context, tx pgx.Tx, by domain.Principal, id domain.ProjectID, company domain.CompanyID) error {
	own := canRead(ctx, tx, by, company)
	if own == nil {
		return nil
	}
	rows, _ := tx.Query(ctx, "SELECT company FROM project_grants WHERE project = $1 ORDER BY company", id)
	grantees, err := pgx.CollectRows(rows, pgx.RowTo[domain.CompanyID])
	if err != nil {
		return err
	}
	for _, g := range grantees {
		if canRead(ctx, tx, by, g) == nil {
			return nil
		}
	}
	return own
}

// CompanyBalance implements projections.Reader: the sum over the company's
// own projects (external projects are not its balance).
func (r *Reader) CompanyBalance(by domain.Principal, id domain.CompanyID) (projections.BalanceView, error) {
	v := projections.BalanceView{Scope: "company", ID: int64(id)}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, id); err != nil {
			return err
		}
		var err error
		v.Lines, err = balanceLines(ctx, tx, `SELECT b.type, b.version, sum(b.quantity)::bigint
			FROM balances b JOIN projects p ON p.id = b.project WHERE p.company = $1
			GROUP BY b.type, b.version HAVING sum(b.quantity) <> 0 ORDER BY b.type COLLATE "C", b.version`, id)
		return err
	})
	if err != nil {
		return projections.BalanceView{}, err
	}
	return v, nil
}

func balanceLines(ctx context.Context, tx pgx.Tx, sql string, arg any) ([]domain.Line, error) {
	rows, _ := tx.Query(ctx, sql, arg)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Line, error) {
		var l domain.Line
		return l, row.Scan(&l.Type, &l.Version, &l.Quantity)
	})
	if out == nil {
		out = []domain.Line{}
	}
	return out, err
}
