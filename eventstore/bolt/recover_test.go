package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// errDiskFull is the injected commit failure.
var errDiskFull = errors.New("injected: no space left on device")

// commitFault makes the store's commits fail while fail is set: with
// written set, the commit reaches the file first (a failure in its last
// step, the fsync, say); else nothing is written.
type commitFault struct{ fail, written atomic.Bool }

func (f *commitFault) install(s *Store) {
	s.testCommit = func(tx *bbolt.Tx) error {
		switch {
		case !f.fail.Load():
			return tx.Commit()
		case f.written.Load():
			if err := tx.Commit(); err != nil {
				return err
			}
		default:
			_ = tx.Rollback()
		}
		return errDiskFull
	}
}

// acked is an acknowledged append: its last position and hash.
type acked struct {
	seq  uint64
	hash eventstore.Digest
}

// mustHave reopens the log at path and checks that every acknowledged
// append is there with its hash and that the chain verifies.
func mustHave(t *testing.T, path string, acks []acked) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopening the log: %v", err)
	}
	defer s.Close()
	for _, a := range acks {
		evs, err := s.Read(context.Background(), a.seq, 1)
		if err != nil || len(evs) != 1 || evs[0].Hash != a.hash {
			t.Fatalf("acknowledged position %d is not in the log as acknowledged: %v %v", a.seq, evs, err)
		}
	}
}

// TestFailedCommitRecovers fails commits: while they fail, appends fail
// (fast, with ErrUnavailable, while the store recovers) and Health says
// why; once the cause is gone the store takes appends again without a
// restart, and everything acknowledged is in the file.
func TestFailedCommitRecovers(t *testing.T) {
	s, path := openTemp(t, Options{})
	var fault commitFault
	fault.install(s)
	ctx := context.Background()
	envs, err := s.Append(ctx, 0, testEvents(3))
	if err != nil {
		t.Fatal(err)
	}
	acks := []acked{{3, envs[2].Hash}}
	fault.fail.Store(true)
	if _, err := s.Append(ctx, 3, testEvents(1)); !errors.Is(err, errDiskFull) {
		t.Fatalf("append with a failing commit = %v, want the failure", err)
	}
	if err := s.Health(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Health after a failed commit = %v, want the failure", err)
	}
	fast := 0
	for range 50 {
		_, err := s.Append(ctx, 3, testEvents(1))
		switch {
		case errors.Is(err, eventstore.ErrUnavailable):
			fast++
		case !errors.Is(err, errDiskFull):
			t.Fatalf("append while commits fail = %v", err)
		}
	}
	if fast == 0 {
		t.Fatal("no append was refused while the store recovered")
	}
	fault.fail.Store(false)
	waitFor(t, func() bool { return s.Health() == nil }, "the store recovers")
	envs, err = s.Append(ctx, 3, testEvents(2))
	if err != nil {
		t.Fatalf("append after the cause is gone: %v", err)
	}
	acks = append(acks, acked{5, envs[1].Hash})
	checkLog(t, s, 5)
	s.Close()
	mustHave(t, path, acks)
}

// TestFailedCommitThatReachedTheFile: a commit that fails in its last step
// may still be in the file. After the reopen the store's head and tag
// index are what the file holds, followers get the events, and an append
// at the old head is a conflict.
func TestFailedCommitThatReachedTheFile(t *testing.T) {
	s, _ := openTemp(t, Options{})
	var fault commitFault
	fault.install(s)
	ctx := context.Background()
	if _, err := s.Append(ctx, 0, testEvents(3)); err != nil {
		t.Fatal(err)
	}
	followed := make(chan uint64, 100)
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	go s.Follow(fctx, 1, func(e eventstore.Envelope) error { followed <- e.Seq; return nil })
	fault.fail.Store(true)
	fault.written.Store(true)
	if _, err := s.Append(ctx, 3, testEvents(2)); !errors.Is(err, errDiskFull) {
		t.Fatalf("append = %v, want the failure", err)
	}
	fault.fail.Store(false)
	waitFor(t, func() bool { return s.Health() == nil }, "the store recovers")
	if h, _ := s.Head(ctx); h.Seq != 5 {
		t.Fatalf("head after the reopen %d, want 5 (the failed commit reached the file)", h.Seq)
	}
	if evs, _ := s.ReadTag(ctx, "domain:test", 4, 10); len(evs) != 2 {
		t.Fatalf("tag index after the reopen has %d events from position 4, want 2", len(evs))
	}
	if _, err := s.Append(ctx, 3, testEvents(1)); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append at the old head = %v, want a conflict", err)
	}
	for want := uint64(1); want <= 5; want++ {
		if got := <-followed; got != want {
			t.Fatalf("follower got %d, want %d", got, want)
		}
	}
	checkLog(t, s, 5)
}

// TestWriterSurvivesFailedCommits runs the ledger's writer on the store
// while commits fail for a while: commands then fail with the retryable
// log-unavailable error, afterwards they succeed again without a restart,
// every acknowledged command is in the log, and the writer's state is the
// replay of the log.
func TestWriterSurvivesFailedCommits(t *testing.T) {
	s, path := openTemp(t, Options{})
	var fault commitFault
	fault.install(s)
	ctx := context.Background()
	w, err := commands.Open(ctx, s, catalog.Default(), commands.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var mu sync.Mutex
	var acks []acked
	issue := func(code string) error {
		res, err := w.Submit(ctx, commands.Request{By: domain.Principal{Person: 1, Vendor: true},
			Command: domain.IssueKey{Code: code, Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 1}}}})
		if err == nil {
			evs, rerr := s.Read(ctx, res.Last(), 1)
			if rerr != nil || len(evs) != 1 {
				return fmt.Errorf("reading acknowledged position %d: %v", res.Last(), rerr)
			}
			mu.Lock()
			acks = append(acks, acked{res.Last(), evs[0].Hash})
			mu.Unlock()
		}
		return err
	}
	if err := bootstrapWriter(ctx, w); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := issue(fmt.Sprintf("BEFORE-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	fault.fail.Store(true)
	for i := range 20 {
		err := issue(fmt.Sprintf("DURING-%d", i))
		if !errors.Is(err, commands.ErrRetryable) {
			t.Fatalf("command while commits fail = %v, want the retryable log-unavailable", err)
		}
	}
	fault.fail.Store(false)
	waitFor(t, func() bool { return s.Health() == nil }, "the store recovers")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for attempt := 0; ; attempt++ {
				err := issue(fmt.Sprintf("AFTER-%d", i))
				if err == nil {
					return
				}
				if !errors.Is(err, commands.ErrRetryable) || attempt > 50 {
					t.Errorf("command after recovery: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	replayed := domain.NewState(catalog.Default())
	h, _ := s.Head(ctx)
	if _, err := replay.Into(ctx, s, replayed, 1, h.Seq); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Fingerprint(), replayed.Fingerprint(); got != want {
		t.Fatalf("writer state %s differs from the replay of the log %s", got, want)
	}
	w.Close()
	s.Close()
	mustHave(t, path, acks)
}

// bootstrapWriter creates the vendor administrator (person 1).
func bootstrapWriter(ctx context.Context, w *commands.Writer) error {
	_, err := w.Submit(ctx, commands.Request{Actor: eventstore.Actor{Channel: eventstore.ChannelSystem},
		Command: domain.Bootstrap{Email: "admin@vendor.invalid", Name: "Admin", TokenID: "t", TokenHash: fmt.Sprintf("%064d", 0)}})
	return err
}

// TestDiskFullRecovers fills a small tmpfs through the store until a
// commit fails for want of space, then frees space: appends work again
// without a restart, and every acknowledged append is in the file when it
// is opened again. It needs mount (root); without it, it is skipped.
func TestDiskFullRecovers(t *testing.T) {
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", mnt).Run() })
	ballast := filepath.Join(mnt, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(mnt, "ledger.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var acks []acked
	var head uint64
	for {
		envs, err := s.Append(ctx, head, testEvents(20))
		if err != nil {
			t.Logf("after %d events: %v", head, err)
			break
		}
		head = envs[len(envs)-1].Seq
		acks = append(acks, acked{head, envs[len(envs)-1].Hash})
		if head > 100_000 {
			t.Fatal("the tmpfs never filled up")
		}
	}
	time.Sleep(500 * time.Millisecond) // several recovery attempts
	if s.Health() == nil {
		t.Fatal("the store reports itself healthy while the disk is still full")
	}
	if _, err := s.Append(ctx, head, testEvents(1)); err == nil {
		t.Fatal("an append worked while the disk is still full")
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Health() == nil }, "the store recovers once space is freed")
	for range 3 {
		envs, err := s.Append(ctx, head, testEvents(20))
		if err != nil {
			t.Fatalf("append after space was freed: %v", err)
		}
		head = envs[len(envs)-1].Seq
		acks = append(acks, acked{head, envs[len(envs)-1].Hash})
	}
	s.Close()
	mustHave(t, path, acks)
}
