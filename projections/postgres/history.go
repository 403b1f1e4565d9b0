package postgres

import (
	"encoding/json"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

var historyColumns = []string{"position", "time", "time_ns", "type", "actor_person", "actor_company", "actor_vendor",
	"channel", "command", "tags", "summary", "data", "postings"}

// historyRow is one event as a history row. It is written from the
// envelope, the domain's own summary line and the domain's postings, so
// events of every type appear in history, including types added after
// this file.
func historyRow(r replay.Record) []any {
	e := r.Env
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	postings := json.RawMessage("[]")
	if legs := domain.Postings(r.Event); len(legs) > 0 {
		postings, _ = json.Marshal(legs)
	}
	return []any{int64(e.Seq), e.Time.UTC(), e.Time.UnixNano(), e.Type, e.Actor.Person, e.Actor.Company, e.Actor.Vendor,
		e.Actor.Channel, e.Command, tags, domain.Summarize(r.Event), json.RawMessage(e.Data), postings}
}

// historyContexts returns the history contexts of an event: the one rule
// of projections.HistoryContexts, which the memory backend uses too.
func historyContexts(r replay.Record, st *domain.State) []string {
	return projections.HistoryContexts(r, st)
}

// contextMerge is a company join: the absorbed company's history up to the
// join joins the joining company's.
type contextMerge struct {
	into, old string
	seq       uint64
}
