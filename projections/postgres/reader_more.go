package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// InterfaceCaller implements projections.InterfaceReader: what
// interface.php needs to check a call's signature and its caller.
func (r *Reader) InterfaceCaller(email string, project domain.ProjectID) (projections.InterfaceCallerView, error) {
	var v projections.InterfaceCallerView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT company, trust_value FROM projects WHERE id = $1", project).Scan(&v.Company, &v.Trust)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		v.ProjectFound = true
		err = tx.QueryRow(ctx, `SELECT p.id, p.vendor FROM person_emails e JOIN persons p ON p.id = e.person
			WHERE e.email_key = $1`, strings.ToLower(strings.TrimSpace(StoredText(email)))).Scan(&v.Person.Person, &v.Person.Vendor)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		v.PersonFound = true
		v.Reachable = canLicense(ctx, tx, v.Person, v.Company) == nil
		return nil
	})
	if err != nil {
		return projections.InterfaceCallerView{}, err
	}
	return v, nil
}

// FreePool implements projections.LicenseReader: a project's returned
// licenses, in the pool's order.
func (r *Reader) FreePool(by domain.Principal, project domain.ProjectID) ([]domain.LicenseLine, error) {
	var out []domain.LicenseLine
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		var company domain.CompanyID
		err := tx.QueryRow(ctx, "SELECT company FROM projects WHERE id = $1", project).Scan(&company)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", project)
		}
		if err != nil {
			return err
		}
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, type, version, quantity, bind_date, ssa_end, external_key, origin
			FROM free_pool WHERE project = $1 ORDER BY n`, project)
		out, err = pgx.CollectRows(rows, scanLicenseLine)
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

func scanLicenseLine(row pgx.CollectableRow) (domain.LicenseLine, error) {
	var l domain.LicenseLine
	return l, row.Scan(&l.ID, &l.Type, &l.Version, &l.Quantity, &l.BindDate, &l.SSAEnd, &l.ExternalKey, &l.Origin)
}

// ForeignDevice implements projections.LicenseReader: any registry device
// with its warranty and licenses, for companies linked to a vendor
// customer id (the warranty shown is the distributors').
func (r *Reader) ForeignDevice(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.ForeignDeviceView, error) {
	var v projections.ForeignDeviceView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		var customer string
		if err := tx.QueryRow(ctx, "SELECT customer_id FROM companies WHERE id = $1", company).Scan(&customer); err != nil {
			return err
		}
		if customer == "" && !by.Vendor {
			return domain.Errorf(domain.KindRejected, "customer-id-required", "link your vendor customer id to the company first")
		}
		err := tx.QueryRow(ctx, "SELECT mac, type, warranty_end FROM devices WHERE mac = $1", mac).Scan(&v.MAC, &v.Type, &v.WarrantyEnd)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "device-not-found", "device %s is not in the registry", mac)
		}
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT type, version, quantity, ssa_end FROM license_lines WHERE mac = $1 ORDER BY n", mac)
		v.Licenses, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.ForeignLine, error) {
			var l projections.ForeignLine
			return l, row.Scan(&l.Type, &l.Version, &l.Quantity, &l.SSAEnd)
		})
		return err
	})
	if err != nil {
		return projections.ForeignDeviceView{}, err
	}
	v.Licenses = nonNil(v.Licenses)
	return v, nil
}

// DownloadVersions implements projections.LicenseReader: the versions a
// device's license file may be downloaded in, computed by the domain when
// the device last changed.
func (r *Reader) DownloadVersions(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.DownloadView, error) {
	v := projections.DownloadView{MAC: mac}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		var versions string
		err := tx.QueryRow(ctx, `SELECT d.downloads::text, d.return_locked FROM devices d
			JOIN device_placements p ON p.mac = d.mac AND p.company = $2 WHERE d.mac = $1`, mac, company).Scan(&versions, &v.ReturnLocked)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "device-not-in-company", "device %s is not in company %d", mac, company)
		}
		if err != nil {
			return err
		}
		return json.Unmarshal([]byte(versions), &v.Versions)
	})
	if err != nil {
		return projections.DownloadView{}, err
	}
	return v, nil
}
