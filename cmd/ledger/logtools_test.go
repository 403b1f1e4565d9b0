package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/app"
	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

// runLedger runs the ledger binary (this test binary re-executed) with args
// and returns its combined output and exit error.
func runLedger(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LEDGER_RUN_MAIN=1", "LEDGER_ARGS="+strings.Join(args, " "))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// seedLog writes a small ledger history into dir through the real writer.
func seedLog(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	store, err := app.OpenStore(ctx, app.StoreConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w, err := commands.Open(ctx, store, catalog.Default(), commands.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	vendor := domain.Principal{Person: 1, Vendor: true}
	for _, r := range []commands.Request{
		{Command: domain.Bootstrap{Email: "v@vendor.example", Name: "V", TokenID: "t", TokenHash: strings.Repeat("0", 64)}},
		{By: vendor, Command: domain.RegisterPerson{Email: "a@example.com", Name: "A"}},
		{By: domain.Principal{Person: 2}, Command: domain.CreateCompany{Name: "Co"}},
		{By: vendor, Command: domain.IssueKey{Code: "ABCDE-12345", Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 5}}}},
		{By: domain.Principal{Person: 2}, Command: domain.RedeemKey{Code: "ABCDE-12345", Project: 1}},
	} {
		if _, err := w.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyExportImportRoundTrip(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	seedLog(t, src)
	out, err := runLedger(t, "verify", "--data-dir", src)
	if err != nil || !strings.Contains(out, "chain ok: 8 events") || !strings.Contains(out, "replay deterministic") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "log.ndjson")
	if out, err := runLedger(t, "export", "--data-dir", src, "-o", file); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if out, err := runLedger(t, "import", "--data-dir", dst, file); err != nil || !strings.Contains(out, "imported 8 events") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	a, _ := runLedger(t, "export", "--data-dir", src)
	b, _ := runLedger(t, "export", "--data-dir", dst)
	if a != b {
		t.Fatal("the imported log exports differently from the original")
	}
	if out, err := runLedger(t, "import", "--data-dir", dst, file); err == nil || !strings.Contains(out, "not empty") {
		t.Fatalf("import into a non-empty log: %v\n%s", err, out)
	}
}

func TestImportRefusesATamperedExport(t *testing.T) {
	src := t.TempDir()
	seedLog(t, src)
	file := filepath.Join(t.TempDir(), "log.ndjson")
	if out, err := runLedger(t, "export", "--data-dir", src, "-o", file); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(file)
	tampered := bytes.Replace(raw, []byte(`"quantity":5`), []byte(`"quantity":500`), 1)
	if bytes.Equal(raw, tampered) {
		t.Fatal("test data has no quantity to tamper with")
	}
	_ = os.WriteFile(file, tampered, 0o600)
	out, err := runLedger(t, "import", "--data-dir", t.TempDir(), file)
	if err == nil || !strings.Contains(out, "position 7") {
		t.Fatalf("tampered import: err %v, output %q; want a failure naming position 7", err, out)
	}
}

func TestVerifyNamesTheFirstBadPosition(t *testing.T) {
	dir := t.TempDir()
	seedLog(t, dir)
	// Change an event inside the bolt file, as an attacker with file access would.
	db, err := bbolt.Open(filepath.Join(dir, "ledger.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 7}
		v := bytes.Replace(b.Get(k), []byte(`"quantity":5`), []byte(`"quantity":6`), 1)
		return b.Put(k, v)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := runLedger(t, "verify", "--data-dir", dir)
	if err == nil || !strings.Contains(out, "position 7") {
		t.Fatalf("verify of a tampered log: err %v, output %q; want exit 1 naming position 7", err, out)
	}
}
