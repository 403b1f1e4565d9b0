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

// Devices implements projections.LicenseReader. The text filter runs in Go
// with the memory backend's own case folding (strings.ToLower), which a
// database's lower() matches only in some collations.
func (r *Reader) Devices(by domain.Principal, company domain.CompanyID, f projections.DeviceFilter) ([]projections.DeviceView, error) {
	var out []projections.DeviceView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			// A grantee lists the devices of the external project it was given.
			if f.Project == 0 || canReadOwnedProject(ctx, tx, by, f.Project, company) != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, p.project, p.name, p.comment, d.rma, p.rental_project
			FROM device_placements p JOIN devices d ON d.mac = p.mac
			WHERE p.company = $1 AND ($2 = 0 OR p.project = $2 OR p.rental_project = $2) ORDER BY p.mac COLLATE "C"`, company, f.Project)
		var err error
		out, err = pgx.CollectRows(rows, scanDevice)
		return err
	})
	if err != nil {
		return nil, err
	}
	text := strings.ToLower(strings.TrimSpace(StoredText(f.Text)))
	kept := []projections.DeviceView{}
	for _, d := range out {
		if text == "" || strings.Contains(strings.ToLower(string(d.MAC)+"\n"+d.Name+"\n"+d.Comment), text) {
			kept = append(kept, d)
		}
	}
	return kept, nil
}

// canReadOwnedProject allows reading project id when it belongs to company
// and by may read it (as its company's member or a grantee's).
func canReadOwnedProject(ctx context.Context, tx pgx.Tx, by domain.Principal, id domain.ProjectID, company domain.CompanyID) error {
	var owner domain.CompanyID
	err := tx.QueryRow(ctx, "SELECT company FROM projects WHERE id = $1", id).Scan(&owner)
	if err != nil || owner != company {
		return domain.ErrNotMember
	}
	return canReadProject(ctx, tx, by, id, company)
}

func scanDevice(row pgx.CollectableRow) (projections.DeviceView, error) {
	var d projections.DeviceView
	return d, row.Scan(&d.MAC, &d.Type, &d.Project, &d.Name, &d.Comment, &d.RMA, &d.RentalProject)
}

// Device implements projections.LicenseReader.
func (r *Reader) Device(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.DeviceDetailView, error) {
	var v projections.DeviceDetailView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			// A grantee sees the devices of the external project it was given.
			var project domain.ProjectID
			if tx.QueryRow(ctx, "SELECT project FROM device_placements WHERE company = $1 AND mac = $2", company, mac).Scan(&project) != nil ||
				canReadOwnedProject(ctx, tx, by, project, company) != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, p.project, p.name, p.comment, d.rma, p.rental_project
			FROM device_placements p JOIN devices d ON d.mac = p.mac WHERE p.company = $1 AND p.mac = $2`, company, mac)
		var err error
		v.DeviceView, err = pgx.CollectExactlyOneRow(rows, scanDevice)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Errorf(domain.KindNotFound, "device-not-in-company", "device %s is not in company %d", mac, company)
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT order_number, delivered, (SELECT count(*) > 1 FROM device_placements WHERE mac = $1),
				warranty_end, test_until, return_locked
			FROM devices WHERE mac = $1`, mac).Scan(&v.OrderNumber, &v.Delivered, &v.InOtherCompany,
			&v.WarrantyEnd, &v.TestUntil, &v.ReturnLocked); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT id, type, version, quantity, bind_date, ssa_end, external_key, origin
			FROM license_lines WHERE mac = $1 ORDER BY id`, mac)
		v.Licenses, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.LicenseLine, error) {
			var l domain.LicenseLine
			return l, row.Scan(&l.ID, &l.Type, &l.Version, &l.Quantity, &l.BindDate, &l.SSAEnd, &l.ExternalKey, &l.Origin)
		})
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT confirmation, date, project, lines::text FROM device_invalidations
			WHERE mac = $1 ORDER BY n`, mac)
		v.Invalidations, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.Invalidation, error) {
			var inv domain.Invalidation
			var lines string
			if err := row.Scan(&inv.Confirmation, &inv.Date, &inv.Project, &lines); err != nil {
				return inv, err
			}
			return inv, json.Unmarshal([]byte(lines), &inv.Lines)
		})
		return err
	})
	if err != nil {
		return projections.DeviceDetailView{}, err
	}
	v.Licenses, v.Invalidations = nonNil(v.Licenses), nonNil(v.Invalidations)
	return v, nil
}

// keyLinesOf reads the lines of keys, in each key's order (type in byte
// order, then version).
func keyLinesOf(ctx context.Context, tx pgx.Tx, codes []string) (map[string][]domain.Line, error) {
	rows, _ := tx.Query(ctx, `SELECT code, type, version, quantity FROM key_lines WHERE code = ANY($1)
		ORDER BY code, type COLLATE "C", version`, codes)
	out := map[string][]domain.Line{}
	var code string
	var l domain.Line
	_, err := pgx.ForEachRow(rows, []any{&code, &l.Type, &l.Version, &l.Quantity}, func() error {
		out[code] = append(out[code], l)
		return nil
	})
	return out, err
}

// ActivationKeys implements projections.LicenseReader: keys created from
// the company's projects (own, unless deleted) and keys redeemed into them.
func (r *Reader) ActivationKeys(by domain.Principal, company domain.CompanyID, f projections.KeyFilter) ([]projections.KeyView, error) {
	var out []projections.KeyView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT k.code, NOT k.deleted AND fp.company IS NOT DISTINCT FROM $1,
				COALESCE(k.from_project, 0), COALESCE(k.redeemed_into, 0), k.order_number, k.order_reference, k.comment
			FROM keys k LEFT JOIN projects fp ON fp.id = k.from_project LEFT JOIN projects rp ON rp.id = k.redeemed_into
			WHERE (NOT k.deleted AND fp.company = $1 OR rp.company = $1) AND ($2 = '' OR k.order_number = $2)
			ORDER BY k.code COLLATE "C"`, company, strings.TrimSpace(StoredText(f.OrderNumber)))
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.KeyView, error) {
			var k projections.KeyView
			return k, row.Scan(&k.Code, &k.Own, &k.FromProject, &k.RedeemedInto, &k.OrderNumber, &k.OrderReference, &k.Comment)
		})
		if err != nil || len(out) == 0 {
			return err
		}
		lines, err := keyLinesOf(ctx, tx, col(out, func(k projections.KeyView) string { return k.Code }))
		for i := range out {
			out[i].Lines = nonNil(lines[out[i].Code])
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// KeyCertificate implements projections.LicenseReader. A key that is not
// the caller's is answered as not found, since a code is a bearer secret.
func (r *Reader) KeyCertificate(by domain.Principal, code string) (projections.KeyCertificateView, error) {
	code = strings.TrimSpace(StoredText(code)) // as stored (text.go)
	var v projections.KeyCertificateView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		var from, into domain.CompanyID
		var fromName, intoName *string
		err := tx.QueryRow(ctx, `SELECT k.code, k.order_number, k.order_reference,
				COALESCE(fp.company, 0), fc.name, COALESCE(rp.company, 0), rc.name
			FROM keys k LEFT JOIN projects fp ON fp.id = k.from_project LEFT JOIN companies fc ON fc.id = fp.company
				LEFT JOIN projects rp ON rp.id = k.redeemed_into LEFT JOIN companies rc ON rc.id = rp.company
			WHERE k.code = $1 AND NOT k.deleted`, code).Scan(&v.Code, &v.OrderNumber, &v.OrderReference, &from, &fromName, &into, &intoName)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrKeyNotFound
		}
		if err != nil {
			return err
		}
		if !by.Vendor && !readable(ctx, tx, by, from) && !readable(ctx, tx, by, into) {
			return domain.ErrKeyNotFound
		}
		v.IssuedBy = "vendor"
		if fromName != nil {
			v.IssuedBy = *fromName
		}
		if intoName != nil {
			v.RedeemedBy = *intoName
		}
		lines, err := keyLinesOf(ctx, tx, []string{code})
		v.Lines = nonNil(lines[code])
		return err
	})
	if err != nil {
		return projections.KeyCertificateView{}, err
	}
	return v, nil
}

// readable says whether canRead allows by to read company c.
func readable(ctx context.Context, tx pgx.Tx, by domain.Principal, c domain.CompanyID) bool {
	return canRead(ctx, tx, by, c) == nil
}

// CreditPurchases implements projections.LicenseReader.
func (r *Reader) CreditPurchases(by domain.Principal, company domain.CompanyID) ([]projections.CreditPurchaseView, error) {
	if company == 0 && !by.Vendor {
		return nil, domain.ErrVendorOnly
	}
	var out []projections.CreditPurchaseView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if company != 0 {
			if err := canRead(ctx, tx, by, company); err != nil {
				return err
			}
		}
		rows, _ := tx.Query(ctx, `SELECT company, project, person, mac, lines::text, order_number, date FROM credit_purchases
			WHERE $1 = 0 OR company = $1 ORDER BY n`, company)
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.CreditPurchaseView, error) {
			var c projections.CreditPurchaseView
			var lines string
			if err := row.Scan(&c.Company, &c.Project, &c.Person, &c.MAC, &lines, &c.OrderNumber, &c.Date); err != nil {
				return c, err
			}
			return c, json.Unmarshal([]byte(lines), &c.Lines)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// OrderDevices implements projections.LicenseReader: every authenticated
// caller may list the devices of an order number.
func (r *Reader) OrderDevices(_ domain.Principal, order string) ([]projections.RegistryDeviceView, error) {
	var out []projections.RegistryDeviceView
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, d.order_number, d.delivered FROM order_devices o JOIN devices d ON d.mac = o.mac
			WHERE o.order_number = $1 ORDER BY o.mac COLLATE "C"`, strings.TrimSpace(StoredText(order)))
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (projections.RegistryDeviceView, error) {
			var d projections.RegistryDeviceView
			return d, row.Scan(&d.MAC, &d.Type, &d.OrderNumber, &d.Delivered)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.KindNotFound, "order-not-found", "no devices registered for order %q", order)
	}
	return out, nil
}
