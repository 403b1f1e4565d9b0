package postgres

import (
	"encoding/json"
	"strconv"

	"github.com/innolic/ledger/domain"
)

// The rows of migrations/0010_rental.sql. JSON columns hold values of the
// domain state as JSON text, to stay comparable.
type (
	instanceRow struct {
		Company        domain.CompanyID
		Name, Password string
	}
	domainRow struct {
		Instance                                  domain.InstanceID
		Company                                   domain.CompanyID
		Project                                   domain.ProjectID
		Password, Settings, Prices, Account, Mail string
		Contact                                   domain.PersonID
	}
	domainDeviceKey struct {
		Domain string
		MAC    domain.MAC
	}
)

// renting is the mirror of the Devices App tables.
type renting struct {
	instances *rowset[domain.InstanceID, instanceRow, domain.CompanyID]
	domains   *rowset[string, domainRow, domain.CompanyID]
	devices   *rowset[domainDeviceKey, string, string]
	rentedBy  *rowset[domain.MAC, string, domain.MAC]
}

func newRenting() renting {
	return renting{
		instances: newRowset(func(_ domain.InstanceID, r instanceRow) domain.CompanyID { return r.Company }),
		domains:   newRowset(func(_ string, r domainRow) domain.CompanyID { return r.Company }),
		devices:   newRowset(func(k domainDeviceKey, _ string) string { return k.Domain }),
		rentedBy:  newRowset(func(m domain.MAC, _ string) domain.MAC { return m }),
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// syncInstance writes an instance's row.
func (t *renting) syncInstance(s *domain.State, id domain.InstanceID) {
	in, ok := s.Instances[id]
	if !ok {
		t.instances.del(id)
		return
	}
	t.instances.put(id, instanceRow{Company: in.Company, Name: in.Name, Password: jsonText(in.Password)})
}

// syncDomain writes a domain's row and its devices.
func (t *renting) syncDomain(s *domain.State, name string) {
	dm, ok := s.Domains[name]
	devices := map[domainDeviceKey]string{}
	if ok {
		prices := map[string]string{}
		for id, p := range dm.Prices {
			prices[strconv.FormatInt(id, 10)] = p.String()
		}
		mailed := map[string]domain.Day{}
		for to, d := range dm.Mailed {
			mailed[to] = d
		}
		t.domains.put(name, domainRow{Instance: dm.Instance, Company: s.CompanyOfDomain(dm), Project: dm.Project,
			Password: jsonText(dm.Password), Settings: jsonText(dm.Settings), Prices: jsonText(prices),
			Account: jsonText(dm.Account), Mail: jsonText(mailed), Contact: dm.Contact})
		for mac, typ := range dm.Devices {
			devices[domainDeviceKey{name, mac}] = typ
		}
	} else {
		t.domains.del(name)
	}
	t.devices.replace(name, devices)
}

// syncRentedBy writes which domain's rental licenses a device holds.
func (t *renting) syncRentedBy(s *domain.State, mac domain.MAC) {
	if name, ok := s.RentedBy[mac]; ok {
		t.rentedBy.put(mac, name)
	} else {
		t.rentedBy.del(mac)
	}
}

// syncCompanyRenting resynchronizes the instances and domains of a
// touched company: a company join gives the absorbed company's instances
// (and so their domains) to the joining one without tagging them.
func (t *renting) syncCompanyRenting(s *domain.State, c domain.CompanyID) {
	for _, id := range t.instances.childrenOf(c) {
		t.syncInstance(s, id)
	}
	for _, name := range t.domains.childrenOf(c) {
		t.syncDomain(s, name)
	}
}

var (
	instancesTable = newTable[domain.InstanceID, instanceRow]("devices_instances", []string{"id bigint"},
		[]string{"company bigint", "name text", "password text jsonb"},
		func(ks []domain.InstanceID) []any { return []any{ints(ks)} },
		func(rs []instanceRow) []any {
			return []any{col(rs, func(r instanceRow) int64 { return int64(r.Company) }), col(rs, func(r instanceRow) string { return r.Name }),
				col(rs, func(r instanceRow) string { return r.Password })}
		})
	domainsTable = newTable[string, domainRow]("devices_domains", []string{"name text"},
		[]string{"instance bigint", "company bigint", "project bigint", "password text jsonb", "settings text jsonb",
			"contact bigint", "prices text jsonb", "account text jsonb", "mailed text jsonb"},
		func(ks []string) []any { return []any{ks} },
		func(rs []domainRow) []any {
			s := func(f func(domainRow) string) []string { return col(rs, f) }
			return []any{col(rs, func(r domainRow) int64 { return int64(r.Instance) }), col(rs, func(r domainRow) int64 { return int64(r.Company) }),
				col(rs, func(r domainRow) int64 { return int64(r.Project) }), s(func(r domainRow) string { return r.Password }),
				s(func(r domainRow) string { return r.Settings }), col(rs, func(r domainRow) int64 { return int64(r.Contact) }),
				s(func(r domainRow) string { return r.Prices }), s(func(r domainRow) string { return r.Account }),
				s(func(r domainRow) string { return r.Mail })}
		})
	domainDevicesTable = newTable[domainDeviceKey, string]("domain_devices", []string{"domain text", "mac text"}, []string{"type text"},
		func(ks []domainDeviceKey) []any {
			return []any{col(ks, func(k domainDeviceKey) string { return k.Domain }), col(ks, func(k domainDeviceKey) string { return string(k.MAC) })}
		},
		func(rs []string) []any { return []any{rs} })
	rentedByTable = newTable[domain.MAC, string]("rented_by", []string{"mac text"}, []string{"domain text"},
		func(ks []domain.MAC) []any { return []any{col(ks, func(m domain.MAC) string { return string(m) })} },
		func(rs []string) []any { return []any{rs} })
)

func (t *renting) changes(ws []tableWrite) []tableWrite {
	ws = changesOf(ws, instancesTable, t.instances)
	ws = changesOf(ws, domainsTable, t.domains)
	ws = changesOf(ws, domainDevicesTable, t.devices)
	return changesOf(ws, rentedByTable, t.rentedBy)
}
