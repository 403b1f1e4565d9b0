package domain_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	. "github.com/innolic/ledger/domain"
)

var licenseSeed = flag.Int64("license-seed", 0, "seed of TestRandomLicenseLedger (0: time-based)")

// licenseSampleEvents has one event of every license-area type, for the
// posting and wire round-trip checks.
func licenseSampleEvents() []Event {
	l := []Line{{Item: port13, Quantity: 3}}
	ll := []LicenseLine{bound(1, port13, 3)}
	return []Event{
		KeyIssued{Code: "K1", Lines: l}, KeyIssued{Code: "K2", Lines: l, FromProject: 1},
		KeyRedeemed{Code: "K1", Project: 1, Company: 1, Lines: l},
		KeyUpdated{Code: "K2", Project: 1, Delta: []Line{{Item: port13, Quantity: -1}}},
		KeyDeleted{Code: "K2", Project: 1, Lines: l},
		DeviceRegistered{MAC: mac6000, Type: "IP6000", OrderNumber: "SO", Delivered: "2026-01-01"},
		DeviceAdded{MAC: mac6000, Company: 1, Project: 1}, DeviceRemoved{MAC: mac6000, Company: 1, Project: 1},
		DeviceMoved{MAC: mac6000, Company: 1, From: 1, To: 2}, DeviceChanged{MAC: mac6000, Company: 1, Name: "n"},
		RMARequestedEvent{MAC: mac6000, Company: 1}, RMAReceivedEvent{MAC: mac6000},
		LicensesBound{MAC: mac6000, Company: 1, Project: 1, Draws: []Draw{{Project: 1, Lines: []Line{{Item: port13, Quantity: 2}}}}, Lines: ll},
		CreditPurchased{Company: 1, Project: 1, Person: 2, Lines: l, Date: today},
		LicensesReturned{MAC: mac6000, Company: 1, Project: 1, Lines: ll, Confirmation: "c", Date: today},
		FreeLicensesBound{MAC: mac6000, Company: 1, Project: 1, Lines: ll},
		LicensesMoved{From: mac6000, To: mac0010, Company: 1, Lines: ll},
		RMAReshipped{MAC: mac6000, Company: 1, Project: 4, Lines: ll},
		FloatingRemoved{MAC: mac6000, Company: 1, Line: bound(2, float7, 1)},
		TestLicenseIssued{MAC: mac6000, Company: 1, Version: 13, ValidUntil: "2027-01-01"},
		ManufacturerPrefixSet{Company: 1, Prefix: "p"}, AppDevLicenseIssued{MAC: mac6000, Company: 1, Names: []string{"App(p-a)15"}},
		LicensesDownloaded{MAC: mac6000, Company: 1, Version: 7, LocksReturn: true},
	}
}

// checkRoundTrip: the event's JSON decodes to an event with the same
// JSON, it has tags, and its postings sum to zero.
func checkRoundTrip(t *testing.T, e Event) {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeEvent(e.EventType(), raw)
	if err != nil {
		t.Fatalf("%s: %v", e.EventType(), err)
	}
	if again, _ := json.Marshal(back); string(again) != string(raw) {
		t.Errorf("%s does not round-trip:\n%s\n%s", e.EventType(), raw, again)
	}
	if len(e.EventTags()) == 0 {
		t.Errorf("%s has no tags", e.EventType())
	}
	checkZeroSum(t, e)
}

func TestLicenseEventsRoundTripAndPostingsBalance(t *testing.T) {
	for _, e := range licenseSampleEvents() {
		checkRoundTrip(t, e)
	}
	if p := Postings(LicensesBound{MAC: mac6000, Lines: []LicenseLine{bound(1, port13, 3)}}); len(p) != 2 || p[1].Account != "vendor" {
		t.Errorf("a binding without draws comes from the vendor: %v", p)
	}
}

func checkZeroSum(t *testing.T, e Event) {
	t.Helper()
	sum := Balance{}
	for _, p := range Postings(e) {
		sum[p.Item] += p.Amount
	}
	if ls := sum.Lines(); len(ls) != 0 {
		t.Fatalf("postings of %s %+v do not sum to zero: %v", e.EventType(), e, ls)
	}
}

// TestRandomLicenseLedger runs thousands of random license commands and
// checks after every step: every event's postings sum to zero; every
// account's posting sum equals the state's balance, key, device or free
// pool; no balance is below zero beyond what was bought on credit; and a
// replica fed the wire form of the log has the same fingerprint.
func TestRandomLicenseLedger(t *testing.T) {
	seed := *licenseSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (rerun with -license-seed=%d)", seed, seed)
	g := newGen(t, seed)
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	for i := 0; i < steps; i++ {
		by, cmd := g.next()
		evs, err := Decide(g.live, by, cmd, g.now)
		if err != nil && len(evs) > 0 {
			t.Fatalf("step %d %s: refused with events", i, cmd.CommandType())
		}
		for _, e := range evs {
			g.apply(e)
		}
		if len(evs) > 0 {
			g.accepted[cmd.CommandType()]++
		}
		g.check(i, cmd)
		g.now = g.now.Add(time.Duration(g.rng.Intn(48)) * time.Hour)
	}
	full := NewState(catalog.Default())
	for _, w := range g.log {
		e, _ := DecodeEvent(w.typ, w.data)
		if err := full.Evolve(e); err != nil {
			t.Fatal(err)
		}
	}
	if full.Fingerprint() != g.live.Fingerprint() {
		t.Fatal("a full replay of the log differs from the live state")
	}
	t.Logf("%d events; accepted commands per type: %v", len(g.log), g.accepted)
}

type wire struct {
	typ  string
	data []byte
}

type gen struct {
	t        *testing.T
	rng      *rand.Rand
	live     *State
	replica  *State
	now      time.Time
	log      []wire
	accounts map[string]Balance
	macs     []MAC
	codes    []string
	accepted map[string]int
	joined   map[ProjectID]ProjectID // joined project -> the project it went into
}

var (
	genItems = []Item{pbx13, vm13, sb13, port13, pri13, {"Relay-BRI", 13}, gvl, gvlWithin, float7, {"PBX-Port", 7}, {"PBX-PBX", 12}}
	genTypes = []string{"IP6000", "IP6010", "IP0010", "IP811", "IP112", "IP1200"}
	genBy    = []Principal{vendor, alice, bob, carol, dave}
)

func newGen(t *testing.T, seed int64) *gen {
	g := &gen{t: t, rng: rand.New(rand.NewSource(seed)), live: NewState(catalog.Default()), replica: NewState(catalog.Default()),
		now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), accounts: map[string]Balance{}, accepted: map[string]int{}}
	for _, e := range append(devWorld(RightLicenses),
		PersonRegistered{Person: 5, Email: "dave@example.com", Name: "Dave"},
		MemberAdded{Company: 1, Person: 5, Right: RightLicenses, BuyOnCredit: true},
		ProjectCreated{Project: 3, Company: 1, Name: "Hotel"},
		ProjectCreated{Project: 4, Company: 2, Name: "Office"}) {
		g.apply(e)
	}
	return g
}

func (g *gen) apply(e Event) {
	g.t.Helper()
	checkZeroSum(g.t, e)
	for _, p := range Postings(e) {
		if g.accounts[p.Account] == nil {
			g.accounts[p.Account] = Balance{}
		}
		g.accounts[p.Account][p.Item] += p.Amount
	}
	if err := g.live.Evolve(e); err != nil {
		g.t.Fatalf("%T: %v", e, err)
	}
	raw, _ := json.Marshal(e)
	g.log = append(g.log, wire{e.EventType(), raw})
	back, err := DecodeEvent(e.EventType(), raw)
	if err != nil {
		g.t.Fatal(err)
	}
	if err := g.replica.Evolve(back); err != nil {
		g.t.Fatalf("replica %T: %v", e, err)
	}
	switch e := e.(type) {
	case DeviceRegistered:
		g.macs = append(g.macs, e.MAC)
	case KeyIssued:
		g.codes = append(g.codes, e.Code)
	case ProjectJoined:
		if g.joined == nil {
			g.joined = map[ProjectID]ProjectID{}
		}
		g.joined[e.Project] = e.Into
	}
}

// current follows project joins: credit bought for a project that was
// joined into another is part of the other's balance now.
func (g *gen) current(p ProjectID) ProjectID {
	for {
		into, ok := g.joined[p]
		if !ok {
			return p
		}
		p = into
	}
}

func (g *gen) pick(n int) int { return g.rng.Intn(n) }

func (g *gen) mac() string {
	if len(g.macs) == 0 || g.pick(10) == 0 {
		return fmt.Sprintf("00-90-33-77-00-%02x", g.pick(60))
	}
	return string(g.macs[g.pick(len(g.macs))])
}

func (g *gen) code() string {
	if len(g.codes) == 0 {
		return "NONE-NONE"
	}
	return g.codes[g.pick(len(g.codes))]
}

func (g *gen) lines(n int) []Line {
	out := make([]Line, 1+g.pick(n))
	for i := range out {
		out[i] = Line{Item: genItems[g.pick(len(genItems))], Quantity: int64(1 + g.pick(6))}
	}
	return out
}

// placed returns a device placed in a company (or a random MAC and
// project now and then, for refusals).
func (g *gen) placed() (string, CompanyID, ProjectID) {
	var cands []MAC
	for _, m := range g.macs {
		if len(g.live.Devices[m].In) > 0 {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 || g.pick(8) == 0 {
		return g.mac(), g.company(), g.project()
	}
	d := g.live.Devices[cands[g.pick(len(cands))]]
	for _, c := range sortedCompanies(d.In) {
		if g.pick(2) == 0 || len(d.In) == 1 {
			return string(d.MAC), c, d.In[c].Project
		}
	}
	c := sortedCompanies(d.In)[0]
	return string(d.MAC), c, d.In[c].Project
}

func sortedCompanies(m map[CompanyID]*Placement) []CompanyID {
	var out []CompanyID
	for c := 1; c <= 2; c++ {
		if _, ok := m[CompanyID(c)]; ok {
			out = append(out, CompanyID(c))
		}
	}
	return out
}

// member is mostly a licensing member of company c.
func (g *gen) member(c CompanyID) Principal {
	if g.pick(8) == 0 {
		return genBy[g.pick(len(genBy))]
	}
	if c == 2 {
		return carol
	}
	return []Principal{alice, bob, dave}[g.pick(3)]
}

func (g *gen) project() ProjectID { return ProjectID(1 + g.pick(4)) }

func (g *gen) company() CompanyID { return CompanyID(1 + g.pick(2)) }

// next returns a random command: vendor supply, keys, devices and the
// license lifecycle, with arguments from small domains so that both
// acceptances and refusals occur.
func (g *gen) next() (Principal, Command) {
	by := genBy[g.pick(len(genBy))]
	if g.pick(1000) == 0 {
		// Rare, because a join deletes one of the few projects the mix uses;
		// it moves a balance and a free pool, which the postings must follow.
		c := g.company()
		return g.member(c), JoinProject{Project: g.project(), Into: g.project()}
	}
	switch g.pick(20) {
	case 0, 1:
		return vendor, IssueKey{Code: fmt.Sprintf("V-%05d", len(g.codes)), Lines: g.lines(4)}
	case 2, 3:
		return by, RedeemKey{Code: g.code(), Project: g.project()}
	case 4:
		return by, CreateOwnKey{Project: g.project(), Code: fmt.Sprintf("O-%05d", len(g.codes)), Lines: g.lines(2)}
	case 5:
		d := g.lines(1)
		if g.pick(2) == 0 {
			d[0].Quantity = -d[0].Quantity
		}
		return by, UpdateKey{Code: g.code(), Delta: d}
	case 6:
		return by, DeleteKey{Code: g.code(), RefundTo: ProjectID(g.pick(5))}
	case 7:
		m := fmt.Sprintf("00-90-33-77-00-%02x", g.pick(60))
		return vendor, RegisterDevices{OrderNumber: fmt.Sprintf("SO-%d", g.pick(5)), Delivered: g.now.AddDate(0, 0, -g.pick(90)).Format(time.DateOnly),
			Devices: []RegistryEntry{{MAC: m, Type: genTypes[g.pick(len(genTypes))]}}}
	case 8:
		return by, AddDevices{Project: g.project(), MACs: []string{g.mac()}}
	case 9:
		return by, MoveDevices{Company: g.company(), MACs: []string{g.mac()}, To: g.project()}
	case 10, 11, 12:
		m, c, p := g.placed()
		return g.member(c), BindLicenses{Project: p, MAC: m, Version: []int{7, 12, 13}[g.pick(3)], Lines: g.bindLines(),
			AlsoFrom: []ProjectID{g.project()}, OnCredit: g.pick(2) == 0}
	case 13:
		m, c, _ := g.placed()
		return g.member(c), ReturnLicenses{Company: c, MAC: m, Firmware: 7 + g.pick(8), Certificate: g.pick(4) > 0}
	case 14:
		m, c, p := g.placed()
		return g.member(c), BindFreeLicenses{Project: p, MAC: m, IDs: g.freeIDs(p)}
	case 15:
		m, c, _ := g.placed()
		m2, _, _ := g.placed()
		return g.member(c), MoveLicenses{Company: c, From: m, To: m2}
	case 16:
		if g.pick(2) == 0 {
			m, c, _ := g.placed()
			return g.member(c), RequestRMA{Company: c, MAC: m}
		}
		return vendor, ReceiveRMA{MAC: g.mac()}
	case 17:
		return vendor, ReshipRMA{MAC: g.mac()}
	case 18:
		m, c, p := g.placed()
		return g.member(c), ExtendWarranty{Project: p, MAC: m, Years: int64(1 + g.pick(3)), OnCredit: g.pick(2) == 0}
	default:
		m, c, p := g.placed()
		if g.pick(2) == 0 {
			return g.member(c), AddFloating{Project: p, MAC: m, OnCredit: g.pick(2) == 0}
		}
		return g.member(c), RemoveFloating{Company: c, MAC: m}
	}
}

// bindLines is often a consistent PBX set, sometimes anything.
func (g *gen) bindLines() []Line {
	if g.pick(2) == 0 {
		n := int64(1 + g.pick(2))
		return []Line{{Item: Item{Type: "PBX-PBX"}, Quantity: n}, {Item: Item{Type: "PBX-Voicemail"}, Quantity: n},
			{Item: Item{Type: "PBX-Standby"}, Quantity: n}, {Item: Item{Type: "PBX-Port"}, Quantity: int64(1 + g.pick(10))}}
	}
	return []Line{{Item: Item{Type: []string{"PBX-Port", "Relay-PRI", "Relay-BRI"}[g.pick(3)]}, Quantity: int64(1 + g.pick(3))}}
}

// freeIDs picks lines of a project's free pool (a PBX set stays together
// more often than not, so the consistency check passes).
func (g *gen) freeIDs(p ProjectID) []int64 {
	var ids []int64
	all := g.pick(2) == 0
	for _, l := range g.live.Free[p] {
		if all || g.pick(3) == 0 {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		ids = []int64{int64(1 + g.pick(50))}
	}
	return ids
}

// check compares the accounts with the state after step i.
func (g *gen) check(i int, cmd Command) {
	g.t.Helper()
	if a, b := g.live.Fingerprint(), g.replica.Fingerprint(); a != b {
		g.t.Fatalf("step %d %s: the replica fed the wire log differs", i, cmd.CommandType())
	}
	want := map[string]Balance{}
	for id, p := range g.live.Projects {
		want[AccountProject(id)] = p.Balance
	}
	for code, k := range g.live.Keys {
		if k.RedeemedInto == 0 && !k.Deleted {
			b := Balance{}
			b.Add(k.Lines, 1)
			want[AccountKey(code)] = b
		}
	}
	for m, d := range g.live.Devices {
		b := Balance{}
		for _, l := range d.Licenses {
			b[l.Item] += l.Quantity
		}
		want[AccountDevice(m)] = b
	}
	for p, pool := range g.live.Free {
		b := Balance{}
		for _, l := range pool {
			b[l.Item] += l.Quantity
		}
		want[AccountFree(p)] = b
	}
	for acct, got := range g.accounts {
		if acct == AccountVendor || acct == AccountConsumed {
			continue
		}
		if fmt.Sprint(got.Lines()) != fmt.Sprint(want[acct].Lines()) {
			g.t.Fatalf("step %d %s: account %s posts %v, state holds %v", i, cmd.CommandType(), acct, got.Lines(), want[acct].Lines())
		}
	}
	for acct, b := range want {
		if len(b.Lines()) > 0 && g.accounts[acct] == nil {
			g.t.Fatalf("step %d: state %s holds %v without postings", i, acct, b.Lines())
		}
	}
	g.checkCredit(i)
}

// checkCredit: a balance is below zero only by what was bought on credit.
func (g *gen) checkCredit(i int) {
	credit := map[ProjectID]Balance{}
	for _, c := range g.live.Credits {
		p := g.current(c.Project)
		if credit[p] == nil {
			credit[p] = Balance{}
		}
		credit[p].Add(c.Lines, 1)
	}
	for id, p := range g.live.Projects {
		for it, q := range p.Balance {
			if q < 0 && -q > credit[id][it] {
				g.t.Fatalf("step %d: project %d holds %d %s, more below zero than the %d bought on credit", i, id, q, it, credit[id][it])
			}
		}
	}
}
