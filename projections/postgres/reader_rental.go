package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

var _ projections.RentalReader = (*Reader)(nil)

// loadRenting adds to a company's state (loadCompany) what the rental
// reads: the company's contracts, instances and domains, the devices
// registered in them (those placed in no project of the company too) and
// which domain each of these devices rents from. The domain's own
// functions then answer, so Postgres answers as memory does.
func loadRenting(ctx context.Context, tx pgx.Tx, st *domain.State, company domain.CompanyID) error {
	var ct domain.Contract
	rows, _ := tx.Query(ctx, "SELECT id, kind, state, concluded_by FROM contracts WHERE company = $1", company)
	if _, err := pgx.ForEachRow(rows, []any{&ct.ID, &ct.Kind, &ct.State, &ct.By}, func() error {
		c := ct
		c.Company = company
		st.Contracts[c.ID] = &c
		return nil
	}); err != nil {
		return err
	}
	var in domain.DevicesInstance
	var password string
	rows, _ = tx.Query(ctx, "SELECT id, name, password::text FROM devices_instances WHERE company = $1", company)
	if _, err := pgx.ForEachRow(rows, []any{&in.ID, &in.Name, &password}, func() error {
		i := in
		i.Company, i.Devices = company, map[domain.MAC]string{}
		st.Instances[i.ID] = &i
		return json.Unmarshal([]byte(password), &i.Password)
	}); err != nil {
		return err
	}
	if err := loadDomains(ctx, tx, st, "WHERE company = $1", company); err != nil {
		return err
	}
	return loadDomainDevices(ctx, tx, st)
}

// loadDomains reads the domains a WHERE clause selects into st.
func loadDomains(ctx context.Context, tx pgx.Tx, st *domain.State, where string, arg any) error {
	var name, password, settings, prices, account, mailed string
	var dm domain.DevicesDomain
	rows, _ := tx.Query(ctx, `SELECT name, instance, project, password::text, settings::text, contact, prices::text, account::text, mailed::text
		FROM devices_domains `+where, arg)
	_, err := pgx.ForEachRow(rows, []any{&name, &dm.Instance, &dm.Project, &password, &settings, &dm.Contact, &prices, &account, &mailed}, func() error {
		d := dm
		d.Name, d.Devices, d.Prices, d.Mailed = name, map[domain.MAC]string{}, map[int64]decimal.Decimal{}, map[string]domain.Day{}
		var ps map[int64]string
		for _, j := range []struct {
			raw string
			v   any
		}{{password, &d.Password}, {settings, &d.Settings}, {prices, &ps}, {account, &d.Account}, {mailed, &d.Mailed}} {
			if err := json.Unmarshal([]byte(j.raw), j.v); err != nil {
				return err
			}
		}
		for id, p := range ps {
			v, err := decimal.NewFromString(p)
			if err != nil {
				return err
			}
			d.Prices[id] = v
		}
		st.Domains[name] = &d
		st.DomainOfProject[d.Project] = name
		return nil
	})
	return err
}

// loadDomainDevices reads the devices of st's domains, the devices
// missing from st with their license lines, and whom they rent from.
func loadDomainDevices(ctx context.Context, tx pgx.Tx, st *domain.State) error {
	names := make([]string, 0, len(st.Domains))
	for name := range st.Domains {
		names = append(names, name)
	}
	var name, typ string
	var mac domain.MAC
	var macs []string
	rows, _ := tx.Query(ctx, "SELECT domain, mac, type FROM domain_devices WHERE domain = ANY($1)", names)
	if _, err := pgx.ForEachRow(rows, []any{&name, &mac, &typ}, func() error {
		dm := st.Domains[name]
		dm.Devices[mac] = typ
		if in, ok := st.Instances[dm.Instance]; ok {
			in.Devices[mac] = name
		}
		macs = append(macs, string(mac))
		return nil
	}); err != nil {
		return err
	}
	var d domain.Device
	rows, _ = tx.Query(ctx, `SELECT mac, type, order_number, delivered, owner, rma, test_until, return_locked FROM devices
		WHERE mac = ANY($1)`, macs)
	var missing []string
	if _, err := pgx.ForEachRow(rows, []any{&d.MAC, &d.Type, &d.OrderNumber, &d.Delivered, &d.Owner, &d.RMA, &d.TestUntil, &d.ReturnLocked}, func() error {
		if _, ok := st.Devices[d.MAC]; !ok {
			dev := d
			dev.In = map[domain.CompanyID]*domain.Placement{}
			st.Devices[dev.MAC] = &dev
			missing = append(missing, string(dev.MAC))
		}
		return nil
	}); err != nil {
		return err
	}
	var l domain.LicenseLine
	rows, _ = tx.Query(ctx, `SELECT mac, id, type, version, quantity, bind_date, ssa_end, external_key, origin FROM license_lines
		WHERE mac = ANY($1) ORDER BY mac, n`, missing)
	if _, err := pgx.ForEachRow(rows, []any{&mac, &l.ID, &l.Type, &l.Version, &l.Quantity, &l.BindDate, &l.SSAEnd, &l.ExternalKey, &l.Origin}, func() error {
		st.Devices[mac].Licenses = append(st.Devices[mac].Licenses, l)
		return nil
	}); err != nil {
		return err
	}
	rows, _ = tx.Query(ctx, "SELECT mac, domain FROM rented_by WHERE mac = ANY($1)", macs)
	_, err := pgx.ForEachRow(rows, []any{&mac, &name}, func() error {
		st.RentedBy[mac] = name
		return nil
	})
	return err
}

// companyOfDomain is the company a domain belongs to (0: no such domain).
func companyOfDomain(ctx context.Context, tx pgx.Tx, name string) (domain.CompanyID, error) {
	if textNeeds(name) {
		return 0, nil // no domain name holds what Postgres cannot store (text.go)
	}
	var c domain.CompanyID
	err := tx.QueryRow(ctx, "SELECT company FROM devices_domains WHERE name = $1", name).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return c, err
}

// readableDomain is the company of a domain its caller may read:
// domain-not-found, then canRead's refusals.
func readableDomain(ctx context.Context, tx pgx.Tx, by domain.Principal, name string) (domain.CompanyID, error) {
	company, err := companyOfDomain(ctx, tx, name)
	if err != nil {
		return 0, err
	}
	if company == 0 {
		return 0, domain.Errorf(domain.KindNotFound, "domain-not-found", "no domain %q", name)
	}
	return company, canRead(ctx, tx, by, company)
}

// rentingState loads a company's part of the state with its rental
// (loadCompany, loadRenting); company 0 gives an empty state.
func (r *Reader) rentingState(ctx context.Context, tx pgx.Tx, company domain.CompanyID) (*domain.State, error) {
	st, err := loadCompany(ctx, tx, r.cat, company)
	if err != nil || company == 0 {
		return st, err
	}
	return st, loadRenting(ctx, tx, st, company)
}

// companyRental answers view(state) for a company's readers, the state
// being the company's rental loaded from the tables.
func companyRental[V any](r *Reader, by domain.Principal, company domain.CompanyID, view func(*domain.State, domain.CompanyID) V) (V, error) {
	var out V
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		if err := canRead(ctx, tx, by, company); err != nil {
			return err
		}
		st, err := r.rentingState(ctx, tx, company)
		if err == nil {
			out = view(st, company)
		}
		return err
	})
	return out, err
}

// DevicesInstances implements projections.RentalReader.
func (r *Reader) DevicesInstances(by domain.Principal, company domain.CompanyID) ([]projections.InstanceView, error) {
	return companyRental(r, by, company, projections.InstanceViews)
}

// Domains implements projections.RentalReader.
func (r *Reader) Domains(by domain.Principal, company domain.CompanyID) ([]projections.DomainView, error) {
	return companyRental(r, by, company, projections.DomainViews)
}

// AppPlatformState implements projections.RentalReader.
func (r *Reader) AppPlatformState(by domain.Principal, name string, day domain.Day) (domain.AppPlatformState, error) {
	var out domain.AppPlatformState
	name = domain.NormalizeDomainName(name)
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		company, err := readableDomain(ctx, tx, by, name)
		if err != nil {
			return err
		}
		st, err := r.rentingState(ctx, tx, company)
		if err != nil {
			return err
		}
		out, _ = st.AppPlatform(name, day)
		return nil
	})
	return out, err
}

// RentalQuote implements projections.RentalReader with the domain's
// decider over the domain's company, loaded from the tables.
func (r *Reader) RentalQuote(by domain.Principal, c domain.RentLicenses, now time.Time) (domain.RentalQuote, error) {
	var out domain.RentalQuote
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		company, err := companyOfDomain(ctx, tx, domain.NormalizeDomainName(c.Domain))
		if err != nil {
			return err
		}
		st, err := r.rentingState(ctx, tx, company)
		if err != nil {
			return err
		}
		out, err = st.QuoteRental(by, c, now)
		return err
	})
	if err != nil {
		return domain.RentalQuote{}, err
	}
	return out, nil
}

// RentalHistory implements projections.RentalReader from the history
// tables: the rental events of each domain's history context, decoded
// and turned into entries by the rule memory uses.
func (r *Reader) RentalHistory(by domain.Principal, q projections.RentalHistoryQuery) ([]projections.RentalEntry, error) {
	out := []projections.RentalEntry{}
	err := r.read(func(ctx context.Context, tx pgx.Tx) error {
		contexts := make([]string, 0, len(q.Domains))
		for _, name := range q.Domains {
			if _, err := readableDomain(ctx, tx, by, name); err != nil {
				return err
			}
			contexts = append(contexts, domain.DomainTag(name))
		}
		rows, _ := tx.Query(ctx, `SELECT DISTINCT h.position, h.time_ns, h.type, h.data::text FROM history_contexts c
			JOIN history h ON h.position = c.position WHERE c.context = ANY($1) AND h.type = ANY($2) ORDER BY h.position`,
			contexts, projections.RentalEventTypes)
		var pos, ns int64
		var typ, data string
		_, err := pgx.ForEachRow(rows, []any{&pos, &ns, &typ, &data}, func() error {
			ev, err := domain.DecodeEvent(typ, []byte(data))
			if err != nil {
				return err
			}
			e, ok := projections.RentalEntryOf(uint64(pos), time.Unix(0, ns), ev)
			if ok && (q.From.IsZero() || !e.Time.Before(q.From)) && (q.To.IsZero() || e.Time.Before(q.To)) {
				out = append(out, e)
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

// DigestCredentials implements projections.RentalReader.
func (r *Reader) DigestCredentials(user string) []domain.DigestCredential {
	user = domain.NormalizeDomainName(user)
	if textNeeds(user) {
		return nil // no name holds what Postgres cannot store (text.go)
	}
	var out []domain.DigestCredential
	_ = r.read(func(ctx context.Context, tx pgx.Tx) error {
		st := domain.NewState(r.cat)
		var in domain.DevicesInstance
		var password string
		rows, _ := tx.Query(ctx, `SELECT id, company, name, password::text FROM devices_instances
			WHERE name = $1 OR id = (SELECT instance FROM devices_domains WHERE name = $1)`, user)
		if _, err := pgx.ForEachRow(rows, []any{&in.ID, &in.Company, &in.Name, &password}, func() error {
			i := in
			i.Devices = map[domain.MAC]string{}
			st.Instances[i.ID] = &i
			return json.Unmarshal([]byte(password), &i.Password)
		}); err != nil {
			return err
		}
		ids := make([]int64, 0, len(st.Instances))
		for id := range st.Instances {
			ids = append(ids, int64(id))
		}
		if err := loadDomains(ctx, tx, st, "WHERE instance = ANY($1)", ids); err != nil {
			return err
		}
		out = st.DigestCredentials(user)
		return nil
	})
	return out
}
