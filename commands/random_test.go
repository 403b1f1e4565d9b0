package commands_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/replay"
)

var seed = flag.Uint64("seed", 0, "seed of TestRandomCommands (0: from the clock)")

// TestRandomCommands runs a seeded random mix of commands by random callers
// through the writer, with rentals and days passing (random_rental_test.go),
// and checks after every step that licenses are conserved (every unit in a
// project balance came from exactly one redeemed key, or was charged for
// rental) and no balance is negative, and at the end that a replay of the
// log gives the live state.
func TestRandomCommands(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed=%d)", s, s)
	rng := rand.New(rand.NewPCG(s, s))
	store := memstore.New()
	clock := &testClock{start: fixedClock()}
	w, err := commands.Open(context.Background(), store, catalog.Default(), commands.Options{Clock: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	boot := domain.Bootstrap{Email: "v@vendor.example", Name: "V", TokenID: "t", TokenHash: fmt.Sprintf("%064d", 0)}
	first := mustSubmit(t, w, commands.Request{Command: boot})
	mirror := domain.NewState(catalog.Default()) // the state as the log says
	if _, err := replay.Into(context.Background(), store, mirror, 1, 0); err != nil {
		t.Fatal(err)
	}
	applied := uint64(2)
	for step := range 2000 {
		req := randomRequest(rng, mirror, clock)
		_, err := w.Submit(context.Background(), req)
		if err != nil && domain.KindOf(err) == domain.KindInternal {
			t.Fatalf("step %d: %T: internal error %v", step, req.Command, err)
		}
		last, err := replay.Into(context.Background(), store, mirror, applied+1, 0)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		applied = max(applied, last)
		checkConserved(t, step, mirror)
	}
	redeemed := 0
	for _, k := range mirror.Keys {
		if k.RedeemedInto != 0 {
			redeemed++
		}
	}
	charged := int64(0)
	for _, dm := range mirror.Domains {
		charged += dm.Account.Debited
	}
	t.Logf("%d events written, %d keys redeemed, %d domains, %d iSC charged for rental", applied, redeemed, len(mirror.Domains), charged)
	if applied < 300 || redeemed < 20 || charged == 0 {
		t.Fatalf("only %d events, %d redemptions and %d iSC charged: the mix exercises too little", applied, redeemed, charged)
	}
	live := w.Fingerprint()
	if live != mirror.Fingerprint() {
		t.Fatal("replayed state differs from the live writer's state")
	}
	// A state grown part-way through the replay (as the writer's start
	// does on large logs) ends the same.
	grown := domain.NewState(catalog.Default())
	half, err := replay.Into(context.Background(), store, grown, 1, applied/2)
	if err != nil {
		t.Fatal(err)
	}
	grown.Grow(3)
	if _, err := replay.Into(context.Background(), store, grown, half+1, 0); err != nil {
		t.Fatal(err)
	}
	if grown.Fingerprint() != live {
		t.Fatal("a state grown during the replay differs from the live writer's state")
	}
	// A second writer on the same log starts from the same state and knows
	// every command id.
	w2 := openOn(t, store)
	if w2.Fingerprint() != live {
		t.Fatal("a writer reopened on the log differs from the live writer")
	}
	res := mustSubmit(t, w2, commands.Request{ID: first.CommandID, Command: boot})
	if !res.Replayed || res.Last() != first.Last() {
		t.Fatalf("reopened writer answered a retried command with %+v, want a replay of %+v", res, first)
	}
}

// checkConserved: per item, the units in project balances equal the units
// of redeemed keys, and no balance is negative.
func checkConserved(t *testing.T, step int, s *domain.State) {
	t.Helper()
	redeemed, held := domain.Balance{}, domain.Balance{}
	for _, k := range s.Keys {
		if k.RedeemedInto != 0 {
			redeemed.Add(k.Lines, 1)
		}
	}
	for _, p := range s.Projects {
		for it, q := range p.Balance {
			if q < 0 {
				t.Fatalf("step %d: project %d has %d of %s", step, p.ID, q, it)
			}
			held[it] += q
		}
	}
	checkRentalAccounts(t, step, s, held)
	if fmt.Sprint(redeemed.Lines()) != fmt.Sprint(held.Lines()) {
		t.Fatalf("step %d: licenses not conserved: redeemed %v, held %v", step, redeemed.Lines(), held.Lines())
	}
}

func pick[K comparable, V any](rng *rand.Rand, m map[K]V, fallback K) K {
	n := rng.IntN(len(m) + 1)
	for k := range m {
		if n == 0 {
			return k
		}
		n--
	}
	return fallback
}

func randomRequest(rng *rand.Rand, s *domain.State, clock *testClock) commands.Request {
	person := pick(rng, s.Persons, 99)
	by := domain.Principal{Person: person, Vendor: person == 1}
	company := pick(rng, s.Companies, 99)
	project := pick(rng, s.Projects, 99)
	rights := []domain.Right{domain.RightAdministrator, domain.RightLicenses, domain.RightViewer, domain.RightLocked, "bogus"}
	items := []domain.Item{{Type: "PBX-Port", Version: 13}, {Type: "PBX-PBX", Version: 12}, {Type: "SSC"}, {Type: "Nope", Version: 1}, domain.ISCItem}
	var c domain.Command
	switch rng.IntN(10) {
	case 7, 8, 9:
		return rentalRequest(rng, s, clock)
	case 0:
		c, by = domain.RegisterPerson{Email: fmt.Sprintf("p%d@example.com", rng.IntN(40)), Name: "P"}, domain.Principal{Person: 1, Vendor: true}
	case 1:
		c = domain.CreateCompany{Name: fmt.Sprintf("Co %d", rng.IntN(10))}
	case 2:
		c = domain.CreateProject{Company: company, Name: fmt.Sprintf("P%d", rng.IntN(8))}
	case 3:
		c = domain.AddMember{Company: company, Person: pick(rng, s.Persons, 99), Right: rights[rng.IntN(len(rights))]}
	case 4:
		c = domain.ChangeRights{Company: company, Person: pick(rng, s.Persons, 99), Right: rights[rng.IntN(len(rights))]}
	case 5:
		c = domain.IssueKey{Code: fmt.Sprintf("KEY-%05d", rng.IntN(300)), Lines: []domain.Line{{Item: items[rng.IntN(len(items))], Quantity: int64(rng.IntN(30))}}}
		if rng.IntN(4) > 0 {
			by = domain.Principal{Person: 1, Vendor: true}
		}
	default:
		c = domain.RedeemKey{Code: fmt.Sprintf("KEY-%05d", rng.IntN(300)), Project: project}
		if p, ok := s.Projects[project]; ok && rng.IntN(4) > 0 {
			for id, m := range s.Companies[p.Company].Members {
				if m.Right == domain.RightAdministrator {
					by = domain.Principal{Person: id}
				}
			}
		}
	}
	return commands.Request{By: by, Command: c}
}
