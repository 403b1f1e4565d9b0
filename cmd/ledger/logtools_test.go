package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
	if exitStatus(err) != 1 || !strings.Contains(out, "position 7") {
		t.Fatalf("verify of a tampered log: err %v, output %q; want exit 1 naming position 7", err, out)
	}
}

// exitStatus is the exit status of a finished child, 0 if it succeeded.
func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// tamper changes the event at position 7 of the log in dir (a redemption
// of 5 licenses) inside the bolt file, as someone with file access would.
func tamper(t *testing.T, dir string) {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, "ledger.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := []byte{0, 0, 0, 0, 0, 0, 0, 7}
		return b.Put(k, bytes.Replace(b.Get(k), []byte(`"quantity":5`), []byte(`"quantity":6`), 1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// noCrash fails the test if a child's output shows a crash.
func noCrash(t *testing.T, out string) {
	t.Helper()
	for _, sign := range []string{"panic", "fatal error", "SIGSEGV", "SIGBUS", "unexpected fault", "goroutine "} {
		if strings.Contains(out, sign) {
			t.Fatalf("the ledger crashed (%q):\n%s", sign, out)
		}
	}
}

// TestVerifyExitCodes: 0 for a good log, 1 for a broken chain naming the
// position, 2 for a log that cannot be opened (missing, empty, damaged,
// locked by a running ledger); never a crash.
func TestVerifyExitCodes(t *testing.T) {
	good := t.TempDir()
	seedLog(t, good)
	tampered := t.TempDir()
	seedLog(t, tampered)
	tamper(t, tampered)
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "ledger.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := t.TempDir()
	seedLog(t, truncated)
	if err := os.Truncate(filepath.Join(truncated, "ledger.db"), 20000); err != nil {
		t.Fatal(err)
	}
	garbage := t.TempDir()
	seedLog(t, garbage)
	overwritePages(t, filepath.Join(garbage, "ledger.db"), 2)
	cases := []struct {
		name, dir string
		status    int
		says      string
	}{
		{"good", good, 0, "replay deterministic"},
		{"tampered", tampered, 1, "position 7"},
		{"missing", filepath.Join(t.TempDir(), "nothing-here"), 2, "no log file"},
		{"empty", empty, 2, "empty (0 bytes)"},
		{"truncated", truncated, 2, "truncated"},
		{"damaged page", garbage, 2, "damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runLedger(t, "verify", "--data-dir", tc.dir)
			noCrash(t, out)
			if exitStatus(err) != tc.status || !strings.Contains(out, tc.says) {
				t.Fatalf("verify: exit %d, output %q; want exit %d saying %q", exitStatus(err), out, tc.status, tc.says)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(cases[2].dir)); err == nil {
		t.Fatal("verify created the data directory of a missing log")
	}
}

// TestVerifyOfALockedLog: a log held by a running ledger cannot be
// verified (exit 2), rather than verified while it changes.
func TestVerifyOfALockedLog(t *testing.T) {
	dir := t.TempDir()
	seedLog(t, dir)
	store, err := app.OpenStore(context.Background(), app.StoreConfig{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out, err := runLedger(t, "verify", "--data-dir", dir)
	if exitStatus(err) != 2 || !strings.Contains(out, "in use by another process") {
		t.Fatalf("verify of a locked log: exit %d, output %q; want exit 2", exitStatus(err), out)
	}
}

// overwritePages writes garbage over every page of the bbolt file at path
// from page first on (pages of 16 KiB, the ledger's).
func overwritePages(t *testing.T, path string, first int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte{0xa5, 0x17, 0x3c, 0x00}, 4<<10)
	for off := first * 16 << 10; off < info.Size(); off += 16 << 10 {
		if _, err := f.WriteAt(garbage, off); err != nil {
			t.Fatal(err)
		}
	}
}

// TestServeRefusesATamperedLog: serve must not serve, nor append to, a log
// whose chain is broken; it exits with an error naming the position.
func TestServeRefusesATamperedLog(t *testing.T) {
	dir := t.TempDir()
	seedLog(t, dir)
	tamper(t, dir)
	out, err := runLedgerFor(t, 20*time.Second, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
	noCrash(t, out)
	if err == nil || strings.Contains(out, "ledger listening") || !strings.Contains(out, "position 7") {
		t.Fatalf("serve on a tampered log: err %v, output %q; want it to exit naming position 7", err, out)
	}
}

// TestServeRefusesADamagedFile: an empty or damaged file is an error and a
// non-zero exit, neither a new ledger nor a crash.
func TestServeRefusesADamagedFile(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "ledger.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := t.TempDir()
	seedLog(t, garbage)
	overwritePages(t, filepath.Join(garbage, "ledger.db"), 2)
	for _, dir := range []string{empty, garbage} {
		out, err := runLedgerFor(t, 20*time.Second, "serve", "--data-dir", dir, "--addr", "127.0.0.1:0")
		noCrash(t, out)
		if exitStatus(err) != 1 || strings.Contains(out, "ledger listening") {
			t.Fatalf("serve on a damaged file: err %v, output %q; want exit 1", err, out)
		}
	}
}

// runLedgerFor is runLedger with the child killed after d.
func runLedgerFor(t *testing.T, d time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), "LEDGER_RUN_MAIN=1", "LEDGER_ARGS="+strings.Join(args, " "))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// fileState is what a read-only command must leave as it was.
type fileState struct {
	sum   [32]byte
	mtime time.Time
	size  int64
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{sum: sha256.Sum256(b), mtime: info.ModTime(), size: info.Size()}
}

// TestVerifyAndExportDoNotWrite: verify and export open the log read-only,
// leaving its bytes and modification time as they were.
func TestVerifyAndExportDoNotWrite(t *testing.T) {
	dir := t.TempDir()
	seedLog(t, dir)
	path := filepath.Join(dir, "ledger.db")
	before := stateOf(t, path)
	time.Sleep(20 * time.Millisecond) // a write now would show in the mtime
	if out, err := runLedger(t, "verify", "--data-dir", dir); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if out, err := runLedger(t, "export", "--data-dir", dir, "-o", filepath.Join(t.TempDir(), "x.ndjson")); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if after := stateOf(t, path); after != before {
		t.Fatalf("verify and export changed the log file: %+v, was %+v", after, before)
	}
}

// TestVerifyOnAReadOnlyFileSystem mounts a tmpfs, puts a log on it and
// remounts it read-only: verify and export must work. It needs mount
// (root); without it, it is skipped.
func TestVerifyOnAReadOnlyFileSystem(t *testing.T) {
	src := t.TempDir()
	seedLog(t, src)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", mnt).Run() })
	b, err := os.ReadFile(filepath.Join(src, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "ledger.db"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount read-only: %v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(mnt, "probe"), nil, 0o600); err == nil {
		t.Fatal("the file system is still writable")
	}
	out, err := runLedger(t, "verify", "--data-dir", mnt)
	if err != nil || !strings.Contains(out, "chain ok: 8 events") {
		t.Fatalf("verify on a read-only file system: %v\n%s", err, out)
	}
	if out, err := runLedger(t, "export", "--data-dir", mnt, "-o", filepath.Join(t.TempDir(), "x.ndjson")); err != nil {
		t.Fatalf("export on a read-only file system: %v\n%s", err, out)
	}
}

// seedLongLog writes a history of more than n events into dir (without
// fsync, to be quick): more than one import batch of 1000.
func seedLongLog(t *testing.T, dir string, n int) {
	t.Helper()
	seedLog(t, dir)
	ctx := context.Background()
	store, err := app.OpenStore(ctx, app.StoreConfig{DataDir: dir, NoSync: true})
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
	for i := range n {
		key := domain.IssueKey{Code: fmt.Sprintf("SEED-%06d", i), Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 1}}}
		if _, err := w.Submit(ctx, commands.Request{By: vendor, Command: key}); err != nil {
			t.Fatal(err)
		}
	}
}

// exportLines exports the log in dir and returns its lines.
func exportLines(t *testing.T, dir string) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "log.ndjson")
	if out, err := runLedger(t, "export", "--data-dir", dir, "-o", file); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	return lines[:len(lines)-1] // after the last newline

}

// importLines writes lines to a file and imports it into dir.
func importLines(t *testing.T, dir string, lines []string) (string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "import.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return runLedger(t, "import", "--data-dir", dir, file)
}

// noLogIn fails the test if dir holds a log file or a leftover of one.
func noLogIn(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Fatalf("the failed import left %s in the data directory", e.Name())
	}
}

// TestExportEndsWithATrailer: the last line of an export names the last
// position, its hash and the count.
func TestExportEndsWithATrailer(t *testing.T) {
	dir := t.TempDir()
	seedLog(t, dir)
	lines := exportLines(t, dir)
	out, _ := runLedger(t, "verify", "--data-dir", dir)
	head := strings.Fields(out)[6] // chain ok: 8 events, head hash <hex>
	want := `{"trailer":{"last":8,"hash":"` + head + `","count":8}}` + "\n"
	if len(lines) != 9 || lines[8] != want {
		t.Fatalf("export ends with %q (%d lines); want %q", lines[len(lines)-1], len(lines), want)
	}
}

// TestImportRefusesAnIncompleteExport: an export cut short, or with an
// event left out, is refused and leaves nothing behind; the whole export
// then imports.
func TestImportRefusesAnIncompleteExport(t *testing.T) {
	src := t.TempDir()
	seedLog(t, src)
	lines := exportLines(t, src)
	n := len(lines)
	cases := map[string][]string{
		"no trailer":           lines[:n-1],
		"last events cut":      lines[:n-3],
		"last event left out":  append(slices.Clone(lines[:n-2]), lines[n-1]),
		"event after trailer":  append(slices.Clone(lines), lines[0]),
		"trailer of another":   append(slices.Clone(lines[:n-1]), strings.Replace(lines[n-1], `"count":8`, `"count":9`, 1)),
		"nothing but trailer":  lines[n-1:],
		"first event left out": lines[1:],
	}
	dst := t.TempDir()
	for name, cut := range cases {
		out, err := importLines(t, dst, cut)
		if err == nil || !strings.Contains(out, "import failed") {
			t.Fatalf("%s: import succeeded (%v): %s", name, err, out)
		}
		noLogIn(t, dst)
	}
	if out, err := importLines(t, dst, lines); err != nil || !strings.Contains(out, "imported 8 events") {
		t.Fatalf("import of the whole export: %v\n%s", err, out)
	}
}

// TestImportIsAllOrNothing: an export whose event 1200 was changed fails
// the import after more than a batch of 1000 events was appended; the
// data directory is left without a log, and the good export then imports.
func TestImportIsAllOrNothing(t *testing.T) {
	src := t.TempDir()
	seedLongLog(t, src, 1300)
	lines := exportLines(t, src)
	bad := slices.Clone(lines)
	bad[1199] = strings.Replace(bad[1199], `"quantity":1`, `"quantity":2`, 1)
	if bad[1199] == lines[1199] {
		t.Fatal("event 1200 has no quantity to change")
	}
	dst := t.TempDir()
	out, err := importLines(t, dst, bad)
	if err == nil || !strings.Contains(out, "position 1200") {
		t.Fatalf("import of a changed export: %v\n%s", err, out)
	}
	noLogIn(t, dst)
	if out, err := importLines(t, dst, lines); err != nil || !strings.Contains(out, fmt.Sprintf("imported %d events", len(lines)-1)) {
		t.Fatalf("import after a failed one: %v\n%s", err, out)
	}
	if out, err := runLedger(t, "verify", "--data-dir", dst); err != nil {
		t.Fatalf("verify of the imported log: %v\n%s", err, out)
	}
}
