package projectiontest

import (
	"fmt"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// rentalArgs are rental precalculations: for every device of every domain
// (and an unknown domain and device), more, fewer and no licenses, and a
// refused item.
func rentalArgs(st *domain.State) []domain.RentLicenses {
	port := func(n int64) []domain.Line {
		return []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: n}}
	}
	out := []domain.RentLicenses{{Domain: "nope.example", MAC: "000001", Licenses: port(1)}}
	for _, name := range sortedDomainNames(st) {
		out = append(out, domain.RentLicenses{Domain: name, MAC: "00-90-33-ff-ff-ff", Licenses: port(1)})
		for _, mac := range domain.SortedMACs(st.Domains[name].Devices) {
			for _, ls := range [][]domain.Line{port(1), port(7), port(500), nil, {{Item: domain.Item{Type: "Relay-PRI", Version: 13}, Quantity: 1}}} {
				out = append(out, domain.RentLicenses{Domain: name, MAC: string(mac), Licenses: ls})
			}
		}
	}
	return out
}

// rentalHistoryQueries are each domain's whole history, a time window,
// all domains of each instance together, and an unknown domain.
func rentalHistoryQueries(st *domain.State) []projections.RentalHistoryQuery {
	t := Clock()
	out := []projections.RentalHistoryQuery{{Domains: []string{"nope.example"}}}
	all := map[domain.InstanceID][]string{}
	for _, name := range sortedDomainNames(st) {
		all[st.Domains[name].Instance] = append(all[st.Domains[name].Instance], name)
		out = append(out, projections.RentalHistoryQuery{Domains: []string{name}},
			projections.RentalHistoryQuery{Domains: []string{name}, From: t.Add(24 * time.Hour), To: t.Add(10 * 24 * time.Hour)})
	}
	for id := domain.InstanceID(1); id <= st.LastInstance; id++ {
		if len(all[id]) > 0 {
			out = append(out, projections.RentalHistoryQuery{Domains: all[id]})
		}
	}
	return out
}

func sortedDomainNames(st *domain.State) []string {
	out := []string{}
	for c := domain.CompanyID(1); c <= st.LastCompany; c++ {
		out = append(out, st.DomainsOf(c)...)
	}
	for name, dm := range st.Domains { // domains of companies since joined away
		if _, ok := st.Companies[st.CompanyOfDomain(dm)]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// scriptedRental reaches the rental queries: Acme's approved rental
// contract, an instance with two domains (one granted the other), devices
// in them, iSC uploaded, licenses rented on a PBX of another project and
// on one placed in no project, a change, a charge, a mail decided.
func scriptedRental(s *Script, ann, lee domain.Principal) {
	s.Must(ann, domain.ConcludeContract{Company: 1, Kind: domain.ContractSoftwareRental})
	s.Must(Vendor, domain.ApproveContract{Contract: 4})
	s.Must(ann, domain.CreateDevicesInstance{Company: 1, Name: "apps.acme.example", Password: "instance-pw"})
	s.Must(ann, domain.CreateDomain{Instance: 1, Name: "pbx.acme.example", Password: "domain-pw",
		DomainSettings: domain.DomainSettings{InvoiceReference: "ACME-7", Recipients: []string{"ops@acme.example"}}})
	s.Must(ann, domain.CreateDomain{Instance: 1, Name: "apps.acme.example", Password: "host-pw"})
	s.Must(ann, domain.SetDomainSettings{Domain: "pbx.acme.example", DomainSettings: domain.DomainSettings{
		InvoiceReference: "ACME-7", Recipients: []string{"ops@acme.example"}, Grants: []string{"apps.acme.example"}, MailLanguage: "de"}})
	s.Must(Vendor, domain.RegisterDevices{OrderNumber: "ORD-3", Delivered: "2026-11-01", Devices: []domain.RegistryEntry{{MAC: "00-90-33-00-00-0b", Type: "IP811"}}})
	for _, mac := range []string{"00-90-33-00-00-01", "00-90-33-00-00-0b", "00-50-56-00-00-0c"} {
		s.Must(ann, domain.AddDomainDevice{Domain: "pbx.acme.example", MAC: mac})
	}
	s.Must(Vendor, domain.IssueKey{Code: "ISC-KEY-1", Lines: []domain.Line{line("iSC", 0, 60)}})
	s.Must(ann, domain.RedeemDomainKey{Domain: "pbx.acme.example", Code: "ISC-KEY-1"})
	s.Must(ann, domain.RentLicenses{Domain: "pbx.acme.example", MAC: "00-90-33-00-00-01", Licenses: []domain.Line{line("PBX-Port", 13, 20)}})
	s.Must(ann, domain.RentLicenses{Domain: "pbx.acme.example", MAC: "00-90-33-00-00-0b", Licenses: []domain.Line{line("PBX-Port", 13, 12)}})
	s.Must(ann, domain.RentLicenses{Domain: "pbx.acme.example", MAC: "00-90-33-00-00-01", Licenses: []domain.Line{line("PBX-Port", 13, 15)}})
	s.Must(Vendor, domain.ChargeRentals{})
	s.Must(Vendor, domain.SendRentalReminders{})
	if _, err := s.Do(domain.Principal{Person: 5}, domain.AddDomainDevice{Domain: "pbx.acme.example", MAC: "00-90-33-00-00-0a"}); err == nil {
		s.t.Fatal("a stranger added a device to a domain")
	}
	if _, err := s.Do(lee, domain.RentLicenses{Domain: "pbx.acme.example", MAC: "00-90-33-00-00-0b", Licenses: []domain.Line{line("PBX-Port", 13, 13)}}); err != nil {
		s.t.Fatal(err)
	}
}

// domainName is mostly a domain created so far, sometimes one that is not.
func (g *gen) domainName() string {
	if len(g.domains) == 0 || g.r.IntN(6) == 0 {
		return fmt.Sprintf("d%d.example", g.r.IntN(4))
	}
	return g.domains[g.r.IntN(len(g.domains))]
}

// domainMAC is mostly a device of the domain.
func (g *gen) domainMAC(name string) string {
	if ms := g.domainDevices[name]; len(ms) > 0 && g.r.IntN(5) != 0 {
		return string(ms[g.r.IntN(len(ms))])
	}
	return g.mac()
}

// rentalMoves are the Devices App's commands: instances, domains, devices
// in them, iSC keys uploaded, licenses rented and removed, the daily
// charge and mails, and days passing.
func (g *gen) rentalMoves() []move {
	ports := func() []domain.Line {
		if g.r.IntN(5) == 0 {
			return nil
		}
		return []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: int64(g.r.IntN(30))},
			{Item: domain.Item{Type: "PBX-Reporting", Version: 13}, Quantity: int64(g.r.IntN(3))}}
	}
	return []move{
		{3, func(int) (domain.Principal, domain.Command) {
			// A rental contract concluded, and mostly approved at once.
			by, co := g.inCompany()
			res, err := g.s.Do(by, domain.ConcludeContract{Company: co, Kind: domain.ContractSoftwareRental})
			if err != nil || g.r.IntN(4) == 0 {
				return by, domain.ConcludeContract{Company: co, Kind: domain.ContractSoftwareRental}
			}
			g.contracts++
			return Vendor, domain.ApproveContract{Contract: res.Events[0].(domain.ContractConcluded).Contract}
		}},
		{2, func(i int) (domain.Principal, domain.Command) {
			by, co := g.inCompany()
			return by, domain.CreateDevicesInstance{Company: co, Name: fmt.Sprintf("i%d.example", i), Password: "pw"}
		}},
		{5, func(int) (domain.Principal, domain.Command) {
			in := domain.InstanceID(g.r.IntN(g.instances+1) + 1)
			return g.byFor(g.instanceOf[in]), domain.CreateDomain{Instance: in, Name: fmt.Sprintf("d%d.example", g.r.IntN(12)),
				Password: "pw", DomainSettings: domain.DomainSettings{InvoiceReference: "R"}}
		}},
		{6, func(int) (domain.Principal, domain.Command) {
			name := g.domainName()
			return g.byFor(g.domainOf[name]), domain.AddDomainDevice{Domain: name, MAC: g.mac()}
		}},
		{1, func(int) (domain.Principal, domain.Command) {
			name := g.domainName()
			return g.byFor(g.domainOf[name]), domain.RemoveDomainDevice{Domain: name, MAC: g.domainMAC(name)}
		}},
		{4, func(i int) (domain.Principal, domain.Command) {
			g.keys++
			code := fmt.Sprintf("RK-%05d", g.keys)
			g.s.Must(Vendor, domain.IssueKey{Code: code, Lines: []domain.Line{{Item: domain.ISCItem, Quantity: int64(g.r.IntN(80) + 1)}}})
			name := g.domainName()
			return g.byFor(g.domainOf[name]), domain.RedeemDomainKey{Domain: name, Code: code}
		}},
		{12, func(int) (domain.Principal, domain.Command) {
			name := g.domainName()
			return g.byFor(g.domainOf[name]), domain.RentLicenses{Domain: name, MAC: g.domainMAC(name), Licenses: ports()}
		}},
		{3, func(int) (domain.Principal, domain.Command) {
			g.s.PassDays(g.r.IntN(12) + 1)
			return Vendor, domain.ChargeRentals{}
		}},
		{1, func(int) (domain.Principal, domain.Command) { return Vendor, domain.SendRentalReminders{} }},
	}
}
