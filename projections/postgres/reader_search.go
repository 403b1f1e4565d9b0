package postgres

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// Search implements projections.SearchReader. The candidates are read with
// SQL (the company's projects, devices and own keys, or the devices with
// their holdings of a license type) and matched in Go with the memory
// backend's rules (strings.ToLower containment, codes with or without
// dashes), which no database collation reproduces exactly.
func (r *Reader) Search(by domain.Principal, company domain.CompanyID, query string) (projections.SearchResult, error) {
	// Text is matched in the form it is stored in (text.go).
	q := strings.TrimSpace(StoredText(query))
	if len([]rune(q)) < projections.MinSearch {
		return projections.SearchResult{}, domain.Errorf(domain.KindInvalid, "search-too-short",
			"a search needs at least %d characters (%d for activation keys)", projections.MinSearch, projections.MinKeySearch)
	}
	out := projections.SearchResult{Query: q, Projects: []projections.ProjectView{}, Devices: []projections.DeviceView{},
		Keys: []projections.KeySearchHit{}, Products: []projections.ProductHit{}}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		if lq, ok := projections.ParseLicenseQuery(r.cat, q); ok {
			out.License = &lq
			devs, err := devicesHolding(ctx, tx, company, lq)
			out.Devices, out.Truncated = projections.CapHits(devs)
			return err
		}
		needle := strings.ToLower(q)
		var cut [3]bool
		projects, err := projectsOf(ctx, tx, company)
		if err != nil {
			return err
		}
		out.Projects, cut[0] = projections.CapHits(slices.DeleteFunc(projects, func(p projections.ProjectView) bool {
			return !projections.ContainsFold(needle, p.Name, p.Description)
		}))
		var products map[string]bool
		out.Products, products = projections.MatchProducts(r.cat, q)
		if out.Devices, cut[1], err = searchDevices(ctx, tx, company, needle, products); err != nil {
			return err
		}
		if len([]rune(q)) >= projections.MinKeySearch {
			if out.Keys, cut[2], err = searchKeys(ctx, tx, company, needle); err != nil {
				return err
			}
		}
		out.Truncated = cut[0] || cut[1] || cut[2]
		return nil
	})
	if err != nil {
		return projections.SearchResult{}, err
	}
	return out, nil
}

// devicesHolding lists the company's devices whose lines of the queried
// type (and version) add up to at least the minimum, in MAC order.
func devicesHolding(ctx context.Context, tx pgx.Tx, company domain.CompanyID, lq projections.LicenseQuery) ([]projections.DeviceView, error) {
	rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, p.project, p.name, p.comment, d.rma, p.rental_project
		FROM device_placements p JOIN devices d ON d.mac = p.mac
		WHERE p.company = $1 AND (SELECT COALESCE(sum(l.quantity), 0) FROM license_lines l
			WHERE l.mac = d.mac AND l.type = $2 AND ($3 = 0 OR l.version = $3)) >= $4
		ORDER BY p.mac COLLATE "C"`, company, lq.Type, lq.Version, lq.AtLeast)
	return pgx.CollectRows(rows, scanDevice)
}

func searchDevices(ctx context.Context, tx pgx.Tx, company domain.CompanyID, needle string, products map[string]bool) ([]projections.DeviceView, bool, error) {
	rows, _ := tx.Query(ctx, `SELECT d.mac, d.type, p.project, p.name, p.comment, d.rma, p.rental_project, d.order_number
		FROM device_placements p JOIN devices d ON d.mac = p.mac WHERE p.company = $1 ORDER BY p.mac COLLATE "C"`, company)
	var out []projections.DeviceView
	var d projections.DeviceView
	var order string
	_, err := pgx.ForEachRow(rows, []any{&d.MAC, &d.Type, &d.Project, &d.Name, &d.Comment, &d.RMA, &d.RentalProject, &order}, func() error {
		if products[d.Type] || projections.ContainsFold(needle, d.Name, d.Comment, string(d.MAC), d.Type, order) {
			out = append(out, d)
		}
		return nil
	})
	hits, cut := projections.CapHits(out)
	return hits, cut, err
}

// searchKeys finds the company's own keys: those created from one of its
// projects. Codes match with or without their dashes.
func searchKeys(ctx context.Context, tx pgx.Tx, company domain.CompanyID, needle string) ([]projections.KeySearchHit, bool, error) {
	plain := strings.ReplaceAll(needle, "-", "")
	rows, _ := tx.Query(ctx, `SELECT k.code, k.from_project, k.order_number, k.order_reference, k.comment, k.redeemed_into IS NOT NULL
		FROM keys k JOIN projects p ON p.id = k.from_project WHERE p.company = $1 ORDER BY k.code COLLATE "C"`, company)
	var out []projections.KeySearchHit
	var k projections.KeySearchHit
	_, err := pgx.ForEachRow(rows, []any{&k.Code, &k.FromProject, &k.OrderNumber, &k.OrderReference, &k.Comment, &k.Redeemed}, func() error {
		code := strings.ToLower(k.Code)
		if strings.Contains(strings.ReplaceAll(code, "-", ""), plain) || projections.ContainsFold(needle, k.Comment, k.OrderNumber, k.OrderReference) {
			out = append(out, k)
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		hits, cut := projections.CapHits(out)
		return hits, cut, err
	}
	lines, err := keyLinesOf(ctx, tx, col(out, func(k projections.KeySearchHit) string { return k.Code }))
	for i := range out {
		out[i].Lines = lines[out[i].Code]
	}
	hits, cut := projections.CapHits(out)
	return hits, cut, err
}
