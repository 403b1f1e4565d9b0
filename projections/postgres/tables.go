package postgres

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/innolic/ledger/domain"
)

// The row types of the tables in migrations/. Each is derived from the
// domain state only, never from an event's payload: the domain's Evolve is
// the one definition of what an event means, so the Postgres rows cannot
// drift from the memory read model, and an event type added later needs no
// code here as long as it tags what it changes.
type (
	personRow struct {
		Email, Name     string
		Vendor, SSAMail bool
	}
	tokenKey struct {
		Person  domain.PersonID
		TokenID string
	}
	tokenRow   struct{ Label, Hash string }
	companyRow struct{ Name, CustomerID string }
	memberKey  struct {
		Company domain.CompanyID
		Person  domain.PersonID
	}
	memberRow struct {
		Right       domain.Right
		BuyOnCredit bool
	}
	projectRow struct {
		Company                                               domain.CompanyID
		Name, Description                                     string
		UpdateURL, TrustedCertificate, TrustValue, DevicesApp string
		CCMails                                               string // JSON, to stay comparable
		AutoSSA                                               bool
		SSAEnd                                                string
		AutoSSARequested                                      bool
		SSAMail                                               string // JSON, to stay comparable
	}
	grantKey struct {
		Project domain.ProjectID
		Company domain.CompanyID
	}
	contractRow struct {
		Company domain.CompanyID
		Kind    domain.ContractKind
		State   domain.ContractState
		By      domain.PersonID
	}
	balanceKey struct {
		Project domain.ProjectID
		Item    domain.Item
	}
	keyRow struct {
		FromProject                          domain.ProjectID
		OrderNumber, OrderReference, Comment string
		RedeemedInto                         domain.ProjectID
		Deleted                              bool
	}
	keyLineKey struct {
		Code string
		Item domain.Item
	}
)

// tables is the mirror of every table the projector writes.
type tables struct {
	persons   *rowset[domain.PersonID, personRow, struct{}]
	tokens    *rowset[tokenKey, tokenRow, domain.PersonID]
	auth      *rowset[string, domain.PersonID, domain.PersonID]
	emails    *rowset[string, domain.PersonID, domain.PersonID]
	companies *rowset[domain.CompanyID, companyRow, struct{}]
	members   *rowset[memberKey, memberRow, domain.CompanyID]
	projects  *rowset[domain.ProjectID, projectRow, domain.CompanyID]
	grants    *rowset[grantKey, struct{}, domain.ProjectID]
	contracts *rowset[domain.ContractID, contractRow, struct{}]
	balances  *rowset[balanceKey, int64, domain.ProjectID]
	keys      *rowset[string, keyRow, struct{}]
	keyLines  *rowset[keyLineKey, int64, string]
	// keysOf indexes the committed keys by the projects they come from or
	// went into: a project join rewrites those without tagging the keys.
	keysOf map[domain.ProjectID]map[string]struct{}
	licensing
	ssa
	renting
}

func newTables() *tables {
	t := &tables{
		persons:   newRowset[domain.PersonID, personRow, struct{}](nil),
		tokens:    newRowset(func(k tokenKey, _ tokenRow) domain.PersonID { return k.Person }),
		auth:      newRowset(func(_ string, p domain.PersonID) domain.PersonID { return p }),
		emails:    newRowset(func(_ string, p domain.PersonID) domain.PersonID { return p }),
		companies: newRowset[domain.CompanyID, companyRow, struct{}](nil),
		members:   newRowset(func(k memberKey, _ memberRow) domain.CompanyID { return k.Company }),
		projects:  newRowset(func(_ domain.ProjectID, r projectRow) domain.CompanyID { return r.Company }),
		grants:    newRowset(func(k grantKey, _ struct{}) domain.ProjectID { return k.Project }),
		contracts: newRowset[domain.ContractID, contractRow, struct{}](nil),
		balances:  newRowset(func(k balanceKey, _ int64) domain.ProjectID { return k.Project }),
		keys:      newRowset[string, keyRow, struct{}](nil),
		keyLines:  newRowset(func(k keyLineKey, _ int64) string { return k.Code }),
	}
	t.licensing, t.ssa, t.renting = newLicensing(), newSSA(), newRenting()
	t.keysOf = map[domain.ProjectID]map[string]struct{}{}
	t.keys.onCommit = func(code string, old, new *keyRow) {
		for _, r := range []*keyRow{old, new} {
			if r == nil {
				continue
			}
			for _, p := range []domain.ProjectID{r.FromProject, r.RedeemedInto} {
				if old == r {
					delete(t.keysOf[p], code)
				} else if p != 0 {
					if t.keysOf[p] == nil {
						t.keysOf[p] = map[string]struct{}{}
					}
					t.keysOf[p][code] = struct{}{}
				}
			}
		}
	}
	return t
}

// each calls f for every rowset, to commit or abort them together.
func (t *tables) each(f func(interface{ commit() }, interface{ abort() })) {
	for _, r := range []interface {
		commit()
		abort()
	}{t.persons, t.tokens, t.auth, t.emails, t.companies, t.members, t.projects, t.grants, t.contracts, t.balances,
		t.keys, t.keyLines, t.licensing.devices, t.placements, t.licenses, t.invalid, t.orders, t.free, t.credits, t.invoices, t.reminders,
		t.instances, t.domains, t.renting.devices, t.rentedBy} {
		f(r, r)
	}
}

func (t *tables) commit() {
	t.each(func(c interface{ commit() }, _ interface{ abort() }) { c.commit() })
}
func (t *tables) abort() { t.each(func(_ interface{ commit() }, a interface{ abort() }) { a.abort() }) }

// touched is the set of entities a batch's events name in their tags. The
// domain promises that an event tags every entity it changes; a company tag
// also resynchronizes the company's projects, contracts and devices, so
// events that move whole subtrees (company joins) need not tag each one.
type touched struct {
	persons   map[domain.PersonID]struct{}
	companies map[domain.CompanyID]struct{}
	projects  map[domain.ProjectID]struct{}
	keys      map[string]struct{}
	devices   map[domain.MAC]struct{}
	domains   map[string]struct{}
	instances map[domain.InstanceID]struct{}
}

func newTouched() *touched {
	return &touched{persons: map[domain.PersonID]struct{}{}, companies: map[domain.CompanyID]struct{}{},
		projects: map[domain.ProjectID]struct{}{}, keys: map[string]struct{}{}, devices: map[domain.MAC]struct{}{},
		domains: map[string]struct{}{}, instances: map[domain.InstanceID]struct{}{}}
}

func (d *touched) addTags(tags []string) {
	for _, tag := range tags {
		kind, id, ok := strings.Cut(tag, ":")
		if !ok {
			continue
		}
		switch kind {
		case "key":
			d.keys[id] = struct{}{}
			continue
		case "device":
			d.devices[domain.MAC(id)] = struct{}{}
			continue
		case "domain":
			d.domains[id] = struct{}{}
			continue
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		switch kind {
		case "person":
			d.persons[domain.PersonID(n)] = struct{}{}
		case "company":
			d.companies[domain.CompanyID(n)] = struct{}{}
		case "project":
			d.projects[domain.ProjectID(n)] = struct{}{}
		case "instance":
			d.instances[domain.InstanceID(n)] = struct{}{}
		}
	}
}

// addJoin marks what a company join changes without naming it in its
// tags: the other companies' projects the absorbed company had rights on,
// and the devices an RMA is to reship to it. It runs before the join is
// applied; joins are rare, so scanning the state is cheap enough.
func (d *touched) addJoin(s *domain.State, e domain.CompanyJoined) {
	for id, p := range s.Projects {
		if _, ok := p.Grants[e.Absorbed]; ok {
			d.projects[id] = struct{}{}
		}
	}
	for mac, dev := range s.Devices {
		if dev.RMACompany == e.Absorbed {
			d.devices[mac] = struct{}{}
		}
	}
}

// all marks every entity of the state, to derive the whole mirror after a
// replay.
func (d *touched) all(s *domain.State) {
	for id := range s.Persons {
		d.persons[id] = struct{}{}
	}
	for id := range s.Companies {
		d.companies[id] = struct{}{}
	}
	for id := range s.Projects {
		d.projects[id] = struct{}{}
	}
	for code := range s.Keys {
		d.keys[code] = struct{}{}
	}
	for mac := range s.Devices {
		d.devices[mac] = struct{}{}
	}
	for name := range s.Domains {
		d.domains[name] = struct{}{}
	}
	for id := range s.Instances {
		d.instances[id] = struct{}{}
	}
}

// sync derives the rows of the touched entities from the state into the
// pending verdicts of t.
func (t *tables) sync(s *domain.State, d *touched) {
	for id := range d.persons {
		t.syncPerson(s, id)
	}
	if len(d.companies) > 0 {
		t.syncContracts(s, d.companies)
	}
	for id := range d.companies {
		for _, p := range t.syncCompany(s, id) {
			d.projects[p] = struct{}{}
		}
		for mac := range t.devicesOf[id] {
			d.devices[mac] = struct{}{}
		}
	}
	for id := range d.projects {
		t.syncProject(s, id)
		for code := range t.keysOf[id] {
			d.keys[code] = struct{}{}
		}
	}
	for code := range d.keys {
		t.syncKey(s, code)
	}
	for mac := range d.devices {
		t.syncDevice(s, mac)
		t.syncRentedBy(s, mac)
	}
	for id := range d.companies {
		t.syncCompanyRenting(s, id)
	}
	for id := range d.instances {
		t.syncInstance(s, id)
	}
	for name := range d.domains {
		t.syncDomain(s, name)
	}
	t.syncCredits(s)
}

func (t *tables) syncPerson(s *domain.State, id domain.PersonID) {
	p, ok := s.Persons[id]
	tokens := map[tokenKey]tokenRow{}
	auth := map[string]domain.PersonID{}
	emails := map[string]domain.PersonID{}
	if ok {
		t.persons.put(id, personRow{Email: p.Email, Name: p.Name, Vendor: p.Vendor, SSAMail: !p.NoSSAMail})
		// The keys the state finds the person by: the current email's, and
		// earlier ones it still maps (as with token hashes below).
		for _, k := range append(t.emails.childrenOf(id), strings.ToLower(strings.TrimSpace(p.Email))) {
			if s.Emails[k] == id {
				emails[k] = id
			}
		}
		for tid, hash := range p.Tokens {
			tokens[tokenKey{id, tid}] = tokenRow{Label: p.TokenLabels[tid], Hash: hash}
			// A token authenticates while the state maps its hash to the
			// person (memory's Authenticate reads that map).
			if s.Tokens[hash] == id {
				auth[hash] = id
			}
		}
		// A hash written before stays while the state still maps it,
		// even when its token id was reissued with another hash.
		for _, hash := range t.auth.childrenOf(id) {
			if s.Tokens[hash] == id {
				auth[hash] = id
			}
		}
	} else {
		t.persons.del(id)
	}
	t.tokens.replace(id, tokens)
	t.auth.replace(id, auth)
	t.emails.replace(id, emails)
}

// syncCompany writes the company, its members and its project set, and
// returns the projects whose rows to resynchronize (now and before).
func (t *tables) syncCompany(s *domain.State, id domain.CompanyID) []domain.ProjectID {
	c, ok := s.Companies[id]
	members := map[memberKey]memberRow{}
	projects := map[domain.ProjectID]projectRow{}
	affected := t.projects.childrenOf(id)
	if ok {
		t.companies.put(id, companyRow{Name: c.Name, CustomerID: c.CustomerID})
		for pid, m := range c.Members {
			members[memberKey{id, pid}] = memberRow{Right: m.Right, BuyOnCredit: m.BuyOnCredit}
		}
		for pid := range c.Projects {
			if p, ok := s.Projects[pid]; ok {
				projects[pid] = projectRowOf(s, p)
				affected = append(affected, pid)
			}
		}
	} else {
		t.companies.del(id)
	}
	t.members.replace(id, members)
	t.projects.replace(id, projects)
	return affected
}

// syncContracts rewrites the contracts of the touched companies (there are
// few contracts, so one pass over them is cheap).
func (t *tables) syncContracts(s *domain.State, companies map[domain.CompanyID]struct{}) {
	for id, c := range s.Contracts {
		if _, ok := companies[c.Company]; ok {
			t.contracts.put(id, contractRow{Company: c.Company, Kind: c.Kind, State: c.State, By: c.By})
		}
	}
	for id, r := range t.contracts.rows {
		if _, ok := companies[r.Company]; ok {
			if _, exists := s.Contracts[id]; !exists {
				t.contracts.del(id)
			}
		}
	}
}

func projectRowOf(s *domain.State, p *domain.Project) projectRow {
	_, requested := s.AutoSSARequests[p.ID]
	mail, _ := json.Marshal(s.MailSettings[p.ID])
	cc := []byte("[]")
	if len(p.Properties.CCMails) > 0 {
		cc, _ = json.Marshal(p.Properties.CCMails)
	}
	return projectRow{Company: p.Company, Name: p.Name, Description: p.Description,
		UpdateURL: p.Properties.UpdateURL, TrustedCertificate: p.Properties.TrustedCertificate,
		TrustValue: p.Properties.TrustValue, DevicesApp: p.Properties.DevicesAppGUID, CCMails: string(cc),
		AutoSSA: p.AutoSSA, SSAEnd: p.SSAEnd, AutoSSARequested: requested, SSAMail: string(mail)}
}

func (t *tables) syncProject(s *domain.State, id domain.ProjectID) {
	p, ok := s.Projects[id]
	lines := map[balanceKey]int64{}
	grants := map[grantKey]struct{}{}
	if ok {
		t.projects.put(id, projectRowOf(s, p))
		for it, q := range p.Balance {
			if q != 0 {
				lines[balanceKey{id, it}] = q
			}
		}
		for c := range p.Grants {
			grants[grantKey{id, c}] = struct{}{}
		}
	} else {
		t.projects.del(id)
	}
	t.balances.replace(id, lines)
	t.grants.replace(id, grants)
	t.syncFree(s, id)
}

func (t *tables) syncKey(s *domain.State, code string) {
	k, ok := s.Keys[code]
	lines := map[keyLineKey]int64{}
	if ok {
		t.keys.put(code, keyRow{FromProject: k.FromProject, OrderNumber: k.OrderNumber, OrderReference: k.OrderReference,
			Comment: k.Comment, RedeemedInto: k.RedeemedInto, Deleted: k.Deleted})
		for _, l := range k.Lines {
			lines[keyLineKey{code, l.Item}] += l.Quantity
		}
	} else {
		t.keys.del(code)
	}
	t.keyLines.replace(code, lines)
}

// The SQL of each table (see sqlgen.go).
var (
	personsTable = newTable[domain.PersonID, personRow]("persons", []string{"id bigint"},
		[]string{"email text", "name text", "vendor boolean", "ssa_mail boolean"},
		func(ks []domain.PersonID) []any { return []any{ints(ks)} },
		func(rs []personRow) []any {
			return []any{col(rs, func(r personRow) string { return r.Email }), col(rs, func(r personRow) string { return r.Name }),
				col(rs, func(r personRow) bool { return r.Vendor }), col(rs, func(r personRow) bool { return r.SSAMail })}
		})
	tokensTable = newTable[tokenKey, tokenRow]("tokens", []string{"person bigint", "token_id text"},
		[]string{"label text", "hash text"},
		func(ks []tokenKey) []any {
			return []any{col(ks, func(k tokenKey) int64 { return int64(k.Person) }), col(ks, func(k tokenKey) string { return k.TokenID })}
		},
		func(rs []tokenRow) []any {
			return []any{col(rs, func(r tokenRow) string { return r.Label }), col(rs, func(r tokenRow) string { return r.Hash })}
		})
	emailsTable = newTable[string, domain.PersonID]("person_emails", []string{"email_key text"}, []string{"person bigint"},
		func(ks []string) []any { return []any{ks} },
		func(rs []domain.PersonID) []any { return []any{ints(rs)} })
	authTable = newTable[string, domain.PersonID]("auth_tokens", []string{"hash text"}, []string{"person bigint"},
		func(ks []string) []any { return []any{ks} },
		func(rs []domain.PersonID) []any { return []any{ints(rs)} })
	companiesTable = newTable[domain.CompanyID, companyRow]("companies", []string{"id bigint"},
		[]string{"name text", "customer_id text"},
		func(ks []domain.CompanyID) []any { return []any{ints(ks)} },
		func(rs []companyRow) []any {
			return []any{col(rs, func(r companyRow) string { return r.Name }), col(rs, func(r companyRow) string { return r.CustomerID })}
		})
	membersTable = newTable[memberKey, memberRow]("members", []string{"company bigint", "person bigint"},
		[]string{"member_right text", "buy_on_credit boolean"},
		func(ks []memberKey) []any {
			return []any{col(ks, func(k memberKey) int64 { return int64(k.Company) }), col(ks, func(k memberKey) int64 { return int64(k.Person) })}
		},
		func(rs []memberRow) []any {
			return []any{col(rs, func(r memberRow) string { return string(r.Right) }), col(rs, func(r memberRow) bool { return r.BuyOnCredit })}
		})
	projectsTable = newTable[domain.ProjectID, projectRow]("projects", []string{"id bigint"},
		[]string{"company bigint", "name text", "description text", "update_url text", "trusted_certificate text",
			"trust_value text", "devices_app_guid text", "cc_mails text jsonb", "auto_ssa boolean", "ssa_end text",
			"auto_ssa_requested boolean", "ssa_mail text jsonb"},
		func(ks []domain.ProjectID) []any { return []any{ints(ks)} },
		func(rs []projectRow) []any {
			s := func(f func(projectRow) string) []string { return col(rs, f) }
			return []any{col(rs, func(r projectRow) int64 { return int64(r.Company) }),
				s(func(r projectRow) string { return r.Name }), s(func(r projectRow) string { return r.Description }),
				s(func(r projectRow) string { return r.UpdateURL }), s(func(r projectRow) string { return r.TrustedCertificate }),
				s(func(r projectRow) string { return r.TrustValue }), s(func(r projectRow) string { return r.DevicesApp }),
				s(func(r projectRow) string { return r.CCMails }),
				col(rs, func(r projectRow) bool { return r.AutoSSA }), s(func(r projectRow) string { return r.SSAEnd }),
				col(rs, func(r projectRow) bool { return r.AutoSSARequested }), s(func(r projectRow) string { return r.SSAMail })}
		})
	grantsTable = newTable[grantKey, struct{}]("project_grants", []string{"project bigint", "company bigint"}, nil,
		func(ks []grantKey) []any {
			return []any{col(ks, func(k grantKey) int64 { return int64(k.Project) }), col(ks, func(k grantKey) int64 { return int64(k.Company) })}
		},
		func([]struct{}) []any { return nil })
	contractsTable = newTable[domain.ContractID, contractRow]("contracts", []string{"id bigint"},
		[]string{"company bigint", "kind text", "state text", "concluded_by bigint"},
		func(ks []domain.ContractID) []any { return []any{ints(ks)} },
		func(rs []contractRow) []any {
			return []any{col(rs, func(r contractRow) int64 { return int64(r.Company) }), col(rs, func(r contractRow) string { return string(r.Kind) }),
				col(rs, func(r contractRow) string { return string(r.State) }), col(rs, func(r contractRow) int64 { return int64(r.By) })}
		})
	balancesTable = newTable[balanceKey, int64]("balances", []string{"project bigint", "type text", "version integer"},
		[]string{"quantity bigint"},
		func(ks []balanceKey) []any {
			return []any{col(ks, func(k balanceKey) int64 { return int64(k.Project) }), col(ks, func(k balanceKey) string { return k.Item.Type }),
				col(ks, func(k balanceKey) int32 { return int32(k.Item.Version) })}
		},
		func(rs []int64) []any { return []any{rs} })
	keysTable = newTable[string, keyRow]("keys", []string{"code text"},
		[]string{"from_project bigint", "order_number text", "order_reference text", "comment text", "redeemed_into bigint", "deleted boolean"},
		func(ks []string) []any { return []any{ks} },
		func(rs []keyRow) []any {
			return []any{col(rs, func(r keyRow) *int64 { return nullID(int64(r.FromProject)) }),
				col(rs, func(r keyRow) string { return r.OrderNumber }), col(rs, func(r keyRow) string { return r.OrderReference }),
				col(rs, func(r keyRow) string { return r.Comment }), col(rs, func(r keyRow) *int64 { return nullID(int64(r.RedeemedInto)) }),
				col(rs, func(r keyRow) bool { return r.Deleted })}
		})
	keyLinesTable = newTable[keyLineKey, int64]("key_lines", []string{"code text", "type text", "version integer"},
		[]string{"quantity bigint"},
		func(ks []keyLineKey) []any {
			return []any{col(ks, func(k keyLineKey) string { return k.Code }), col(ks, func(k keyLineKey) string { return k.Item.Type }),
				col(ks, func(k keyLineKey) int32 { return int32(k.Item.Version) })}
		},
		func(rs []int64) []any { return []any{rs} })
)

// changes lists the batch's row changes per table: one DELETE and one
// upsert per table at most, with the rows passed as arrays, so a batch of a
// thousand events costs a few dozen statements in one round trip.
func (t *tables) changes() []tableWrite {
	var ws []tableWrite
	ws = changesOf(ws, personsTable, t.persons)
	ws = changesOf(ws, tokensTable, t.tokens)
	ws = changesOf(ws, authTable, t.auth)
	ws = changesOf(ws, emailsTable, t.emails)
	ws = changesOf(ws, companiesTable, t.companies)
	ws = changesOf(ws, membersTable, t.members)
	ws = changesOf(ws, projectsTable, t.projects)
	ws = changesOf(ws, grantsTable, t.grants)
	ws = changesOf(ws, contractsTable, t.contracts)
	ws = changesOf(ws, balancesTable, t.balances)
	ws = changesOf(ws, keysTable, t.keys)
	ws = changesOf(ws, keyLinesTable, t.keyLines)
	ws = t.licensing.changes(ws)
	ws = t.renting.changes(ws)
	return t.ssa.changes(ws)
}

// ints converts ids to the int64 slice pgx encodes as bigint[].
func ints[T ~int64](ids []T) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// nullID maps the domain's "0 = none" to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
