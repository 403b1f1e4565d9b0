package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/innolic/ledger/eventstore"
)

// closedLog writes n test events to a new log and returns its path, closed.
func closedLog(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for head := 0; head < n; head += 500 {
		evs := testEvents(min(500, n-head))
		for i := range evs {
			evs[i].ID = fmt.Sprintf("ev-%d", head+i+1) // the position it gets
		}
		if _, err := s.Append(context.Background(), uint64(head), evs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// edit returns a change of the record at seq that replaces old by new.
func edit(seq uint64, old, new string) func(*bbolt.Bucket) error {
	return func(b *bbolt.Bucket) error {
		v := b.Get(key(seq))
		w := bytes.Replace(v, []byte(old), []byte(new), 1)
		if bytes.Equal(v, w) {
			return fmt.Errorf("record %d has no %q", seq, old)
		}
		return b.Put(key(seq), w)
	}
}

// flipAfter returns a change of the record at seq that changes the hex
// digit after the first occurrence of marker.
func flipAfter(seq uint64, marker string) func(*bbolt.Bucket) error {
	return func(b *bbolt.Bucket) error {
		v := bytes.Clone(b.Get(key(seq)))
		i := bytes.Index(v, []byte(marker)) + len(marker)
		v[i] = "10"[min(1, int(v[i]-'0'))]
		return b.Put(key(seq), v)
	}
}

// TestOpenVerifiesTheWholeChain changes records in the middle of a log,
// keeping their form, as someone with access to the file would: Open must
// refuse the log with a ChainError naming the first changed position. A
// record in another form than this package writes, with the right hash,
// is still taken.
func TestOpenVerifiesTheWholeChain(t *testing.T) {
	const n = 1200
	cases := []struct {
		name    string
		changes []func(*bbolt.Bucket) error
		bad     uint64 // 0: Open must work
		reason  string
	}{
		{"id", []func(*bbolt.Bucket) error{edit(37, `"ev-37"`, `"ev-X7"`)}, 37, "hash does not match"},
		{"payload", []func(*bbolt.Bucket) error{edit(700, `{"i":1}`, `{"i":2}`)}, 700, "hash does not match"},
		{"prev", []func(*bbolt.Bucket) error{flipAfter(20, `"prev":"`)}, 20, "prev does not match"},
		{"first of two", []func(*bbolt.Bucket) error{edit(1100, `"ev-1100"`, `"ev-1101"`), edit(400, `{"i":1}`, `{"i":3}`)}, 400, ""},
		{"the first", []func(*bbolt.Bucket) error{edit(1, `"ev-1"`, `"ev-0"`)}, 1, ""},
		{"the last", []func(*bbolt.Bucket) error{edit(n, `"channel"`, `"chanel"`)}, n, ""},
		{"other form", []func(*bbolt.Bucket) error{edit(10, `{"seq":10,`, `{"seq": 10,`)}, 0, ""},
		{"other form changed", []func(*bbolt.Bucket) error{edit(10, `{"seq":10,`, `{"seq": 10,`), edit(10, `{"i":1}`, `{"i":4}`)}, 10, "hash does not match"},
		{"unreadable", []func(*bbolt.Bucket) error{edit(99, `"data":{`, `"data":[`)}, 99, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := closedLog(t, n)
			for _, change := range tc.changes {
				damage(t, path, change)
			}
			s, err := Open(path, Options{})
			if tc.bad == 0 {
				if err != nil {
					t.Fatalf("Open refused a log with a valid chain: %v", err)
				}
				checkLog(t, s, n)
				s.Close()
				return
			}
			var ce *eventstore.ChainError
			if !errors.As(err, &ce) || ce.Seq != tc.bad || !bytes.Contains([]byte(ce.Reason), []byte(tc.reason)) {
				if err == nil {
					s.Close()
				}
				t.Fatalf("Open = %v; want a ChainError at position %d (%q)", err, tc.bad, tc.reason)
			}
		})
	}
}

// TestOpenVerifiesOnOneCore runs the verification on the scan's own
// goroutine, as it does with GOMAXPROCS=1.
func TestOpenVerifiesOnOneCore(t *testing.T) {
	path := closedLog(t, 3000)
	damage(t, path, edit(2500, `{"i":1}`, `{"i":2}`))
	defer runtimeProcs(1)()
	_, err := Open(path, Options{})
	var ce *eventstore.ChainError
	if !errors.As(err, &ce) || ce.Seq != 2500 {
		t.Fatalf("Open = %v; want a ChainError at position 2500", err)
	}
}

// runtimeProcs sets GOMAXPROCS and returns what restores it.
func runtimeProcs(n int) func() {
	old := runtime.GOMAXPROCS(n)
	return func() { runtime.GOMAXPROCS(old) }
}
