package postgres

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// Tokens implements projections.OrgReader.
func (r *Reader) Tokens(by domain.Principal, id domain.PersonID) ([]projections.TokenView, error) {
	if !by.Vendor && by.Person != id {
		return nil, domain.Errorf(domain.KindForbidden, "not-own-person", "only one's own tokens are visible")
	}
	var out []projections.TokenView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := personExists(ctx, tx, id); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT token_id, label FROM tokens WHERE person = $1 ORDER BY token_id COLLATE "C"`, id)
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.TokenView, error) {
			var v projections.TokenView
			return v, row.Scan(&v.ID, &v.Label)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

func personExists(ctx context.Context, tx pgx.Tx, id domain.PersonID) error {
	var ok bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM persons WHERE id = $1)", id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return domain.Errorf(domain.KindNotFound, "person-not-found", "no person %d", id)
	}
	return nil
}

// CompanyProfile implements projections.OrgReader.
func (r *Reader) CompanyProfile(by domain.Principal, id domain.CompanyID) (projections.CompanyProfileView, error) {
	var v projections.CompanyProfileView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT id, name, customer_id FROM companies WHERE id = $1", id).Scan(&v.ID, &v.Name, &v.CustomerID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT m.person, p.name, p.email, p.ssa_mail FROM members m JOIN persons p ON p.id = m.person
			WHERE m.company = $1 ORDER BY m.person`, id)
		var err error
		v.Members, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.MemberSSAMailView, error) {
			var m projections.MemberSSAMailView
			return m, row.Scan(&m.Person, &m.Name, &m.Email, &m.SSAMail)
		})
		return err
	})
	if err != nil {
		return projections.CompanyProfileView{}, err
	}
	v.Members = nonNil(v.Members)
	return v, nil
}

// projectDetailColumns are read by scanProjectDetail.
const projectDetailColumns = `p.id, p.company, p.name, p.description, p.update_url, p.trusted_certificate, p.trust_value,
	p.devices_app_guid, p.cc_mails::text, p.auto_ssa, p.ssa_end,
	COALESCE((SELECT array_agg(g.company ORDER BY g.company) FROM project_grants g WHERE g.project = p.id), '{}')`

// scanProjectDetail builds the view as the memory backend does: external
// projects show no properties or grants; the trust value (it signs
// interface.php calls) only to those who may edit the project.
func scanProjectDetail(row pgx.CollectableRow, external, showTrust bool) (projections.ProjectDetailView, error) {
	var v projections.ProjectDetailView
	var props domain.ProjectProperties
	var cc string
	var grants []int64
	if err := row.Scan(&v.ID, &v.Company, &v.Name, &v.Description, &props.UpdateURL, &props.TrustedCertificate,
		&props.TrustValue, &props.DevicesAppGUID, &cc, &v.AutoSSA, &v.SSAEnd, &grants); err != nil {
		return v, err
	}
	v.External, v.FreedRMA = external, domain.IsFreedRMAProject(v.Name)
	v.RentalDomain, _ = domain.RentalDomainOf(v.Name)
	if external {
		return v, nil
	}
	if err := json.Unmarshal([]byte(cc), &props.CCMails); err != nil {
		return v, err
	}
	if len(props.CCMails) == 0 {
		props.CCMails = nil
	}
	if !showTrust {
		props.TrustValue = ""
	}
	v.Properties = &props
	v.Grants = make([]domain.CompanyID, len(grants))
	for i, g := range grants {
		v.Grants[i] = domain.CompanyID(g)
	}
	return v, nil
}

// ProjectDetails implements projections.OrgReader: own projects in id
// order, then external ones in id order.
func (r *Reader) ProjectDetails(by domain.Principal, company domain.CompanyID) ([]projections.ProjectDetailView, error) {
	var out []projections.ProjectDetailView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		showTrust := canLicense(ctx, tx, by, company) == nil
		rows, _ := tx.Query(ctx, "SELECT "+projectDetailColumns+" FROM projects p WHERE p.company = $1 ORDER BY p.id", company)
		own, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.ProjectDetailView, error) {
			return scanProjectDetail(row, false, showTrust)
		})
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, "SELECT "+projectDetailColumns+` FROM projects p
			WHERE p.id IN (SELECT project FROM project_grants WHERE company = $1) ORDER BY p.id`, company)
		ext, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.ProjectDetailView, error) {
			return scanProjectDetail(row, true, false)
		})
		out = append(own, ext...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// ProjectDetail implements projections.OrgReader: for the owner's readers,
// or as an external project for readers of a company it is granted to.
func (r *Reader) ProjectDetail(by domain.Principal, id domain.ProjectID) (projections.ProjectDetailView, error) {
	var v projections.ProjectDetailView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		var owner domain.CompanyID
		var grants []int64
		err := tx.QueryRow(ctx, `SELECT company, COALESCE((SELECT array_agg(company) FROM project_grants WHERE project = $1), '{}')
			FROM projects WHERE id = $1`, id).Scan(&owner, &grants)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
		}
		if err != nil {
			return err
		}
		external, denied := false, canRead(ctx, tx, by, owner)
		if denied != nil {
			var de *domain.Error
			if !errors.As(denied, &de) {
				return denied
			}
			for _, g := range grants {
				if canRead(ctx, tx, by, domain.CompanyID(g)) == nil {
					external = true
					break
				}
			}
			if !external {
				return denied
			}
		}
		showTrust := !external && canLicense(ctx, tx, by, owner) == nil
		rows, _ := tx.Query(ctx, "SELECT "+projectDetailColumns+" FROM projects p WHERE p.id = $1", id)
		v, err = pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (projections.ProjectDetailView, error) {
			return scanProjectDetail(row, external, showTrust)
		})
		return err
	})
	if err != nil {
		return projections.ProjectDetailView{}, err
	}
	return v, nil
}

// Contracts implements projections.OrgReader.
func (r *Reader) Contracts(by domain.Principal, company domain.CompanyID, state domain.ContractState) ([]projections.ContractView, error) {
	var out []projections.ContractView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, company, kind, state, concluded_by FROM contracts
			WHERE company = $1 AND ($2 = '' OR state = $2) ORDER BY id`, company, string(state))
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.ContractView, error) {
			var c projections.ContractView
			return c, row.Scan(&c.ID, &c.Company, &c.Kind, &c.State, &c.By)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// nonNil makes an empty answer [] rather than null, as memory answers.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
