// Package projectiontest is the parity suite of the read-model backends:
// scenarios are driven through the real single writer into an in-memory
// log, fed into two read models, and every query of projections.Reader is
// asked of both, for a set of principals and every id, requiring equal
// answers (values as JSON, errors by kind, code and detail).
package projectiontest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore/memstore"
)

// Clock is the fixed time of every scenario, so logs are reproducible;
// it has nanoseconds, which a database column may not keep.
func Clock() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 123456789, time.UTC) }

// Vendor is the bootstrapped vendor administrator.
var Vendor = domain.Principal{Person: 1, Vendor: true}

// Script drives commands through a real writer on an in-memory log.
type Script struct {
	t      testing.TB
	W      *commands.Writer
	Store  *memstore.Store
	tokens int
	// days is how far the writer's clock is ahead of Clock (random
	// scenarios let days pass, for rental charges).
	days atomic.Int64
}

// Now is the script's clock: Clock plus the days passed.
func (s *Script) Now() time.Time { return Clock().AddDate(0, 0, int(s.days.Load())) }

// PassDays moves the script's clock n days ahead.
func (s *Script) PassDays(n int) { s.days.Add(int64(n)) }

// NewScript opens a writer on a fresh log and bootstraps the vendor.
func NewScript(t testing.TB) *Script {
	t.Helper()
	store := memstore.New()
	s := &Script{t: t, Store: store}
	w, err := commands.Open(context.Background(), store, catalog.Default(), commands.Options{Clock: s.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	s.W = w
	s.Must(Vendor, domain.Bootstrap{Email: "staff@vendor.example", Name: "Vendor staff", TokenID: "boot", TokenHash: TokenHash("boot")})
	return s
}

// TokenHash is the hash the scenarios store for a token secret.
func TokenHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Do submits a command; refusals are returned, not fatal.
func (s *Script) Do(by domain.Principal, c domain.Command) (commands.Result, error) {
	return s.W.Submit(context.Background(), commands.Request{By: by, Command: c})
}

// Must submits a command that has to succeed.
func (s *Script) Must(by domain.Principal, c domain.Command) commands.Result {
	s.t.Helper()
	res, err := s.Do(by, c)
	if err != nil {
		s.t.Fatalf("%s by %v: %v", c.CommandType(), by, err)
	}
	return res
}

// Token gives a person a fresh token.
func (s *Script) Token(by domain.Principal, p domain.PersonID) string {
	s.tokens++
	id := fmt.Sprintf("tok-%d", s.tokens)
	s.Must(by, domain.IssueToken{Person: p, TokenID: id, TokenHash: TokenHash(id), Label: "test"})
	return id
}

func line(typ string, version int, q int64) domain.Line {
	return domain.Line{Item: domain.Item{Type: typ, Version: version}, Quantity: q}
}

// Scripted builds the scenario that reaches every query with every kind of
// caller: vendor staff, an administrator, a viewer, a locked member, a
// member with the licenses right and buy on credit, a stranger; two
// companies, projects whose names and license types sort differently in
// byte order than in a natural-language collation, redeemed and open keys,
// a revoked token.
func Scripted(t testing.TB) *Script {
	s := NewScript(t)
	for _, p := range []domain.RegisterPerson{
		{Email: "ann@acme.example", Name: "Ann Admin"},                  // 2
		{Email: "vic@acme.example", Name: "Vic Viewer"},                 // 3
		{Email: "lou@acme.example", Name: "Lou Locked"},                 // 4
		{Email: "sam@nowhere.example", Name: "Sam Stranger"},            // 5
		{Email: "lee@beta.example", Name: "Lee Licenses"},               // 6
		{Email: "val@vendor.example", Name: "Val Vendor", Vendor: true}, // 7
	} {
		s.Must(Vendor, p)
	}
	for id := domain.PersonID(2); id <= 7; id++ {
		s.Token(Vendor, id)
	}
	s.Must(domain.Principal{Person: 7, Vendor: true}, domain.RevokeToken{Person: 7, TokenID: "tok-6"})
	ann, lee := domain.Principal{Person: 2}, domain.Principal{Person: 6}
	s.Must(ann, domain.CreateCompany{Name: "Acme"}) // company 1, project 1
	s.Must(lee, domain.CreateCompany{Name: "beta"}) // company 2, project 2
	s.Must(ann, domain.AddMember{Company: 1, Person: 3, Right: domain.RightViewer})
	s.Must(ann, domain.AddMember{Company: 1, Person: 4, Right: domain.RightLicenses})
	s.Must(ann, domain.ChangeRights{Company: 1, Person: 4, Right: domain.RightLocked})
	s.Must(ann, domain.AddMember{Company: 1, Person: 6, Right: domain.RightLicenses, BuyOnCredit: true})
	s.Must(ann, domain.CreateProject{Company: 1, Name: "alpha", Description: "lower case sorts last in bytes"}) // 3
	s.Must(ann, domain.CreateProject{Company: 1, Name: "Zeta"})                                                 // 4
	s.Must(lee, domain.CreateProject{Company: 2, Name: "Ämter", Description: "non-ASCII"})                      // 5
	keys := []domain.IssueKey{
		{Code: "KEY-ONE-1", Lines: []domain.Line{line("PBX-Port", 13, 10), line("GVL-Purchase", 0, 2), line("Gateway-Channel", 12, 4)}, OrderNumber: "O-1"},
		{Code: "KEY-TWO-2", Lines: []domain.Line{line("SSC", 0, 100), line("iSC", 0, 5), line("PBX-PBX", 13, 1)}, Comment: "two"},
		{Code: "KEY-THREE", Lines: []domain.Line{line("PBX-Port", 12, 3), line("PBX-Port", 13, 7)}},
		{Code: "KEY-OPEN-4", Lines: []domain.Line{line("Relay-PRI", 10, 1)}, OrderReference: "never redeemed"},
	}
	for _, k := range keys {
		s.Must(Vendor, k)
	}
	s.Must(ann, domain.RedeemKey{Code: "KEY-ONE-1", Project: 3})
	s.Must(lee, domain.RedeemKey{Code: "KEY-TWO-2", Project: 1, Comment: "for Acme"})
	s.Must(lee, domain.RedeemKey{Code: "KEY-THREE", Project: 5})
	scriptedOrganization(s, ann, lee)
	scriptedLicensing(s, ann, lee)
	scriptedSSA(s, ann)
	scriptedRental(s, ann, lee)
	t.Logf("scripted scenario wrote %s", eventCounts(t, s))
	return s
}

// scriptedSSA reaches the SSA and free-pool queries: a project SSA bought
// on credit, automatic SSA with an invoiced binding, expiry reminders
// decided and one sent, licenses returned into a free pool.
func scriptedSSA(s *Script, ann domain.Principal) {
	day := func(d string) domain.Day {
		v, err := domain.ParseDay(d)
		if err != nil {
			s.t.Fatal(err)
		}
		return v
	}
	s.Must(domain.Principal{Person: 6}, domain.ExtendProjectSSA{Project: 3, End: day("2027-01-05"), OnCredit: true, CreditOrder: "SSA-1"})
	s.Must(ann, domain.RequestAutoSSA{Project: 3})
	s.Must(Vendor, domain.ActivateAutoSSA{Project: 3})
	s.Must(Vendor, domain.RegisterDevices{OrderNumber: "ORD-2", Delivered: "2026-11-01", Devices: []domain.RegistryEntry{{MAC: "00-90-33-00-00-03", Type: "IP811"}}})
	s.Must(ann, domain.AddDevices{Project: 3, MACs: []string{"00-90-33-00-00-03"}})
	s.Must(domain.Principal{Person: 6}, domain.BindLicenses{Project: 3, MAC: "00-90-33-00-00-03", Version: 13,
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port"}, Quantity: 1}}, OnCredit: true})
	res := s.Must(Vendor, domain.SendSSAReminders{Day: day("2026-11-22")})
	for _, e := range res.Events {
		if due, ok := e.(domain.SSAReminderDue); ok {
			s.Must(Vendor, domain.MarkSSAReminderSent{Key: due.Key})
			break
		}
	}
	s.Must(ann, domain.ReturnLicenses{Company: 1, MAC: "00-90-33-00-00-01", Firmware: 13, Certificate: true})
}

// scriptedOrganization reaches the organization queries: customer id, SSA
// mail opt-out, project properties with a trust value, an external
// project, contracts in every state, a renamed project.
func scriptedOrganization(s *Script, ann, lee domain.Principal) {
	s.Must(Vendor, domain.LinkCustomerID{Company: 1, CustomerID: "12345"})
	s.Must(Vendor, domain.SetSSAMail{Person: 3, Receive: false})
	s.Must(ann, domain.SetProjectProperties{Project: 3, ProjectProperties: domain.ProjectProperties{
		UpdateURL: "https://update.acme.example/", TrustValue: "1234567890abcdef", DevicesAppGUID: "0123abcd-0123-0123-0123-0123456789ab",
		CCMails: []string{"cc1@acme.example", "cc2@acme.example"}}})
	s.Must(ann, domain.GrantProjectRight{Project: 4, Grantee: 2})
	s.Must(ann, domain.ConcludeContract{Company: 1, Kind: domain.ContractMyAppsCloud})    // 1
	s.Must(ann, domain.ConcludeContract{Company: 1, Kind: domain.ContractSoftwareRental}) // 2
	s.Must(lee, domain.ConcludeContract{Company: 2, Kind: domain.ContractMyAppsCloud})    // 3
	s.Must(Vendor, domain.ApproveContract{Contract: 1})
	s.Must(Vendor, domain.CancelContract{Contract: 2})
	s.Must(ann, domain.RenameProject{Project: 4, Name: "Zulu"})
}

// scriptedLicensing reaches the license queries: registry devices of an
// order, a device in two companies, bound licenses, a purchase on credit,
// own keys updated, deleted and redeemed by another company, an RMA.
func scriptedLicensing(s *Script, ann, lee domain.Principal) {
	s.Must(Vendor, domain.RegisterDevices{OrderNumber: "ORD-1", Delivered: "2026-10-01", Devices: []domain.RegistryEntry{
		{MAC: "00-90-33-00-00-02", Type: "IP811"}, {MAC: "00-90-33-00-00-01", Type: "IP811"}, {MAC: "00-90-33-00-00-0a", Type: "IP6000"}}})
	s.Must(ann, domain.AddDevices{Project: 3, MACs: []string{"00-90-33-00-00-01", "00-90-33-00-00-02"}})
	s.Must(lee, domain.AddDevices{Project: 5, MACs: []string{"00-90-33-00-00-01"}})
	s.Must(ann, domain.ChangeDevice{Company: 1, MAC: "00-90-33-00-00-02", Name: "Backup PBX", Comment: "Räume Süd"})
	s.Must(ann, domain.BindLicenses{Project: 3, MAC: "00-90-33-00-00-01", Version: 13,
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port"}, Quantity: 2}}})
	s.Must(domain.Principal{Person: 6}, domain.BindLicenses{Project: 3, MAC: "00-90-33-00-00-02", Version: 13,
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port"}, Quantity: 12}}, OnCredit: true, CreditOrder: "CR-1"})
	s.Must(ann, domain.CreateOwnKey{Project: 3, Code: "OWN-KEY-1", Lines: []domain.Line{line("Gateway-Channel", 12, 2)}, OrderNumber: "O-1"})
	s.Must(ann, domain.UpdateKey{Code: "OWN-KEY-1", Delta: []domain.Line{line("Gateway-Channel", 12, 1)}})
	s.Must(ann, domain.CreateOwnKey{Project: 3, Code: "OWN-KEY-2", Lines: []domain.Line{line("Gateway-Channel", 12, 1)}})
	s.Must(ann, domain.DeleteKey{Code: "OWN-KEY-2"})
	s.Must(ann, domain.CreateOwnKey{Project: 3, Code: "OWN-KEY-3", Lines: []domain.Line{line("GVL-Purchase", 0, 1)}})
	s.Must(lee, domain.RedeemKey{Code: "OWN-KEY-3", Project: 5})
	s.Must(ann, domain.RequestRMA{Company: 1, MAC: "00-90-33-00-00-02", Reason: "broken"})
	// A project join rewrites the keys of the joined project (tagging
	// only the projects).
	s.Must(ann, domain.CreateProject{Company: 1, Name: "Join me"}) // 6
	s.Must(Vendor, domain.IssueKey{Code: "KEY-JOIN-5", Lines: []domain.Line{line("PBX-Port", 13, 4)}})
	s.Must(ann, domain.RedeemKey{Code: "KEY-JOIN-5", Project: 6})
	s.Must(ann, domain.CreateOwnKey{Project: 6, Code: "OWN-KEY-4", Lines: []domain.Line{line("PBX-Port", 13, 1)}})
	s.Must(ann, domain.JoinProject{Project: 6, Into: 3})
}

// Random drives n commands chosen by a seeded generator; refusals are part
// of the sequence (they write nothing). The seed is logged so a failure can
// be replayed.
func Random(t testing.TB, seed uint64, n int) *Script {
	t.Logf("random scenario: seed %d, %d commands (LEDGER_PARITY_SEED=%d reproduces it)", seed, n, seed)
	s := NewScript(t)
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), s: s,
		members: map[domain.CompanyID][]domain.PersonID{}, companyOf: map[domain.ProjectID]domain.CompanyID{},
		placed: map[domain.ProjectID][]domain.MAC{}, refused: map[string]int{},
		stocked: map[domain.ProjectID][]domain.Line{}, domainDevices: map[string][]domain.MAC{},
		instanceOf: map[domain.InstanceID]domain.CompanyID{}, domainOf: map[string]domain.CompanyID{}}
	for i := 0; i < n; i++ {
		g.step(i)
	}
	t.Logf("random scenario wrote %s", eventCounts(t, s))
	t.Logf("random scenario refusals: %v", g.refused)
	return s
}

// eventCounts summarizes the log by event type, to show what a seed
// reached.
func eventCounts(t testing.TB, s *Script) string {
	n := map[string]int{}
	for _, r := range Records(t, s.Store) {
		n[r.Env.Type]++
	}
	types := make([]string, 0, len(n))
	for typ := range n {
		types = append(types, typ)
	}
	sort.Strings(types)
	out := make([]string, len(types))
	for i, typ := range types {
		out[i] = fmt.Sprintf("%s×%d", typ, n[typ])
	}
	return strings.Join(out, " ")
}

type gen struct {
	r                                   *rand.Rand
	s                                   *Script
	persons, companies, keys, contracts int
	projects                            int
	// What the generator saw written, to act mostly as someone entitled
	// (refusals still occur: the picture goes stale after joins and moves).
	members   map[domain.CompanyID][]domain.PersonID
	companyOf map[domain.ProjectID]domain.CompanyID
	placed    map[domain.ProjectID][]domain.MAC
	macs      []domain.MAC
	refused   map[string]int // command type: refusal code -> count
	open      []string       // issued keys not seen redeemed
	stocked   map[domain.ProjectID][]domain.Line
	// Devices App: the instances and domains created, the devices seen
	// added to each domain.
	instances     int
	instanceOf    map[domain.InstanceID]domain.CompanyID
	domainOf      map[string]domain.CompanyID
	domains       []string
	domainDevices map[string][]domain.MAC
}

var rights = []domain.Right{domain.RightAdministrator, domain.RightContracts, domain.RightLicenses, domain.RightViewer, domain.RightLocked}

func (g *gen) person() domain.PersonID { return domain.PersonID(g.r.IntN(g.persons+2) + 1) }
func (g *gen) company() domain.CompanyID {
	return domain.CompanyID(g.r.IntN(g.companies+1) + 1)
}
func (g *gen) project() domain.ProjectID { return domain.ProjectID(g.r.IntN(g.projects+1) + 1) }

// openKey is mostly a key issued and not yet redeemed.
func (g *gen) openKey() string {
	if len(g.open) > 0 && g.r.IntN(5) != 0 {
		return g.open[g.r.IntN(len(g.open))]
	}
	return fmt.Sprintf("RK-%05d", g.r.IntN(g.keys+2))
}
func (g *gen) by() domain.Principal {
	if g.r.IntN(8) == 0 {
		return Vendor
	}
	return domain.Principal{Person: g.person()}
}

func (g *gen) lines() []domain.Line {
	types := []domain.Item{{Type: "PBX-Port", Version: 13}, {Type: "PBX-Port", Version: 12}, {Type: "GVL-Purchase"},
		{Type: "Gateway-Channel", Version: 11}, {Type: "SSC"}, {Type: "PBX-PBX", Version: 14}}
	out := []domain.Line{}
	for i := 0; i <= g.r.IntN(3); i++ {
		out = append(out, domain.Line{Item: types[g.r.IntN(len(types))], Quantity: int64(g.r.IntN(20) + 1)})
	}
	return out
}

// step submits one random command. Ids are drawn a little beyond the ones
// allocated so far, so refusals for unknown entities occur too.
func (g *gen) step(i int) {
	total := 0
	for _, m := range g.moves() {
		total += m.weight
	}
	k := g.r.IntN(total)
	var by domain.Principal
	var c domain.Command
	for _, m := range g.moves() {
		if k < m.weight {
			by, c = m.make(i)
			break
		}
		k -= m.weight
	}
	if g.persons < 3 {
		by, c = g.registerPerson(i)
	}
	res, err := g.s.Do(by, c)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			g.refused[c.CommandType()+": "+de.Code]++
		}
		return
	}
	for _, e := range res.Events {
		switch e := e.(type) {
		case domain.PersonRegistered:
			g.persons++
		case domain.CompanyCreated:
			g.companies++
		case domain.ProjectCreated:
			g.projects++
			g.companyOf[e.Project] = e.Company
		case domain.MemberAdded:
			g.members[e.Company] = append(g.members[e.Company], e.Person)
		case domain.ContractConcluded:
			g.contracts++
		case domain.KeyIssued:
			g.open = append(g.open, e.Code)
		case domain.KeyRedeemed:
			g.open = slices.DeleteFunc(g.open, func(c string) bool { return c == e.Code })
			g.stocked[e.Project] = append(g.stocked[e.Project], e.Lines...)
		case domain.DeviceRegistered:
			g.macs = append(g.macs, e.MAC)
		case domain.DeviceAdded:
			g.placed[e.Project] = append(g.placed[e.Project], e.MAC)
		case domain.DevicesInstanceCreated:
			g.instances++
			g.instanceOf[e.Instance] = e.Company
		case domain.DomainCreated:
			g.domains = append(g.domains, e.Domain)
			g.domainOf[e.Domain] = e.Company
		case domain.DomainDeviceAdded:
			g.domainDevices[e.Domain] = append(g.domainDevices[e.Domain], e.MAC)
		}
	}
}

// byFor is mostly a member of company c (often its creator, the first
// administrator), sometimes anyone.
func (g *gen) byFor(c domain.CompanyID) domain.Principal {
	ms := g.members[c]
	switch {
	case len(ms) == 0 || g.r.IntN(4) == 0:
		return g.by()
	case g.r.IntN(2) == 0:
		return domain.Principal{Person: ms[0]}
	}
	return domain.Principal{Person: ms[g.r.IntN(len(ms))]}
}

// inCompany draws a company and someone to act in it.
func (g *gen) inCompany() (domain.Principal, domain.CompanyID) {
	c := g.company()
	return g.byFor(c), c
}

// from picks a project of m (mostly) and someone to act in it.
func from[V any](g *gen, m map[domain.ProjectID]V) (domain.Principal, domain.ProjectID) {
	if len(m) == 0 || g.r.IntN(5) == 0 {
		return g.inProject()
	}
	ids := make([]domain.ProjectID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	p := ids[g.r.IntN(len(ids))]
	return g.byFor(g.companyOf[p]), p
}

// inProject draws a project and someone to act in it.
func (g *gen) inProject() (domain.Principal, domain.ProjectID) {
	p := g.project()
	return g.byFor(g.companyOf[p]), p
}

type move struct {
	weight int
	make   func(i int) (domain.Principal, domain.Command)
}

func (g *gen) registerPerson(i int) (domain.Principal, domain.Command) {
	return Vendor, domain.RegisterPerson{Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("Person %d", i), Vendor: g.r.IntN(20) == 0}
}

// mac is mostly a registered device, sometimes one that is not.
func (g *gen) mac() string {
	if len(g.macs) == 0 || g.r.IntN(5) == 0 {
		return fmt.Sprintf("00-90-33-00-01-%02x", g.r.IntN(60))
	}
	return string(g.macs[g.r.IntN(len(g.macs))])
}

// macIn is mostly a device placed in project p.
func (g *gen) macIn(p domain.ProjectID) string {
	if ms := g.placed[p]; len(ms) > 0 && g.r.IntN(5) != 0 {
		return string(ms[g.r.IntN(len(ms))])
	}
	return g.mac()
}

func (g *gen) right() domain.Right { return rights[g.r.IntN(len(rights))] }

// moves are the commands the generator draws from, with weights: people
// and organization (including the subtree moves: company joins, project
// moves and joins, deletions), keys, devices and licenses.
func (g *gen) moves() []move {
	p := func(f func(i int) domain.Command) func(int) (domain.Principal, domain.Command) {
		return func(i int) (domain.Principal, domain.Command) { return g.by(), f(i) }
	}
	v := func(f func(i int) domain.Command) func(int) (domain.Principal, domain.Command) {
		return func(i int) (domain.Principal, domain.Command) { return Vendor, f(i) }
	}
	c := func(f func(i int, c domain.CompanyID) domain.Command) func(int) (domain.Principal, domain.Command) {
		return func(i int) (domain.Principal, domain.Command) {
			by, co := g.inCompany()
			return by, f(i, co)
		}
	}
	pr := func(f func(i int, p domain.ProjectID) domain.Command) func(int) (domain.Principal, domain.Command) {
		return func(i int) (domain.Principal, domain.Command) {
			by, pj := g.inProject()
			return by, f(i, pj)
		}
	}
	return append([]move{
		{10, g.registerPerson},
		{5, func(i int) (domain.Principal, domain.Command) {
			id := g.person()
			return domain.Principal{Person: id}, domain.IssueToken{Person: id, TokenID: fmt.Sprintf("t%d", i), TokenHash: TokenHash(fmt.Sprintf("t%d", i)), Label: fmt.Sprintf("label %d", i)}
		}},
		{2, v(func(i int) domain.Command {
			return domain.RevokeToken{Person: g.person(), TokenID: fmt.Sprintf("t%d", g.r.IntN(i+1))}
		})},
		{2, v(func(i int) domain.Command {
			return domain.UpdatePerson{Person: g.person(), Name: fmt.Sprintf("Renamed %d", i), Email: fmt.Sprintf("r%d@example.com", i)}
		})},
		{2, v(func(int) domain.Command { return domain.SetSSAMail{Person: g.person(), Receive: g.r.IntN(2) == 0} })},
		{8, func(i int) (domain.Principal, domain.Command) {
			return domain.Principal{Person: g.person()}, domain.CreateCompany{Name: fmt.Sprintf("Company %d", i)}
		}},
		{12, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.AddMember{Company: co, Person: g.person(), Right: g.right(), BuyOnCredit: g.r.IntN(3) == 0}
		})},
		{6, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.ChangeRights{Company: co, Person: g.person(), Right: g.right(), BuyOnCredit: g.r.IntN(3) == 0}
		})},
		{3, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.RemoveMember{Company: co, Person: g.person()}
		})},
		{2, v(func(i int) domain.Command {
			return domain.LinkCustomerID{Company: g.company(), CustomerID: fmt.Sprintf("%05d", 10000+i)}
		})},
		{2, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.JoinCompany{Company: co, Absorbed: g.company()}
		})},
		{10, c(func(i int, co domain.CompanyID) domain.Command {
			return domain.CreateProject{Company: co, Name: fmt.Sprintf("P%d", g.r.IntN(30)), Description: fmt.Sprintf("d%d", i)}
		})},
		{2, pr(func(i int, pj domain.ProjectID) domain.Command {
			return domain.RenameProject{Project: pj, Name: fmt.Sprintf("R%d", i)}
		})},
		{2, pr(func(i int, pj domain.ProjectID) domain.Command {
			return domain.DescribeProject{Project: pj, Description: fmt.Sprintf("described %d", i)}
		})},
		{2, pr(func(i int, pj domain.ProjectID) domain.Command {
			return domain.SetProjectProperties{Project: pj, ProjectProperties: domain.ProjectProperties{
				UpdateURL: fmt.Sprintf("https://u%d.example/", i), TrustValue: fmt.Sprintf("trust%d", i), CCMails: []string{"cc@example.com"}}}
		})},
		{3, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.GrantProjectRight{Project: pj, Grantee: g.company()}
		})},
		{1, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.RevokeProjectRight{Project: pj, Grantee: g.company()}
		})},
		{1, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.UnsubscribeProject{Project: g.project(), Company: co}
		})},
		{2, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.MoveProject{Project: pj, To: g.company()}
		})},
		{2, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.JoinProject{Project: pj, Into: g.project()}
		})},
		{2, pr(func(_ int, pj domain.ProjectID) domain.Command { return domain.DeleteProject{Project: pj} })},
		{3, c(func(_ int, co domain.CompanyID) domain.Command {
			kinds := []domain.ContractKind{domain.ContractMyAppsCloud, domain.ContractSoftwareRental}
			return domain.ConcludeContract{Company: co, Kind: kinds[g.r.IntN(2)]}
		})},
		{2, v(func(int) domain.Command {
			return domain.ApproveContract{Contract: domain.ContractID(g.r.IntN(g.contracts+2) + 1)}
		})},
		{1, v(func(int) domain.Command {
			return domain.CancelContract{Contract: domain.ContractID(g.r.IntN(g.contracts+2) + 1)}
		})},
		{12, v(func(i int) domain.Command {
			g.keys++
			return domain.IssueKey{Code: fmt.Sprintf("RK-%05d", g.keys), Lines: g.lines(), Comment: fmt.Sprintf("k%d", i), OrderNumber: fmt.Sprintf("O-%d", g.r.IntN(3))}
		})},
		{12, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.RedeemKey{Code: g.openKey(), Project: pj}
		})},
		{5, func(int) (domain.Principal, domain.Command) {
			by, pj := from(g, g.stocked)
			lines := g.lines()[:1]
			if st := g.stocked[pj]; len(st) > 0 {
				l := st[g.r.IntN(len(st))]
				lines = []domain.Line{{Item: l.Item, Quantity: 1}}
			}
			g.keys++
			return by, domain.CreateOwnKey{Project: pj, Code: fmt.Sprintf("RK-%05d", g.keys), Lines: lines, OrderNumber: fmt.Sprintf("O-%d", g.r.IntN(3))}
		}},
		{2, p(func(int) domain.Command {
			return domain.UpdateKey{Code: g.openKey(), Delta: g.lines()[:1]}
		})},
		{2, p(func(int) domain.Command { return domain.DeleteKey{Code: g.openKey()} })},
		{5, v(func(i int) domain.Command {
			n := func() string { return fmt.Sprintf("00-90-33-00-01-%02x", g.r.IntN(60)) }
			return domain.RegisterDevices{OrderNumber: fmt.Sprintf("ORD-%d", g.r.IntN(4)), Delivered: "2026-10-01",
				Devices: []domain.RegistryEntry{{MAC: n(), Type: "IP811"}, {MAC: n(), Type: "IP6000"}, {MAC: n(), Type: "IP811"}}}
		})},
		{10, pr(func(_ int, pj domain.ProjectID) domain.Command {
			return domain.AddDevices{Project: pj, MACs: []string{g.mac()}}
		})},
		{2, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.RemoveDevices{Company: co, MACs: []string{g.mac()}}
		})},
		{3, c(func(_ int, co domain.CompanyID) domain.Command {
			return domain.MoveDevices{Company: co, MACs: []string{g.mac()}, To: g.project()}
		})},
		{3, c(func(i int, co domain.CompanyID) domain.Command {
			return domain.ChangeDevice{Company: co, MAC: g.mac(), Name: fmt.Sprintf("Dev %d", i), Comment: fmt.Sprintf("Kommentar %d", i)}
		})},
		{10, func(i int) (domain.Principal, domain.Command) {
			by, pj := from(g, g.placed)
			return by, domain.BindLicenses{Project: pj, MAC: g.macIn(pj), Version: 13,
				Lines:    []domain.Line{{Item: domain.Item{Type: "PBX-Port"}, Quantity: int64(g.r.IntN(5) + 1)}},
				OnCredit: g.r.IntN(2) == 0, CreditOrder: fmt.Sprintf("CR-%d", i)}
		}},
		{2, c(func(i int, co domain.CompanyID) domain.Command {
			return domain.RequestRMA{Company: co, MAC: g.mac(), Reason: fmt.Sprintf("r%d", i)}
		})},
		{1, v(func(int) domain.Command { return domain.ReceiveRMA{MAC: g.mac()} })},
	}, g.rentalMoves()...)
}
