package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/storetest"
)

// envTestDir carries the directory of the test logs to crash children, so
// that a log name means the same file in both processes.
const envTestDir = "LEDGER_BOLT_TEST_DIR"

// TestMain creates the directory for the test logs (unless a parent test
// process passed its own) and removes it afterwards.
func TestMain(m *testing.M) {
	if os.Getenv(envTestDir) != "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ledger-bolt-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv(envTestDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logPath is the file of the test log name.
func logPath(name string) string {
	return filepath.Join(os.Getenv(envTestDir), name+".db")
}

// factory opens test logs with fsync on, as in production.
func factory(t testing.TB, name string) eventstore.Store {
	s, err := Open(logPath(name), Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, factory) }

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test kills child processes; skipped with -short")
	}
	storetest.RunCrash(t, factory, "TestCrashChild")
}

// TestCrashChild is the process TestCrash starts and kills; run on its own
// it does nothing.
func TestCrashChild(t *testing.T) { storetest.CrashChild(t, factory) }

// openTemp opens a log in a fresh directory and closes it after the test.
func openTemp(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

// testEvents builds n small events.
func testEvents(n int) []eventstore.Event {
	evs := make([]eventstore.Event, n)
	for i := range evs {
		evs[i] = eventstore.Event{
			ID: fmt.Sprintf("ev-%d", i), Type: "test.event", Time: time.Unix(1700000000, int64(i)).UTC(),
			Actor: eventstore.Actor{Channel: eventstore.ChannelSystem}, Command: "cmd",
			Tags: []string{"domain:test"}, Data: []byte(`{"i":1}`),
		}
	}
	return evs
}

// holdCommits makes the committer block inside its next write transaction
// until the returned release is called; entered is closed once it blocks.
func holdCommits(s *Store) (entered <-chan struct{}, release func()) {
	in, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.testBefore = func() error {
		once.Do(func() { close(in); <-gate })
		return nil
	}
	return in, func() { close(gate) }
}

// TestGroupCommitMerges holds one commit in flight while many callers
// append batches whose expected heads chain (in scrambled order); they
// must all succeed in a single further transaction.
func TestGroupCommitMerges(t *testing.T) {
	const callers = 50
	s, _ := openTemp(t, Options{})
	entered, release := holdCommits(s)
	first := make(chan error, 1)
	go func() { _, err := s.Append(context.Background(), 0, testEvents(1)); first <- err }()
	<-entered
	errs := make(chan error, callers)
	for i := range callers {
		expected := uint64(1 + (i*17)%callers) // a permutation of 1..callers
		go func() { _, err := s.Append(context.Background(), expected, testEvents(1)); errs <- err }()
	}
	waitFor(t, func() bool { return s.queued() == callers }, "all callers queued")
	before := s.commits.Load()
	release()
	if err := <-first; err != nil {
		t.Fatalf("first append: %v", err)
	}
	for range callers {
		if err := <-errs; err != nil {
			t.Fatalf("chained append: %v", err)
		}
	}
	if got := s.commits.Load() - before; got != 2 {
		t.Fatalf("%d transactions for the held commit plus %d queued appends, want 2", got, callers)
	}
	checkLog(t, s, callers+1)
}

// TestGroupCommitConflictsAlone puts conflicting and chaining requests in
// one group: the conflicting ones fail with a ConflictError, the others are
// written.
func TestGroupCommitConflictsAlone(t *testing.T) {
	s, _ := openTemp(t, Options{})
	entered, release := holdCommits(s)
	go s.Append(context.Background(), 0, testEvents(2))
	<-entered
	type result struct {
		expected uint64
		err      error
	}
	// Sorted, the group is 2 (wins, head 5), 2 (conflict at 5), 5 (wins,
	// head 8), 9 (conflict at 8).
	expected := []uint64{9, 2, 5, 2}
	res := make(chan result, len(expected))
	for _, exp := range expected {
		go func() { _, err := s.Append(context.Background(), exp, testEvents(3)); res <- result{exp, err} }()
	}
	waitFor(t, func() bool { return s.queued() == len(expected) }, "requests queued")
	release()
	wins := map[uint64]int{}
	for range expected {
		r := <-res
		var ce *eventstore.ConflictError
		switch {
		case r.err == nil:
			wins[r.expected]++
		case !errors.As(r.err, &ce):
			t.Fatalf("append at %d: %v, want success or conflict", r.expected, r.err)
		case ce.Actual != map[uint64]uint64{2: 5, 9: 8}[r.expected]:
			t.Fatalf("append at %d: conflict with actual head %d", r.expected, ce.Actual)
		}
	}
	if wins[2] != 1 || wins[5] != 1 || len(wins) != 2 {
		t.Fatalf("winners by expected head: %v, want one at 2 and one at 5", wins)
	}
	checkLog(t, s, 8)
}

// TestFailedTransactionWritesNothing fails a group's transaction: every
// request in it fails, the head and tag index are unchanged, and the log
// takes appends at the old head afterwards.
func TestFailedTransactionWritesNothing(t *testing.T) {
	s, _ := openTemp(t, Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, 0, testEvents(2)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("injected write failure")
	entered, release := holdCommits(s)
	held := make(chan error, 1)
	go func() { _, err := s.Append(ctx, 2, testEvents(1)); held <- err }()
	<-entered
	errs := make(chan error, 2)
	for _, exp := range []uint64{3, 4} {
		go func() { _, err := s.Append(ctx, exp, testEvents(1)); errs <- err }()
	}
	waitFor(t, func() bool { return s.queued() == 2 }, "requests queued")
	s.testBefore = func() error { return boom }
	release()
	if err := <-held; err != nil {
		t.Fatalf("held append: %v", err)
	}
	for range 2 {
		if err := <-errs; !errors.Is(err, boom) {
			t.Fatalf("append in failed transaction returned %v, want the write failure", err)
		}
	}
	s.testBefore = nil
	if got, _ := s.ReadTag(ctx, "domain:test", 1, 100); len(got) != 3 {
		t.Fatalf("tag index has %d events after the failed transaction, want 3", len(got))
	}
	if _, err := s.Append(ctx, 3, testEvents(2)); err != nil {
		t.Fatalf("append at the old head after a failed transaction: %v", err)
	}
	checkLog(t, s, 5)
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkLog verifies the chain of the whole log and that it has n events.
func checkLog(t *testing.T, s *Store, n int) {
	t.Helper()
	evs, err := s.Read(context.Background(), 1, n+10)
	if err != nil {
		t.Fatal(err)
	}
	v := eventstore.NewVerifier(eventstore.Head{})
	for i := range evs {
		if err := v.Check(&evs[i]); err != nil {
			t.Fatalf("chain: %v", err)
		}
	}
	if len(evs) != n {
		t.Fatalf("log has %d events, want %d", len(evs), n)
	}
	if h, _ := s.Head(context.Background()); h != v.Head() {
		t.Fatalf("head %d, chain verifies to %d", h.Seq, v.Head().Seq)
	}
}

// TestEmptyBatch pins down this adapter's choice: an empty batch at the
// head is a no-op, at any other position a conflict.
func TestEmptyBatch(t *testing.T) {
	s, _ := openTemp(t, Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, 0, testEvents(3)); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Append(ctx, 3, nil); err != nil || out != nil {
		t.Fatalf("empty append at the head = %v, %v; want nil, nil", out, err)
	}
	for _, exp := range []uint64{2, 4} {
		_, err := s.Append(ctx, exp, []eventstore.Event{})
		var ce *eventstore.ConflictError
		if !errors.As(err, &ce) || ce.Expected != exp || ce.Actual != 3 {
			t.Fatalf("empty append at %d = %v, want a conflict with actual 3", exp, err)
		}
	}
	checkLog(t, s, 3)
}

// TestCancelledAppendWritesNothing checks that a context that has ended
// stops an append before anything is written.
func TestCancelledAppendWritesNothing(t *testing.T) {
	s, _ := openTemp(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Append(ctx, 0, testEvents(2)); !errors.Is(err, context.Canceled) {
		t.Fatalf("append with a cancelled context = %v, want context.Canceled", err)
	}
	checkLog(t, s, 0)
}

// TestInvalidPayloadFailsAlone checks that an event whose payload is not
// JSON fails its own append and nobody else's.
func TestInvalidPayloadFailsAlone(t *testing.T) {
	s, _ := openTemp(t, Options{})
	bad := testEvents(2)
	bad[1].Data = []byte(`{"unterminated":`)
	if _, err := s.Append(context.Background(), 0, bad); err == nil {
		t.Fatal("append of a payload that is not JSON succeeded")
	}
	if _, err := s.Append(context.Background(), 0, testEvents(2)); err != nil {
		t.Fatalf("append after a rejected one: %v", err)
	}
	checkLog(t, s, 2)
}

// damage opens the file at path directly with bbolt and lets fn change the
// events bucket.
func damage(t *testing.T, path string, fn func(b *bbolt.Bucket) error) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { return fn(tx.Bucket(bucketName)) }); err != nil {
		t.Fatal(err)
	}
}

// TestOpenRejectsDamage checks the cheap checks of Open: a gap in the
// positions, a record at the wrong key, and a last record that does not
// decode or does not match its hash all fail Open.
func TestOpenRejectsDamage(t *testing.T) {
	cases := map[string]func(b *bbolt.Bucket) error{
		"gap":       func(b *bbolt.Bucket) error { return b.Delete(key(2)) },
		"wrong key": func(b *bbolt.Bucket) error { return b.Put(key(3), b.Get(key(2))) },
		"torn last": func(b *bbolt.Bucket) error {
			return b.Put(key(4), append([]byte(nil), b.Get(key(4))[:40]...))
		},
		"edited last": func(b *bbolt.Bucket) error {
			v := bytes.Replace(b.Get(key(4)), []byte(`"ev-3"`), []byte(`"ev-X"`), 1)
			return b.Put(key(4), v)
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ledger.db")
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Append(context.Background(), 0, testEvents(4)); err != nil {
				t.Fatal(err)
			}
			s.Close()
			damage(t, path, fn)
			if s, err := Open(path, Options{}); err == nil {
				s.Close()
				t.Fatalf("Open accepted a log with a %s", name)
			}
		})
	}
}

// TestConcurrentRetry has many goroutines append with retry on conflict:
// every event must land exactly once and the chain must hold.
func TestConcurrentRetry(t *testing.T) {
	const goroutines, each = 32, 10
	s, _ := openTemp(t, Options{NoSync: true})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				ev := testEvents(1)[0]
				ev.ID = fmt.Sprintf("g%d-%d", g, i)
				if err := retryAppend(s, ev); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	checkLog(t, s, goroutines*each)
	evs, _ := s.Read(context.Background(), 1, goroutines*each)
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Fatalf("event %s written twice", e.ID)
		}
		seen[e.ID] = true
	}
}

// enqueue calls Enqueue and returns a wait for its outcome.
func enqueue(s *Store, expected uint64, evs []eventstore.Event) func() ([]eventstore.Envelope, error) {
	return s.enqueueWait(context.Background(), expected, evs)
}

// sealedByCaller reports whether every queued request was sealed by its
// caller, so that the committer has no hashing left to do.
func (s *Store) sealedByCaller() bool {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	for _, r := range s.queue {
		if r.batch == nil {
			return false
		}
	}
	return true
}

// TestEnqueueChainsWhileCommitting: appends enqueued one after another
// while a commit is in flight are sealed by their callers on the end of
// the queue, not left to the committer, and are written in one further
// transaction.
func TestEnqueueChainsWhileCommitting(t *testing.T) {
	s, _ := openTemp(t, Options{})
	entered, release := holdCommits(s)
	held := enqueue(s, 0, testEvents(2))
	<-entered
	var waits []func() ([]eventstore.Envelope, error)
	for exp := uint64(2); exp < 10; exp += 2 {
		waits = append(waits, enqueue(s, exp, testEvents(2)))
	}
	if n := s.queued(); n != 4 || !s.sealedByCaller() {
		t.Fatalf("%d requests queued, sealed by their callers: %v; want 4, true", n, s.sealedByCaller())
	}
	before := s.commits.Load()
	release()
	if _, err := held(); err != nil {
		t.Fatal(err)
	}
	for i, wait := range waits {
		envs, err := wait()
		if err != nil || envs[0].Seq != uint64(3+2*i) {
			t.Fatalf("chained append %d: %v, %v", i, envs, err)
		}
	}
	if got := s.commits.Load() - before; got != 2 {
		t.Fatalf("%d transactions for the held one and four chained appends, want 2", got)
	}
	checkLog(t, s, 10)
}

// TestEnqueueFailedPredecessorFailsChained: a transaction fails while an
// append chained after it waits for the next one. The chained append must
// fail too, nothing of either is written, and the next append at the
// committed head is sealed by its caller again.
func TestEnqueueFailedPredecessorFailsChained(t *testing.T) {
	s, _ := openTemp(t, Options{})
	ctx := context.Background()
	if _, err := s.Append(ctx, 0, testEvents(2)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("injected write failure")
	in, gate := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.testBefore = func() error {
		failed := false
		once.Do(func() { close(in); <-gate; failed = true })
		if failed {
			return boom
		}
		return nil
	}
	first := enqueue(s, 2, testEvents(1))
	<-in
	chained := enqueue(s, 3, testEvents(1))
	if !s.sealedByCaller() {
		t.Fatal("the chained append was not sealed by its caller")
	}
	close(gate)
	if _, err := first(); !errors.Is(err, boom) {
		t.Fatalf("first append: %v, want the write failure", err)
	}
	if _, err := chained(); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("chained append: %v, want a conflict (its predecessor was not written)", err)
	}
	checkLog(t, s, 2)
	entered, release := holdCommits(s)
	go s.Append(ctx, 2, testEvents(1))
	<-entered
	next := enqueue(s, 3, testEvents(1))
	if !s.sealedByCaller() {
		t.Fatal("after the failure, an append at the end of the queue is no longer sealed by its caller")
	}
	release()
	if _, err := next(); err != nil {
		t.Fatal(err)
	}
	checkLog(t, s, 4)
}

// TestGatherJoinsAppendsTheAnswersCause: a caller answered by one
// transaction appends again at once (as the writer's callers do), and says
// so through GatherWhile. While a transaction is held, one append waits in
// the queue; the held append's answer makes a goroutine append once more.
// The committer must wait for that append, so both share one transaction.
func TestGatherJoinsAppendsTheAnswersCause(t *testing.T) {
	for range 5 {
		s, _ := openTemp(t, Options{NoSync: true})
		var coming atomic.Bool
		s.GatherWhile(coming.Load)
		entered, release := holdCommits(s)
		answered := make(chan struct{})
		s.Enqueue(context.Background(), 0, testEvents(1), func(_ []eventstore.Envelope, err error) {
			if err == nil {
				close(answered)
			}
		})
		<-entered
		waiting := enqueue(s, 1, testEvents(1))
		again := make(chan func() ([]eventstore.Envelope, error), 1)
		go func() {
			<-answered
			// Deciding takes a while (time.Sleep is too coarse for this).
			for start := time.Now(); time.Since(start) < 100*time.Microsecond; {
				runtime.Gosched()
			}
			again <- enqueue(s, 2, testEvents(1))
			coming.Store(false)
		}()
		coming.Store(true)
		time.Sleep(100 * time.Millisecond) // a long transaction allows a long wait, even on a loaded machine
		before := s.commits.Load()
		release()
		if _, err := waiting(); err != nil {
			t.Fatal(err)
		}
		if _, err := (<-again)(); err != nil {
			t.Fatal(err)
		}
		if got := s.commits.Load() - before; got != 2 {
			t.Fatalf("%d transactions for the held append and the two after it, want 2", got)
		}
		checkLog(t, s, 3)
	}
}
