package postgres

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

var historyColumns = []string{"position bigint", "time timestamptz", "time_ns bigint", "type text", "actor_person text",
	"actor_company text", "actor_vendor boolean", "channel text", "command text", "tags text[]", "summary text",
	"data jsonb", "postings json"}

// history holds a batch's history rows as one slice per column (see
// copyIn). They are written from the envelope, the domain's own summary
// line and the domain's postings, so events of every type appear in
// history, including types added after this file.
type history struct {
	seq                                          []int64
	time                                         []time.Time
	timeNS                                       []int64
	typ, person, company, channel, command, summ []string
	vendor                                       []bool
	tags                                         [][]string
	data, postings                               [][]byte
}

func newHistory(n int) *history {
	return &history{seq: make([]int64, 0, n), time: make([]time.Time, 0, n), timeNS: make([]int64, 0, n),
		typ: make([]string, 0, n), person: make([]string, 0, n), company: make([]string, 0, n), channel: make([]string, 0, n),
		command: make([]string, 0, n), summ: make([]string, 0, n), vendor: make([]bool, 0, n), tags: make([][]string, 0, n),
		data: make([][]byte, 0, n), postings: make([][]byte, 0, n)}
}

var noPostings = []byte("[]")

func (h *history) add(r replay.Record) {
	e := r.Env
	postings := noPostings
	if legs := domain.Postings(r.Event); len(legs) > 0 {
		postings, _ = json.Marshal(legs)
	}
	h.seq = append(h.seq, int64(e.Seq))
	h.time = append(h.time, e.Time)
	h.timeNS = append(h.timeNS, e.Time.UnixNano())
	h.typ = append(h.typ, e.Type)
	h.person = append(h.person, e.Actor.Person)
	h.company = append(h.company, e.Actor.Company)
	h.vendor = append(h.vendor, e.Actor.Vendor)
	h.channel = append(h.channel, e.Actor.Channel)
	h.command = append(h.command, e.Command)
	h.tags = append(h.tags, e.Tags)
	h.summ = append(h.summ, domain.Summarize(r.Event))
	h.data = append(h.data, e.Data)
	h.postings = append(h.postings, postings)
}

// after returns the columns of the rows past position pos (rows are in
// log order).
func (h *history) after(pos uint64) []any {
	i, _ := slices.BinarySearch(h.seq, int64(pos)+1)
	return []any{h.seq[i:], h.time[i:], h.timeNS[i:], h.typ[i:], h.person[i:], h.company[i:], h.vendor[i:],
		h.channel[i:], h.command[i:], h.tags[i:], h.summ[i:], h.data[i:], h.postings[i:]}
}

// historyContexts returns the history contexts of an event: the one rule
// of projections.HistoryContexts, which the memory backend uses too.
func historyContexts(r replay.Record, st *domain.State) []string {
	return projections.HistoryContexts(r, st)
}

// contextRow is one history_contexts row.
type contextRow struct {
	context string
	seq     int64
}

var contextColumns = []string{"context text", "position bigint"}

// contextsAfter returns the columns of the rows past position pos, sorted
// by the primary key: Postgres then inserts each context's positions next
// to each other into the index instead of all over it.
func contextsAfter(rows []contextRow, pos uint64) []any {
	rows = slices.Clone(rows)
	rows = slices.DeleteFunc(rows, func(r contextRow) bool { return r.seq <= int64(pos) })
	slices.SortFunc(rows, func(a, b contextRow) int {
		return cmp.Or(cmp.Compare(a.context, b.context), cmp.Compare(a.seq, b.seq))
	})
	ctxs, seqs := make([]string, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		ctxs[i], seqs[i] = r.context, r.seq
	}
	return []any{ctxs, seqs}
}

// contextMerge is a company join: the absorbed company's history up to the
// join joins the joining company's.
type contextMerge struct {
	into, old string
	seq       uint64
}
