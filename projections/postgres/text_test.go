package postgres_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/innolic/ledger/catalog"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections/postgres"
	"github.com/innolic/ledger/projections/postgres/pgtest"
	"github.com/innolic/ledger/projections/projectiontest"
)

// TestStoredText: the documented form of text Postgres cannot hold.
func TestStoredText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"", ""},
		{"a\x00b", "a\uFFFDb"},
		{"\x01\x07\t\x1b\x1f\x7f\u0085", "\x01\x07\t\x1b\x1f\x7f\u0085"}, // other controls stay
		{"a\xff\xfeb", "a\uFFFD\uFFFDb"},                                 // each invalid byte, as encoding/json
		{"\xe2\x82", "\uFFFD\uFFFD"},                                     // a truncated sequence
		{"Räume \uFFFD", "Räume \uFFFD"},
	} {
		if got := postgres.StoredText(c.in); got != c.want {
			t.Errorf("StoredText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestStoredJSON: escapes jsonb refuses become U+FFFD, everything else of
// the document stays as it is, escaped backslashes included.
func TestStoredJSON(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":"b\u003c"}`, `{"a":"b\u003c"}`},
		{`{"a":"x\u0000y"}`, `{"a":"x` + "\uFFFD" + `y"}`},
		{`["\\u0000"]`, `["\\u0000"]`}, // a backslash, then the text u0000
		{`["\\\u0000"]`, `["\\` + "\uFFFD" + `"]`},
		{`["\ud83d\ude00"]`, `["\ud83d\ude00"]`}, // a pair
		{`["\ud800"]`, `["` + "\uFFFD" + `"]`},
		{`["\ud800\u0041"]`, `["` + "\uFFFD" + `\u0041"]`},
		{`["\udc00\ud800\udc00"]`, `["` + "\uFFFD" + `\ud800\udc00"]`},
		{`["\u0001\t"]`, `["\u0001\t"]`},
		{"[\"a\xffb\"]", "[\"a\uFFFDb\"]"},
		{`{"n":1}`, `{"n":1}`},
	} {
		if got := string(postgres.StoredJSON([]byte(c.in))); got != c.want {
			t.Errorf("StoredJSON(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestUnstorableTextCatchUp: a log holding U+0000, other controls, a lone
// surrogate and invalid UTF-8 projects through the bulk catch-up (rows
// and history by COPY) and through one event per batch (upserts) to the
// same rows, which hold the text in the documented form; a rebuild from
// the log writes them again the same.
func TestUnstorableTextCatchUp(t *testing.T) {
	store := projectiontest.Unstorable(t)
	ctx := context.Background()
	incremental := pgtest.Open(t)
	projectiontest.Feed(t, store, projector(t, incremental, store), 1)

	defer postgres.SetBulkMinEvents(1)()
	defer postgres.SetCopyMinRows(1)()
	db := pgtest.Open(t)
	if err := projector(t, db, store).CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	h, _ := store.Head(ctx)
	if got := checkpoint(t, db); got != h.Seq {
		t.Fatalf("checkpoint after the catch-up = %d, want the head %d", got, h.Seq)
	}
	want := dump(t, incremental)
	if got := dump(t, db); got != want {
		t.Fatalf("a bulk catch-up and one event per batch differ:\n%s", diff(want, got))
	}
	if err := postgres.Rebuild(ctx, db, store, catalog.Default(), nil); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db); got != want {
		t.Fatalf("a rebuild writes other rows:\n%s", diff(want, got))
	}
	for _, c := range []struct{ query, want string }{
		{"SELECT description FROM projects WHERE id = 1", "\uFFFD"},
		{"SELECT description FROM projects WHERE id = 2", "desc\uFFFD\x01\x07\t\x1b\x1f\x7f\u0085\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"SELECT name FROM projects WHERE id = 2", "Hotel\uFFFD"},
		{"SELECT name FROM companies WHERE id = 1", "Acme\uFFFD\x01\x07\t\x1b\x1f\x7f\u0085"},
		{"SELECT label FROM tokens WHERE token_id = 'tok-1'", "lap\uFFFDtop\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"SELECT ssa_mail->>'text' FROM projects WHERE id = 2", "Expires\uFFFDsoon \x01\x07\t\x1b\x1f\x7f\u0085\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"SELECT count(*)::text FROM order_devices WHERE order_number = 'ORD\uFFFD1'", "2"},
		{"SELECT data->>'description' FROM history WHERE type = 'ProjectDescribed'", "\uFFFD"},
		{"SELECT count(*)::text FROM history WHERE command LIKE '%\uFFFD\uFFFD'", strconv.FormatUint(h.Seq/3, 10)},
	} {
		var got string
		if err := db.Pool.QueryRow(ctx, c.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.query, got, c.want)
		}
	}
}

// BenchmarkStoredChecks measures what storing text costs a history row of
// ordinary text: the checks of its strings and payload (no allocation).
func BenchmarkStoredChecks(b *testing.B) {
	texts := []string{"KeyRedeemed", "17", "4", "api", "fill-123456", "Activation key redeemed: key BENCH-000001-1, company 1, project 2"}
	doc := []byte(`{"code":"BENCH-000001-1","project":2,"company":1,"lines":[{"item":{"type":"PBX-Port","version":13},"quantity":20},` +
		`{"item":{"type":"GVL-Purchase"},"quantity":1}],"comment":"\u003cfor\u003e the hotel \u0026 spa","order_number":"SO-2026-000123"}`)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			_ = postgres.StoredText(s)
		}
		_ = postgres.StoredJSON(doc)
	}
}

// TestStoredKeysCollide: two key codes the log tells apart whose stored
// forms are one ("KEY-\x00" and "KEY-\uFFFD") do not stop the projector,
// in one batch or in two, with the rows upserted or copied in: Postgres
// holds one row for both, the same in every case.
func TestStoredKeysCollide(t *testing.T) {
	s := projectiontest.NewScript(t)
	for i, code := range []string{"KEY-~NUL~", "KEY-\uFFFD", "KEY-~BAD~"} {
		s.Must(projectiontest.Vendor, domain.IssueKey{Code: code, Comment: strconv.Itoa(i),
			Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port", Version: 13}, Quantity: int64(i + 1)}}})
	}
	store := projectiontest.WithUnstorableText(t, s.Store)
	ctx := context.Background()
	h, _ := store.Head(ctx)
	var want string
	check := func(name string, db *postgres.DB) {
		t.Helper()
		if got := checkpoint(t, db); got != h.Seq {
			t.Fatalf("%s: checkpoint %d, want the head %d", name, got, h.Seq)
		}
		var n int
		if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM keys WHERE code LIKE 'KEY-%'").Scan(&n); err != nil || n != 2 {
			t.Fatalf("%s: %d keys (%v), want 2: KEY-\uFFFD and KEY-\uFFFD\uFFFD\uFFFD\uFFFD\n%s", name, n, err, dump(t, db))
		}
		if want == "" {
			want = dump(t, db)
		} else if got := dump(t, db); got != want {
			t.Fatalf("%s: tables differ:\n%s", name, diff(want, got))
		}
	}
	for _, size := range []int{1024, 1} {
		db := pgtest.Open(t)
		projectiontest.Feed(t, store, projector(t, db, store), size)
		check("batches of "+strconv.Itoa(size), db)
	}
	defer postgres.SetBulkMinEvents(1)()
	defer postgres.SetCopyMinRows(1)()
	db := pgtest.Open(t)
	if err := projector(t, db, store).CatchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check("bulk catch-up", db)
}
