package projectiontest_test

import (
	"context"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections/memory"
	"github.com/innolic/ledger/projections/projectiontest"
	"github.com/innolic/ledger/replay"
)

// TestCloneEvolvesIndependently: a memory model copied halfway through a
// random log and fed the rest answers every query like a model fed the
// whole log, and the model it was copied from still answers like a model
// fed only the first half (the copy shares nothing that changes).
func TestCloneEvolvesIndependently(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	s := projectiontest.Random(t, seed, 200)
	recs := projectiontest.Records(t, s.Store)
	k := len(recs) / 2
	feed := func(m *memory.Model, recs []replay.Record) *memory.Model {
		t.Helper()
		if err := m.Apply(context.Background(), recs); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cat := catalog.Default()
	whole := feed(memory.New(cat), recs)
	half := feed(memory.New(cat), recs[:k])
	halfAgain := feed(memory.New(cat), recs[:k])
	copied := feed(half.Clone(), recs[k:])

	args := projectiontest.ArgsFor(t, s.Store)
	projectiontest.Compare(t, args, whole, copied)
	projectiontest.Compare(t, args, halfAgain, half)
	if copied.Position() != whole.Position() || half.Position() != halfAgain.Position() {
		t.Fatalf("positions: copy %d want %d, original %d want %d", copied.Position(), whole.Position(), half.Position(), halfAgain.Position())
	}
}

// TestStateSharesNothing: no pointer, map or slice array is reachable from
// two places of the state. The memory model's Clone copies each reference
// on its own (the fast mode of go-clone), which is exact only then.
func TestStateSharesNothing(t *testing.T) {
	s := projectiontest.Random(t, uint64(time.Now().UnixNano()), 300)
	st := domain.NewState(catalog.Default())
	for _, r := range projectiontest.Records(t, s.Store) {
		if err := st.Evolve(r.Event); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[uintptr]string{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Type() {
		case reflect.TypeFor[*domain.Catalog](), reflect.TypeFor[time.Time](), reflect.TypeFor[decimal.Decimal](), reflect.TypeFor[*big.Int]():
			return // shared on purpose: never changed in place
		}
		ref := func() bool {
			if v.IsNil() || v.Kind() == reflect.Slice && v.Cap() == 0 {
				return false
			}
			if other, dup := seen[v.Pointer()]; dup {
				t.Fatalf("%s and %s share %s", other, path, v.Type())
			}
			seen[v.Pointer()] = path
			return true
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.Kind() == reflect.Interface || ref() {
				if !v.IsNil() {
					walk(v.Elem(), path)
				}
			}
		case reflect.Map:
			if ref() {
				for it := v.MapRange(); it.Next(); {
					walk(it.Value(), path+"["+reflect.ValueOf(it.Key().Interface()).String()+"]")
				}
			}
		case reflect.Slice:
			if ref() {
				for i := range v.Len() {
					walk(v.Index(i), path+"[]")
				}
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	}
	walk(reflect.ValueOf(st), "state")
	if len(seen) < 100 {
		t.Fatalf("walked only %d references: the scenario or the walk is wrong", len(seen))
	}
}

// BenchmarkCloneVersusReplay compares copying a model with replaying the
// log it was built from: as-of queries start from a copy when one exists.
func BenchmarkCloneVersusReplay(b *testing.B) {
	s := projectiontest.Random(b, 1, 3000)
	recs := projectiontest.Records(b, s.Store)
	m := memory.New(catalog.Default())
	if err := m.Apply(context.Background(), recs); err != nil {
		b.Fatal(err)
	}
	b.Run("clone", func(b *testing.B) {
		for b.Loop() {
			m.Clone()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/event")
	})
	b.Run("replay", func(b *testing.B) {
		for b.Loop() {
			if err := memory.New(catalog.Default()).Apply(context.Background(), recs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/event")
	})
}
