package commands_test

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

// testClock is the writer's clock in the random test: days pass.
type testClock struct {
	start time.Time
	days  atomic.Int64
}

func (c *testClock) now() time.Time { return c.start.AddDate(0, 0, int(c.days.Load())) }

// adminOf is an administrator of company c (person 1, vendor staff, when
// it has none).
func adminOf(s *domain.State, c domain.CompanyID) domain.Principal {
	if co, ok := s.Companies[c]; ok {
		for _, id := range sortedPersons(co.Members) {
			if co.Members[id].Right == domain.RightAdministrator {
				return domain.Principal{Person: id}
			}
		}
	}
	return domain.Principal{Person: 1, Vendor: true}
}

func sortedPersons(m map[domain.PersonID]domain.Membership) []domain.PersonID {
	var out []domain.PersonID
	for id := domain.PersonID(1); len(out) < len(m); id++ {
		if _, ok := m[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// rentalRequest is one Devices App command: an instance, a rental
// contract and its approval, a domain, a device in it, an iSC key
// uploaded, licenses rented or removed, or days passing and the daily
// charge. Mostly by an administrator of the company concerned.
func rentalRequest(rng *rand.Rand, s *domain.State, clock *testClock) commands.Request {
	vendor := domain.Principal{Person: 1, Vendor: true}
	company := pick(rng, s.Companies, 99)
	name := pick(rng, s.Domains, "d0.example")
	var dev domain.MAC = "00-50-56-00-00-01"
	if dm, ok := s.Domains[name]; ok {
		dev = pick(rng, dm.Devices, dev)
		company = s.CompanyOfDomain(dm)
	}
	by := adminOf(s, company)
	var c domain.Command
	switch rng.IntN(9) {
	case 0:
		c = domain.CreateDevicesInstance{Company: company, Name: fmt.Sprintf("i%d.example", rng.IntN(6)), Password: "pw"}
	case 1:
		c = domain.ConcludeContract{Company: company, Kind: domain.ContractSoftwareRental}
	case 2:
		c, by = domain.ApproveContract{Contract: pick(rng, s.Contracts, 99)}, vendor
	case 3:
		in := pick(rng, s.Instances, 99)
		if i, ok := s.Instances[in]; ok {
			by = adminOf(s, i.Company)
		}
		c = domain.CreateDomain{Instance: in, Name: fmt.Sprintf("d%d.example", rng.IntN(8)), Password: "pw"}
	case 4:
		c = domain.AddDomainDevice{Domain: name, MAC: fmt.Sprintf("00-50-56-00-00-%02x", rng.IntN(12))}
	case 5:
		c = domain.RedeemDomainKey{Domain: name, Code: fmt.Sprintf("KEY-%05d", rng.IntN(300))}
	case 6, 7:
		c = domain.RentLicenses{Domain: name, MAC: string(dev), Licenses: []domain.Line{
			{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: int64(rng.IntN(40))},
			{Item: domain.Item{Type: "PBX-UC", Version: 13}, Quantity: int64(rng.IntN(4))}}}
	default:
		clock.days.Add(int64(rng.IntN(20) + 1))
		c, by = domain.ChargeRentals{}, vendor
	}
	return commands.Request{By: by, Command: c}
}

// checkRentalAccounts adds the rental to the conservation check: the
// whole iSC every domain took from its project are consumed (held gets
// them back, so redeemed = held + consumed), and each account holds no
// debt: what it took covers what accrued, by less than one iSC.
func checkRentalAccounts(t *testing.T, step int, s *domain.State, held domain.Balance) {
	t.Helper()
	one := decimal.NewFromInt(1)
	for name, dm := range s.Domains {
		a := dm.Account
		prepaid := decimal.NewFromInt(a.Debited).Sub(a.Accrued)
		if !prepaid.Equal(a.Prepaid) || prepaid.IsNegative() || !prepaid.LessThan(one) {
			t.Fatalf("step %d: domain %s took %d iSC for %s accrued (prepaid %s)", step, name, a.Debited, a.Accrued, a.Prepaid)
		}
		held[domain.ISCItem] += a.Debited
	}
}
