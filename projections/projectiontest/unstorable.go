package projectiontest

import (
	"bytes"
	"context"
	"testing"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/eventstore/memstore"
)

// The placeholders Unstorable writes through the commands, and what it
// puts in their place in the log: U+0000 and other C0 controls as JSON
// escapes, a lone surrogate escape, and bytes that are not UTF-8.
var unstorable = []struct{ mark, raw string }{
	{"~NUL~", `\u0000`},
	{"~C0~", `\u0001\u0007\t\u001b\u001f\u007f` + "\u0085"},
	{"~SUR~", `\ud800`},
	{"~BAD~", "\xff\xfe\xe2\x82"},
}

// Unstorable builds a log whose text Postgres cannot hold as it is: the
// scenario runs through the real writer with placeholders in names,
// descriptions, comments, labels, order numbers, mail texts and command
// ids, and is then copied event by event into a second log with the
// placeholders replaced by U+0000, other C0 controls, a lone surrogate and
// invalid UTF-8. That is the log an API which accepted such text (before
// it refused it) may have left behind; the copy bypasses every validation.
func Unstorable(t testing.TB) *memstore.Store {
	t.Helper()
	s := NewScript(t)
	ann := domain.Principal{Person: 2}
	s.Must(Vendor, domain.RegisterPerson{Email: "ann@acme.example", Name: "Ann~NUL~Admin"})
	s.Must(Vendor, domain.IssueToken{Person: 2, TokenID: "tok-1", TokenHash: TokenHash("tok-1"), Label: "lap~NUL~top~BAD~"})
	s.Must(ann, domain.CreateCompany{Name: "Acme~NUL~~C0~"})                                             // company 1, project 1
	s.Must(ann, domain.CreateProject{Company: 1, Name: "Hotel~SUR~", Description: "desc~NUL~~C0~~BAD~"}) // 2
	s.Must(ann, domain.DescribeProject{Project: 1, Description: "~NUL~"})
	s.Must(ann, domain.SetSSAMailSettings{Project: 2, SSAMailSettings: domain.SSAMailSettings{
		EndUsers: []string{"it@customer.example"}, Text: "Expires~NUL~soon ~C0~~SUR~~BAD~"}})
	s.Must(Vendor, domain.IssueKey{Code: "KEY-1", Lines: []domain.Line{line("PBX-Port", 13, 10), line("SSC", 0, 2000)},
		OrderNumber: "O~NUL~1", OrderReference: "ref~BAD~", Comment: "c~C0~"})
	s.Must(ann, domain.RedeemKey{Code: "KEY-1", Project: 2, Comment: "for~NUL~Hotel"})
	s.Must(ann, domain.CreateOwnKey{Project: 2, Code: "OWN-1", Lines: []domain.Line{line("PBX-Port", 13, 1)},
		OrderNumber: "own~NUL~", Comment: "mine~SUR~"})
	s.Must(Vendor, domain.RegisterDevices{OrderNumber: "ORD~NUL~1", Delivered: "2026-11-01",
		Devices: []domain.RegistryEntry{{MAC: "00-90-33-00-00-01", Type: "IP811"}, {MAC: "00-90-33-00-00-02", Type: "IP811"}}})
	s.Must(ann, domain.AddDevices{Project: 2, MACs: []string{"00-90-33-00-00-01", "00-90-33-00-00-02"}})
	s.Must(ann, domain.ChangeDevice{Company: 1, MAC: "00-90-33-00-00-01", Name: "PBX~NUL~", Comment: "Keller~C0~~BAD~"})
	s.Must(ann, domain.BindLicenses{Project: 2, MAC: "00-90-33-00-00-01", Version: 13,
		Lines: []domain.Line{{Item: domain.Item{Type: "PBX-Port"}, Quantity: 2}}})
	s.Must(ann, domain.ExtendProjectSSA{Project: 2, End: domain.MustDay("2026-12-22")})
	s.Must(Vendor, domain.SendSSAReminders{Day: domain.MustDay("2026-11-22")})
	s.Must(ann, domain.RequestRMA{Company: 1, MAC: "00-90-33-00-00-02", Reason: "broken~NUL~"})
	return WithUnstorableText(t, s.Store)
}

// WithUnstorableText copies the events of src to a new log, replacing the
// placeholders ~NUL~, ~C0~, ~SUR~ and ~BAD~ in their payloads (see
// Unstorable); every third event's command id gets U+0000 and an invalid
// byte too.
func WithUnstorableText(t testing.TB, src eventstore.Store) *memstore.Store {
	t.Helper()
	dst := memstore.New()
	for i, r := range Records(t, src) {
		e := r.Env
		data := e.Data
		for _, u := range unstorable {
			data = bytes.ReplaceAll(data, []byte(u.mark), []byte(u.raw))
		}
		cmd := e.Command
		if i%3 == 2 {
			cmd += "\x00\xff"
		}
		// The tags are the changed event's, as the writer would have
		// tagged it (a key's code is in its tag).
		changed, err := domain.DecodeEvent(e.Type, data)
		if err != nil {
			t.Fatalf("position %d with the text replaced: %v", e.Seq, err)
		}
		ev := eventstore.Event{ID: e.ID, Type: e.Type, Time: e.Time, Actor: e.Actor, Command: cmd, Digest: e.Digest,
			Tags: changed.EventTags(), Data: data}
		if _, err := dst.Append(context.Background(), e.Seq-1, []eventstore.Event{ev}); err != nil {
			t.Fatalf("copying position %d: %v", e.Seq, err)
		}
	}
	// Records decodes the copy: it must still be a log the read models
	// can read.
	for _, r := range Records(t, dst) {
		if bytes.Contains(r.Env.Data, []byte("~")) {
			t.Fatalf("position %d kept a placeholder: %s", r.Env.Seq, r.Env.Data)
		}
	}
	return dst
}
