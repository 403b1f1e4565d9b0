package postgres

import (
	"encoding/json"
	"time"

	"github.com/innolic/ledger/domain"
)

// The rows of migrations/0002_licenses.sql.
type (
	deviceRow struct {
		Type, OrderNumber, Delivered string
		Owner                        domain.CompanyID
		RMA                          domain.RMAState
		WarrantyEnd, TestUntil       string
		ReturnLocked                 bool
		Downloads                    string // JSON list of versions, to stay comparable
	}
	placementKey struct {
		MAC     domain.MAC
		Company domain.CompanyID
	}
	placementRow struct {
		Project       domain.ProjectID
		Name, Comment string
		Rental        domain.ProjectID
	}
	licenseKey struct {
		MAC domain.MAC
		ID  int64
	}
	licenseRow struct {
		N                             int32
		Item                          domain.Item
		Quantity                      int64
		BindDate, SSAEnd, ExternalKey string
		Origin                        domain.Origin
	}
	invalidationKey struct {
		MAC domain.MAC
		N   int32
	}
	invalidationRow struct {
		Confirmation, Date string
		Project            domain.ProjectID
		Lines              string // JSON, to stay comparable
	}
	freeKey struct {
		Project domain.ProjectID
		N       int32
	}
	orderKey struct {
		Order string
		MAC   domain.MAC
	}
	creditRow struct {
		Company           domain.CompanyID
		Project           domain.ProjectID
		Person            domain.PersonID
		MAC               domain.MAC
		Lines             string // JSON, to stay comparable
		OrderNumber, Date string
	}
)

// licensing is the mirror of the license-lifecycle tables.
type licensing struct {
	devices    *rowset[domain.MAC, deviceRow, struct{}]
	placements *rowset[placementKey, placementRow, domain.MAC]
	licenses   *rowset[licenseKey, licenseRow, domain.MAC]
	invalid    *rowset[invalidationKey, invalidationRow, domain.MAC]
	orders     *rowset[orderKey, struct{}, string]
	free       *rowset[freeKey, domain.LicenseLine, domain.ProjectID]
	credits    *rowset[int64, creditRow, struct{}]
	// devicesOf indexes the committed placements by company, so a touched
	// company resynchronizes the devices it held (a company join moves
	// them without tagging each).
	devicesOf map[domain.CompanyID]map[domain.MAC]struct{}
}

func newLicensing() licensing {
	l := licensing{
		devices:    newRowset[domain.MAC, deviceRow, struct{}](nil),
		placements: newRowset(func(k placementKey, _ placementRow) domain.MAC { return k.MAC }),
		licenses:   newRowset(func(k licenseKey, _ licenseRow) domain.MAC { return k.MAC }),
		invalid:    newRowset(func(k invalidationKey, _ invalidationRow) domain.MAC { return k.MAC }),
		orders:     newRowset(func(k orderKey, _ struct{}) string { return k.Order }),
		free:       newRowset(func(k freeKey, _ domain.LicenseLine) domain.ProjectID { return k.Project }),
		credits:    newRowset[int64, creditRow, struct{}](nil),
		devicesOf:  map[domain.CompanyID]map[domain.MAC]struct{}{},
	}
	l.placements.onCommit = func(k placementKey, old, new *placementRow) {
		if new == nil {
			delete(l.devicesOf[k.Company], k.MAC)
			return
		}
		set := l.devicesOf[k.Company]
		if set == nil {
			set = map[domain.MAC]struct{}{}
			l.devicesOf[k.Company] = set
		}
		set[k.MAC] = struct{}{}
	}
	return l
}

func (l *licensing) syncDevice(s *domain.State, mac domain.MAC) {
	d, ok := s.Devices[mac]
	placements := map[placementKey]placementRow{}
	licenses := map[licenseKey]licenseRow{}
	invalid := map[invalidationKey]invalidationRow{}
	if ok {
		l.devices.put(mac, deviceRow{Type: d.Type, OrderNumber: d.OrderNumber, Delivered: d.Delivered, Owner: d.Owner, RMA: d.RMA,
			WarrantyEnd: d.WarrantyEnd(), TestUntil: d.TestUntil, ReturnLocked: d.ReturnLocked, Downloads: downloads(s, d)})
		for c, pl := range d.In {
			placements[placementKey{mac, c}] = placementRow{Project: pl.Project, Name: pl.Name, Comment: pl.Comment, Rental: pl.Rental}
		}
		for i, li := range d.Licenses {
			licenses[licenseKey{mac, li.ID}] = licenseRow{N: int32(i + 1), Item: li.Item, Quantity: li.Quantity, BindDate: li.BindDate,
				SSAEnd: li.SSAEnd, ExternalKey: li.ExternalKey, Origin: li.Origin}
		}
		for i, inv := range d.Invalidations {
			lines, _ := json.Marshal(inv.Lines)
			invalid[invalidationKey{mac, int32(i + 1)}] = invalidationRow{Confirmation: inv.Confirmation, Date: inv.Date,
				Project: inv.Project, Lines: string(lines)}
		}
		if d.OrderNumber != "" {
			order := map[orderKey]struct{}{}
			for _, m := range s.Orders[d.OrderNumber] {
				order[orderKey{d.OrderNumber, m}] = struct{}{}
			}
			l.orders.replace(d.OrderNumber, order)
		}
	} else {
		l.devices.del(mac)
	}
	l.placements.replace(mac, placements)
	l.licenses.replace(mac, licenses)
	l.invalid.replace(mac, invalid)
}

// farFuture makes every catalog release count as released, as in the
// memory backend: read models take no time from the wall clock, and the
// catalog lists only versions the vendor has released.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// downloads are the versions a device's license file may be downloaded
// in (the domain's rule: its licenses, their SSA ends and the releases).
func downloads(s *domain.State, d *domain.Device) string {
	vs := s.DownloadVersions(d, farFuture)
	if vs == nil {
		vs = []int{}
	}
	b, _ := json.Marshal(vs)
	return string(b)
}

// syncFree rewrites a project's free pool (license returns tag the project
// they return into; joins tag both projects).
func (l *licensing) syncFree(s *domain.State, id domain.ProjectID) {
	pool := map[freeKey]domain.LicenseLine{}
	for i, li := range s.Free[id] {
		pool[freeKey{id, int32(i + 1)}] = li
	}
	l.free.replace(id, pool)
}

// syncCredits adds the purchases on credit appended since the last batch;
// the domain only ever appends to that list.
func (l *licensing) syncCredits(s *domain.State) {
	for i := len(l.credits.rows); i < len(s.Credits); i++ {
		c := s.Credits[i]
		lines, _ := json.Marshal(c.Lines)
		l.credits.put(int64(i+1), creditRow{Company: c.Company, Project: c.Project, Person: c.Person, MAC: c.MAC,
			Lines: string(lines), OrderNumber: c.OrderNumber, Date: c.Date})
	}
}

var (
	devicesTable = newTable[domain.MAC, deviceRow]("devices", []string{"mac text"},
		[]string{"type text", "order_number text", "delivered text", "owner bigint", "rma text", "warranty_end text",
			"test_until text", "return_locked boolean", "downloads text jsonb"},
		func(ks []domain.MAC) []any { return []any{strs(ks)} },
		func(rs []deviceRow) []any {
			return []any{col(rs, func(r deviceRow) string { return r.Type }), col(rs, func(r deviceRow) string { return r.OrderNumber }),
				col(rs, func(r deviceRow) string { return r.Delivered }), col(rs, func(r deviceRow) int64 { return int64(r.Owner) }),
				col(rs, func(r deviceRow) string { return string(r.RMA) }), col(rs, func(r deviceRow) string { return r.WarrantyEnd }),
				col(rs, func(r deviceRow) string { return r.TestUntil }), col(rs, func(r deviceRow) bool { return r.ReturnLocked }),
				col(rs, func(r deviceRow) string { return r.Downloads })}
		})
	placementsTable = newTable[placementKey, placementRow]("device_placements", []string{"mac text", "company bigint"},
		[]string{"project bigint", "name text", "comment text", "rental_project bigint"},
		func(ks []placementKey) []any {
			return []any{col(ks, func(k placementKey) string { return string(k.MAC) }), col(ks, func(k placementKey) int64 { return int64(k.Company) })}
		},
		func(rs []placementRow) []any {
			return []any{col(rs, func(r placementRow) int64 { return int64(r.Project) }), col(rs, func(r placementRow) string { return r.Name }),
				col(rs, func(r placementRow) string { return r.Comment }), col(rs, func(r placementRow) int64 { return int64(r.Rental) })}
		})
	licensesTable = newTable[licenseKey, licenseRow]("license_lines", []string{"mac text", "id bigint"},
		[]string{"n integer", "type text", "version integer", "quantity bigint", "bind_date text", "ssa_end text", "external_key text", "origin text"},
		func(ks []licenseKey) []any {
			return []any{col(ks, func(k licenseKey) string { return string(k.MAC) }), col(ks, func(k licenseKey) int64 { return k.ID })}
		},
		func(rs []licenseRow) []any {
			return []any{col(rs, func(r licenseRow) int32 { return r.N }), col(rs, func(r licenseRow) string { return r.Item.Type }), col(rs, func(r licenseRow) int32 { return int32(r.Item.Version) }),
				col(rs, func(r licenseRow) int64 { return r.Quantity }), col(rs, func(r licenseRow) string { return r.BindDate }),
				col(rs, func(r licenseRow) string { return r.SSAEnd }), col(rs, func(r licenseRow) string { return r.ExternalKey }),
				col(rs, func(r licenseRow) string { return string(r.Origin) })}
		})
	invalidTable = newTable[invalidationKey, invalidationRow]("device_invalidations", []string{"mac text", "n integer"},
		[]string{"confirmation text", "date text", "project bigint", "lines text jsonb"},
		func(ks []invalidationKey) []any {
			return []any{col(ks, func(k invalidationKey) string { return string(k.MAC) }), col(ks, func(k invalidationKey) int32 { return k.N })}
		},
		func(rs []invalidationRow) []any {
			return []any{col(rs, func(r invalidationRow) string { return r.Confirmation }), col(rs, func(r invalidationRow) string { return r.Date }),
				col(rs, func(r invalidationRow) int64 { return int64(r.Project) }), col(rs, func(r invalidationRow) string { return r.Lines })}
		})
	freeTable = newTable[freeKey, domain.LicenseLine]("free_pool", []string{"project bigint", "n integer"},
		[]string{"id bigint", "type text", "version integer", "quantity bigint", "bind_date text", "ssa_end text", "external_key text", "origin text"},
		func(ks []freeKey) []any {
			return []any{col(ks, func(k freeKey) int64 { return int64(k.Project) }), col(ks, func(k freeKey) int32 { return k.N })}
		},
		func(rs []domain.LicenseLine) []any {
			return []any{col(rs, func(r domain.LicenseLine) int64 { return r.ID }), col(rs, func(r domain.LicenseLine) string { return r.Type }),
				col(rs, func(r domain.LicenseLine) int32 { return int32(r.Version) }), col(rs, func(r domain.LicenseLine) int64 { return r.Quantity }),
				col(rs, func(r domain.LicenseLine) string { return r.BindDate }), col(rs, func(r domain.LicenseLine) string { return r.SSAEnd }),
				col(rs, func(r domain.LicenseLine) string { return r.ExternalKey }), col(rs, func(r domain.LicenseLine) string { return string(r.Origin) })}
		})
	ordersTable = newTable[orderKey, struct{}]("order_devices", []string{"order_number text", "mac text"}, nil,
		func(ks []orderKey) []any {
			return []any{col(ks, func(k orderKey) string { return k.Order }), col(ks, func(k orderKey) string { return string(k.MAC) })}
		},
		func([]struct{}) []any { return nil })
	creditsTable = newTable[int64, creditRow]("credit_purchases", []string{"n bigint"},
		[]string{"company bigint", "project bigint", "person bigint", "mac text", "lines text jsonb", "order_number text", "date text"},
		func(ks []int64) []any { return []any{ks} },
		func(rs []creditRow) []any {
			return []any{col(rs, func(r creditRow) int64 { return int64(r.Company) }), col(rs, func(r creditRow) int64 { return int64(r.Project) }),
				col(rs, func(r creditRow) int64 { return int64(r.Person) }), col(rs, func(r creditRow) string { return string(r.MAC) }),
				col(rs, func(r creditRow) string { return r.Lines }), col(rs, func(r creditRow) string { return r.OrderNumber }),
				col(rs, func(r creditRow) string { return r.Date })}
		})
)

func (l *licensing) changes(ws []tableWrite) []tableWrite {
	ws = changesOf(ws, devicesTable, l.devices)
	ws = changesOf(ws, placementsTable, l.placements)
	ws = changesOf(ws, licensesTable, l.licenses)
	ws = changesOf(ws, invalidTable, l.invalid)
	ws = changesOf(ws, ordersTable, l.orders)
	ws = changesOf(ws, freeTable, l.free)
	return changesOf(ws, creditsTable, l.credits)
}

// strs converts string-typed ids to the []string pgx encodes as text[].
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
