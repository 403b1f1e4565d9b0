package postgres

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
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
	buf                                          []byte // the current chunk of postings
}

func newHistory(n int) *history {
	return &history{seq: make([]int64, 0, n), time: make([]time.Time, 0, n), timeNS: make([]int64, 0, n),
		typ: make([]string, 0, n), person: make([]string, 0, n), company: make([]string, 0, n), channel: make([]string, 0, n),
		command: make([]string, 0, n), summ: make([]string, 0, n), vendor: make([]bool, 0, n), tags: make([][]string, 0, n),
		data: make([][]byte, 0, n), postings: make([][]byte, 0, n)}
}

func (h *history) add(r replay.Record) {
	e := r.Env
	// The postings are written into chunks that are never copied to grow:
	// each row's slice stays valid.
	if cap(h.buf)-len(h.buf) < 4<<10 {
		h.buf = make([]byte, 0, 256<<10)
	}
	start := len(h.buf)
	h.buf = appendPostings(h.buf, domain.Postings(r.Event))
	postings := StoredJSON(h.buf[start:len(h.buf):len(h.buf)])
	h.seq = append(h.seq, int64(e.Seq))
	h.time = append(h.time, e.Time)
	h.timeNS = append(h.timeNS, e.Time.UnixNano())
	// Text is stored in the form Postgres can hold (text.go); the checks
	// allocate nothing for ordinary text.
	h.typ = append(h.typ, StoredText(e.Type))
	h.person = append(h.person, StoredText(e.Actor.Person))
	h.company = append(h.company, StoredText(e.Actor.Company))
	h.vendor = append(h.vendor, e.Actor.Vendor)
	h.channel = append(h.channel, StoredText(e.Actor.Channel))
	h.command = append(h.command, StoredText(e.Command))
	h.tags = append(h.tags, storedTexts(e.Tags))
	h.summ = append(h.summ, StoredText(domain.Summarize(r.Event)))
	h.data = append(h.data, StoredJSON(e.Data))
	h.postings = append(h.postings, postings)
}

// appendPostings appends legs as JSON, as encoding/json writes them:
// marshalling them through reflection was the largest part of preparing a
// history row.
func appendPostings(b []byte, legs []domain.Posting) []byte {
	b = append(b, '[')
	for i, l := range legs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"account":`...), l.Account)
		b = appendJSONString(append(b, `,"item":{"type":`...), l.Item.Type)
		if l.Item.Version != 0 {
			b = strconv.AppendInt(append(b, `,"version":`...), int64(l.Item.Version), 10)
		}
		b = append(strconv.AppendInt(append(b, `},"amount":`...), l.Amount, 10), '}')
	}
	return append(b, ']')
}

// appendJSONString appends s quoted; strings with characters that JSON or
// encoding/json escape go through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
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

// contextsAfter returns the columns of the rows past position pos. Unless
// the primary key is set aside (bulk), they are sorted by it: Postgres then
// inserts each context's positions next to each other into the index
// instead of all over it.
func contextsAfter(rows []contextRow, pos uint64, bulk bool) []any {
	rows = slices.DeleteFunc(slices.Clone(rows), func(r contextRow) bool { return r.seq <= int64(pos) })
	if !bulk {
		slices.SortFunc(rows, func(a, b contextRow) int {
			return cmp.Or(strings.Compare(a.context, b.context), cmp.Compare(a.seq, b.seq))
		})
	}
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
