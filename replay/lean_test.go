package replay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
	"github.com/innolic/ledger/eventstore/memstore"
	"github.com/innolic/ledger/replay"
)

// keyEvents appends n key issues, some commands writing two events and
// some with ids the bolt fast parser hands to encoding/json.
func keyEvents(t *testing.T, s eventstore.Store, n int) {
	ctx := context.Background()
	var batch []eventstore.Event
	head := uint64(0)
	for i := range n {
		data, _ := json.Marshal(domain.KeyIssued{Code: fmt.Sprintf("K-%d", i), Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: int64(i)}}})
		cmd := fmt.Sprintf("cmd-%d", i-i%3/2) // pairs of events share a command
		if i%7 == 0 {
			cmd = fmt.Sprintf(`cmd "%d"`, i) // escaped: the slow path
		}
		batch = append(batch, eventstore.Event{ID: fmt.Sprint(i), Type: "ActivationKeyIssued", Time: time.Unix(int64(i), 0),
			Actor: eventstore.Actor{Person: fmt.Sprint(i % 4), Channel: []string{"api", "interface"}[i%2]}, Command: cmd,
			Digest: fmt.Sprintf("d%d", i%5), Data: data})
		if len(batch) == 500 || i == n-1 {
			envs, err := s.Append(ctx, head, batch)
			if err != nil {
				t.Fatal(err)
			}
			head, batch = envs[len(envs)-1].Seq, nil
		}
	}
}

// TestRangeLeanMatchesRange holds the lean replay to the full one, on the
// embedded log (its Scanner) and on the memory log (envelopes), over
// several batches so that reused batches are checked too.
func TestRangeLeanMatchesRange(t *testing.T) {
	b, err := bolt.Open(filepath.Join(t.TempDir(), "l.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n := 5*replay.BatchSize + 17
	for name, s := range map[string]eventstore.Store{"bolt": b, "memstore": memstore.New()} {
		keyEvents(t, s, n)
		for _, r := range [][2]uint64{{0, 0}, {1, uint64(n)}, {2, 2}, {100, uint64(3 * replay.BatchSize)}} {
			var want, got []replay.Lean
			err := replay.Range(context.Background(), s, r[0], r[1], func(recs []replay.Record) error {
				for _, rec := range recs {
					want = append(want, replay.Lean{Seq: rec.Env.Seq, Command: []byte(rec.Env.Command),
						Digest: []byte(rec.Env.Digest), Person: []byte(rec.Env.Actor.Person),
						Channel: []byte(rec.Env.Actor.Channel), Hash: rec.Env.Hash, Event: rec.Event})
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = replay.RangeLean(context.Background(), s, r[0], r[1], func(recs []replay.Lean) error {
				for _, rec := range recs {
					rec.Command, rec.Digest = append([]byte{}, rec.Command...), append([]byte{}, rec.Digest...)
					rec.Person, rec.Channel = append([]byte{}, rec.Person...), append([]byte{}, rec.Channel...)
					got = append(got, rec)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s %v: %v", name, r, err)
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("%s %v: %d records, want %d", name, r, len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("%s %v: record %d is\n%+v\nwant\n%+v", name, r, i, got[i], want[i])
				}
			}
		}
	}
}

// TestRangeLeanErrors: an unknown event type names its position, and the
// consumer's error ends the replay.
func TestRangeLeanErrors(t *testing.T) {
	s := memstore.New()
	keyEvents(t, s, 3000)
	if _, err := s.Append(context.Background(), 3000, []eventstore.Event{{ID: "x", Type: "NoSuchEvent", Time: time.Unix(0, 0),
		Actor: eventstore.Actor{Channel: "api"}, Command: "c", Data: json.RawMessage(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	err := replay.RangeLean(context.Background(), s, 1, 0, func([]replay.Lean) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "position 3001") {
		t.Fatalf("replay of an unknown type: %v", err)
	}
	stop := fmt.Errorf("stop")
	calls := 0
	err = replay.RangeLean(context.Background(), s, 1, 2000, func([]replay.Lean) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Fatalf("consumer error: %d calls, %v", calls, err)
	}
}
