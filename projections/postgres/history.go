package postgres

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/replay"
)

var historyColumns = []string{"position", "time", "type", "actor_person", "actor_company", "actor_vendor",
	"channel", "command", "tags", "summary", "data"}

// historyRow is one event as a history row. It is written from the
// envelope and the domain's own summary line, so events of every type
// appear in history, including types added after this file.
func historyRow(r replay.Record) []any {
	e := r.Env
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	return []any{int64(e.Seq), e.Time.UTC(), e.Type, e.Actor.Person, e.Actor.Company, e.Actor.Vendor,
		e.Actor.Channel, e.Command, tags, domain.Summarize(r.Event), json.RawMessage(e.Data)}
}

// historyContexts returns the history contexts of an event, read from the
// state before the event is applied (the rules of the memory backend's
// history, which the parity suite holds this to).
func historyContexts(r replay.Record, st *domain.State) []string {
	keys := make([]string, 0, len(r.Env.Tags)+2)
	add := func(k string) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if r.Env.Actor.Person != "" {
		add("person:" + r.Env.Actor.Person)
	}
	for _, t := range r.Env.Tags {
		kind, id, _ := strings.Cut(t, ":")
		switch kind {
		case "company", "person", "device":
			add(t)
		}
		switch kind {
		case "project":
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				if p, ok := st.Projects[domain.ProjectID(n)]; ok {
					add(p.Company.Tag())
				}
			}
		case "device":
			if d, ok := st.Devices[domain.MAC(id)]; ok {
				for c := range d.In {
					add(c.Tag())
				}
			}
		}
	}
	return keys
}

// contextMerge is a company join: the absorbed company's history up to the
// join joins the joining company's.
type contextMerge struct {
	into, old string
	seq       uint64
}
