// Package memory is the default read-model backend: the domain state,
// built by its own subscription to the log and guarded for concurrent
// queries. It is what single-node mode serves queries from, and what as-of
// queries replay into.
package memory

import (
	"context"
	"sort"
	"sync"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

// Model is the in-memory read model.
type Model struct {
	mu  sync.RWMutex
	st  *domain.State
	pos uint64
	// hist is the history read model (history.go), fed with the state.
	hist history
	// rental is the rental history per domain (rental.go).
	rental rentalLog
}

// New returns an empty model for a catalog.
func New(c *domain.Catalog) *Model {
	return &Model{st: domain.NewState(c), hist: newHistory(), rental: rentalLog{}}
}

var _ projections.Reader = (*Model)(nil)
var _ projections.Projection = (*Model)(nil)

// Position implements projections.Projection and Reader.
func (m *Model) Position() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pos
}

// Apply implements projections.Projection. Memory has no crash to survive:
// it is rebuilt from the log at start.
func (m *Model) Apply(_ context.Context, recs []replay.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		if r.Env.Seq <= m.pos {
			continue // already applied: applying twice changes nothing
		}
		contexts := projections.HistoryContexts(r, m.st) // from the state the event found
		if err := m.st.Evolve(r.Event); err != nil {
			return err
		}
		m.hist.add(r, contexts)
		m.rental.add(r)
		m.pos = r.Env.Seq
	}
	return nil
}

// Authenticate implements projections.Reader.
func (m *Model) Authenticate(hash string) (domain.Principal, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.st.Tokens[hash]
	if !ok {
		return domain.Principal{}, false
	}
	return domain.Principal{Person: id, Vendor: m.st.Persons[id].Vendor}, true
}

// Person implements projections.Reader: oneself, or anyone for vendor staff.
func (m *Model) Person(by domain.Principal, id domain.PersonID) (projections.PersonView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !by.Vendor && by.Person != id {
		return projections.PersonView{}, domain.Errorf(domain.KindForbidden, "not-own-person", "only one's own person record is visible")
	}
	p, ok := m.st.Persons[id]
	if !ok {
		return projections.PersonView{}, domain.Errorf(domain.KindNotFound, "person-not-found", "no person %d", id)
	}
	v := projections.PersonView{ID: p.ID, Email: p.Email, Name: p.Name, Vendor: p.Vendor, Memberships: []projections.MemberOf{}}
	for _, c := range m.st.Companies {
		if ms, ok := c.Members[id]; ok {
			v.Memberships = append(v.Memberships, projections.MemberOf{Company: c.ID, Name: c.Name, Right: ms.Right, BuyOnCredit: ms.BuyOnCredit})
		}
	}
	sort.Slice(v.Memberships, func(i, j int) bool { return v.Memberships[i].Company < v.Memberships[j].Company })
	return v, nil
}

// Company implements projections.Reader.
func (m *Model) Company(by domain.Principal, id domain.CompanyID) (projections.CompanyView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, id); err != nil {
		return projections.CompanyView{}, err
	}
	c := m.st.Companies[id]
	v := projections.CompanyView{ID: c.ID, Name: c.Name, Members: []projections.MemberView{}, Projects: m.projects(id)}
	for pid, ms := range c.Members {
		p := m.st.Persons[pid]
		v.Members = append(v.Members, projections.MemberView{Person: pid, Email: p.Email, Name: p.Name, Right: ms.Right, BuyOnCredit: ms.BuyOnCredit})
	}
	sort.Slice(v.Members, func(i, j int) bool { return v.Members[i].Person < v.Members[j].Person })
	return v, nil
}

// Projects implements projections.Reader.
func (m *Model) Projects(by domain.Principal, company domain.CompanyID) ([]projections.ProjectView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	return m.projects(company), nil
}

func (m *Model) projects(company domain.CompanyID) []projections.ProjectView {
	ids := m.st.ProjectsOf(company)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]projections.ProjectView, 0, len(ids))
	for _, id := range ids {
		p := m.st.Projects[id]
		out = append(out, projections.ProjectView{ID: p.ID, Company: p.Company, Name: p.Name, Description: p.Description})
	}
	return out
}

// ProjectBalance implements projections.Reader.
func (m *Model) ProjectBalance(by domain.Principal, id domain.ProjectID) (projections.BalanceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.st.Projects[id]
	if !ok {
		return projections.BalanceView{}, domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
	}
	// Members of a grantee company bind from an external project's balance,
	// so they may read it.
	if err := m.st.CanReadProject(by, id); err != nil {
		return projections.BalanceView{}, err
	}
	return projections.BalanceView{Scope: "project", ID: int64(id), Lines: p.Balance.Lines()}, nil
}

// CompanyBalance implements projections.Reader: the sum over the company's
// own projects (external projects are not its balance).
func (m *Model) CompanyBalance(by domain.Principal, id domain.CompanyID) (projections.BalanceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, id); err != nil {
		return projections.BalanceView{}, err
	}
	sum := domain.Balance{}
	for _, pid := range m.st.ProjectsOf(id) {
		for it, q := range m.st.Projects[pid].Balance {
			sum[it] += q
		}
	}
	return projections.BalanceView{Scope: "company", ID: int64(id), Lines: sum.Lines()}, nil
}
