package memory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/memory"
)

// dumpSSA answers every SSA query as each principal, one line per answer.
func dumpSSA(r projections.Reader, who map[string]domain.Principal) string {
	var b strings.Builder
	line := func(name, q string, v any, err error) {
		if err != nil {
			fmt.Fprintf(&b, "%s %s -> error %v\n", name, q, err)
			return
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s -> %s\n", name, q, j)
	}
	today := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"vendor", "admin", "stranger"} {
		by := who[name]
		for id := int64(1); id <= 3; id++ {
			v, err := r.ProjectSSA(by, domain.ProjectID(id))
			line(name, fmt.Sprintf("ProjectSSA(%d)", id), v, err)
			q, err := r.SSAQuote(by, domain.SSAQuoteRequest{Project: domain.ProjectID(id), End: domain.MustDay("2028-11-21")}, today)
			line(name, fmt.Sprintf("SSAQuote(%d)", id), q, err)
			e, err := r.SSAExpiries(by, domain.CompanyID(id), domain.DayOf(today), 400)
			line(name, fmt.Sprintf("SSAExpiries(%d)", id), e, err)
		}
		for id := int64(0); id <= 1; id++ {
			inv, err := r.SSAInvoices(by, domain.CompanyID(id))
			line(name, fmt.Sprintf("SSAInvoices(%d)", id), inv, err)
		}
		p, err := r.PendingSSAReminders(by)
		line(name, "PendingSSAReminders", p, err)
	}
	return b.String()
}

func TestGoldenSSA(t *testing.T) {
	recs := loadEvents(t, "../../testdata/projections/ssa.jsonl")
	m := memory.New(catalog.Default())
	ctx := context.Background()
	if err := m.Apply(ctx, recs); err != nil {
		t.Fatal(err)
	}
	who := map[string]domain.Principal{"vendor": {Person: 1, Vendor: true}, "admin": {Person: 2}, "stranger": {Person: 3}}
	got := dumpSSA(m, who)
	if err := m.Apply(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if again := dumpSSA(m, who); again != got {
		t.Fatal("applying the batch twice changed the answers")
	}
	golden := filepath.Join("..", "..", "testdata", "projections", "ssa.memory.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("answers differ from %s (go test -update rewrites it after review):\n%s", golden, got)
	}
}
