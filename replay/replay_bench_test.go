package replay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/bolt"
	"github.com/innolic/ledger/replay"
)

// fill writes n realistic events (key issues of about 300 bytes each).
func fill(b *testing.B, s eventstore.Store, n int) {
	ctx := context.Background()
	boot, _ := json.Marshal(domain.PersonRegistered{Person: 1, Email: "v@x.y", Name: "V", Vendor: true})
	batch := []eventstore.Event{{ID: "0", Type: "PersonRegistered", Time: time.Unix(0, 0), Data: boot, Command: "c0"}}
	var head uint64
	for i := 1; i < n; i++ {
		code := fmt.Sprintf("BENCH-%08d", i)
		data, _ := json.Marshal(domain.KeyIssued{Code: code, OrderNumber: "SO-2026-000123", OrderReference: "customer reference",
			Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 20}}})
		batch = append(batch, eventstore.Event{ID: fmt.Sprint(i), Type: "ActivationKeyIssued", Time: time.Unix(int64(i), 0),
			Actor: eventstore.Actor{Person: "1", Vendor: true, Channel: "api"}, Command: fmt.Sprintf("cmd-%d", i),
			Digest: "0123456789abcdef0123456789abcdef", Tags: []string{domain.KeyTag(code)}, Data: data})
		if len(batch) == 1000 || i == n-1 {
			envs, err := s.Append(ctx, head, batch)
			if err != nil {
				b.Fatal(err)
			}
			head = envs[len(envs)-1].Seq
			batch = batch[:0]
		}
	}
}

// BenchmarkReplayBolt measures replay into a domain state from the
// embedded log through full envelopes (as projections and verify read
// it): read, decode in parallel, evolve.
func BenchmarkReplayBolt(b *testing.B) {
	benchReplay(b, func(s eventstore.Store, st *domain.State) error {
		_, err := replay.Into(context.Background(), s, st, 1, 0)
		return err
	})
}

// BenchmarkRangeLeanBolt measures the replay the writer starts with
// (without its idempotency table): scan and decode in parallel, evolve.
func BenchmarkRangeLeanBolt(b *testing.B) {
	benchReplay(b, func(s eventstore.Store, st *domain.State) error {
		return replay.RangeLean(context.Background(), s, 1, 0, func(recs []replay.Lean) error {
			for i := range recs {
				if err := st.Evolve(recs[i].Event); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func benchReplay(b *testing.B, run func(eventstore.Store, *domain.State) error) {
	const n = 200_000
	path := filepath.Join(b.TempDir(), "ledger.db")
	s, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, n)
	b.ResetTimer()
	for range b.N {
		if err := run(s, domain.NewState(catalog.Default())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecode measures payload decoding alone.
func BenchmarkDecode(b *testing.B) {
	data, _ := json.Marshal(domain.KeyIssued{Code: "BENCH-00000001", OrderNumber: "SO-2026-000123", OrderReference: "customer reference",
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: 20}}})
	for range b.N {
		if _, err := domain.DecodeEvent("ActivationKeyIssued", data); err != nil {
			b.Fatal(err)
		}
	}
}
