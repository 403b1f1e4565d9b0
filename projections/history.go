package projections

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/eventstore"
	"github.com/innolic/ledger/replay"
)

// HistoryReader is the query side of the history tab: every event of the
// log, indexed at apply time by the contexts it belongs to. It is embedded
// in Reader.
type HistoryReader interface {
	// History answers one page of a context's history, newest first.
	History(by domain.Principal, q HistoryQuery) (HistoryPage, error)
}

// History contexts, as the portal's history tab offers them.
const (
	HistoryCompany = "company" // every action in a company
	HistoryPerson  = "person"  // every action of (or on) one person
	HistoryDevice  = "device"  // every action on one device
)

// HistoryQuery selects a page of history.
type HistoryQuery struct {
	// Context is HistoryCompany, HistoryPerson or HistoryDevice.
	Context string
	// Company is the company whose history is read. Required for the
	// company context; for person and device it narrows the rows to that
	// company (and is what lets a member see a colleague's or a device's
	// history). Without it, a person's history is for the person themself
	// and vendor staff, a device's for vendor staff.
	Company domain.CompanyID
	// Person and Device name the subject of those contexts.
	Person domain.PersonID
	Device string
	// Project narrows to the rows touching one project (0: all projects).
	Project domain.ProjectID
	// From (inclusive) and To (exclusive) bound the event time; zero: open.
	From, To time.Time
	// Before is the cursor: only rows with a position below it (0: none).
	Before uint64
	// Limit is the page size.
	Limit int
}

// HistoryPage is one page of history rows, newest first.
type HistoryPage struct {
	Rows []HistoryRow `json:"rows"`
	// Next is the cursor of the following (older) page; empty on the last.
	Next string `json:"next,omitempty"`
}

// HistoryRow is one event as the history tab shows it.
type HistoryRow struct {
	Position uint64           `json:"position"`
	Time     time.Time        `json:"time"`
	Actor    eventstore.Actor `json:"actor"`
	// Action is the event's stable type name.
	Action string `json:"action"`
	// Tags are the entities the event touches (company:, project:,
	// device:, key:, person:, domain:).
	Tags    []string `json:"tags"`
	Summary string   `json:"summary"`
}

// HistoryContexts returns the context keys of an event ("company:1",
// "person:2", "device:00-90-33-..."), the one rule every backend indexes
// history by. It reads the state before the event is applied: its company, person and device tags,
// the acting person and the companies owning the projects it touches. An
// event that names no company (the vendor receiving an RMA device, say)
// goes to the companies holding the devices it touches; one that names
// companies stays with them, so a device in two companies does not show
// one company's doings to the other.
func HistoryContexts(r replay.Record, st *domain.State) []string {
	keys := make([]string, 0, len(r.Env.Tags)+2)
	add := func(k string) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if r.Env.Actor.Person != "" {
		add("person:" + r.Env.Actor.Person)
	}
	var devices []domain.MAC
	companies := 0
	for _, t := range r.Env.Tags {
		kind, id, _ := strings.Cut(t, ":")
		switch kind {
		case "company":
			add(t)
			companies++
		case "person", "domain":
			add(t)
		case "device":
			add(t)
			devices = append(devices, domain.MAC(id))
		case "project":
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				if p, ok := st.Projects[domain.ProjectID(n)]; ok {
					add(p.Company.Tag())
					companies++
				}
			}
		}
	}
	if companies == 0 {
		for _, mac := range devices {
			if d, ok := st.Devices[mac]; ok {
				for c := range d.In {
					add(c.Tag())
				}
			}
		}
	}
	return keys
}
