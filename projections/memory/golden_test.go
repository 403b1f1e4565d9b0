package memory_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/memory"
	"github.com/innolic/ledger/replay"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// loadEvents reads a scenario: one {"type","data"} object per line.
func loadEvents(t *testing.T, path string) []replay.Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []replay.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("%s:%d: %v", path, len(recs)+1, err)
		}
		r, err := replay.Decode(eventstore.Envelope{Seq: uint64(len(recs) + 1), Type: line.Type, Data: line.Data})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

// dump answers every query for every id, as the given principals, one line
// per answer, in a fixed order.
func dump(r projections.Reader, who map[string]domain.Principal, maxID int64) string {
	var b strings.Builder
	line := func(name, q string, v any, err error) {
		if err != nil {
			fmt.Fprintf(&b, "%s %s -> error %v\n", name, q, err)
			return
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s -> %s\n", name, q, j)
	}
	fmt.Fprintf(&b, "position %d\n", r.Position())
	for _, name := range []string{"vendor", "admin", "locked", "stranger"} {
		by := who[name]
		for id := int64(1); id <= maxID; id++ {
			v, err := r.Person(by, domain.PersonID(id))
			line(name, fmt.Sprintf("Person(%d)", id), v, err)
			c, err := r.Company(by, domain.CompanyID(id))
			line(name, fmt.Sprintf("Company(%d)", id), c, err)
			ps, err := r.Projects(by, domain.CompanyID(id))
			line(name, fmt.Sprintf("Projects(%d)", id), ps, err)
			pb, err := r.ProjectBalance(by, domain.ProjectID(id))
			line(name, fmt.Sprintf("ProjectBalance(%d)", id), pb, err)
			cb, err := r.CompanyBalance(by, domain.CompanyID(id))
			line(name, fmt.Sprintf("CompanyBalance(%d)", id), cb, err)
		}
	}
	return b.String()
}

func TestGoldenSlice(t *testing.T) {
	recs := loadEvents(t, "../../testdata/projections/slice.jsonl")
	m := memory.New(catalog.Default())
	ctx := context.Background()
	if err := m.Apply(ctx, recs); err != nil {
		t.Fatal(err)
	}
	who := map[string]domain.Principal{"vendor": {Person: 1, Vendor: true}, "admin": {Person: 2},
		"locked": {Person: 3}, "stranger": {Person: 9}}
	got := dump(m, who, 3)
	// Applying the same records again changes nothing.
	if err := m.Apply(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if again := dump(m, who, 3); again != got {
		t.Fatal("applying the batch twice changed the answers")
	}
	golden := filepath.Join("..", "..", "testdata", "projections", "slice.memory.golden")
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
