package memory

import (
	"sort"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

var _ projections.OrgReader = (*Model)(nil)

// Tokens implements projections.OrgReader.
func (m *Model) Tokens(by domain.Principal, id domain.PersonID) ([]projections.TokenView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if !by.Vendor && by.Person != id {
		return nil, domain.Errorf(domain.KindForbidden, "not-own-person", "only one's own tokens are visible")
	}
	p, ok := m.st.Persons[id]
	if !ok {
		return nil, domain.Errorf(domain.KindNotFound, "person-not-found", "no person %d", id)
	}
	out := make([]projections.TokenView, 0, len(p.Tokens))
	for tid := range p.Tokens {
		out = append(out, projections.TokenView{ID: tid, Label: p.TokenLabels[tid]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CompanyProfile implements projections.OrgReader.
func (m *Model) CompanyProfile(by domain.Principal, id domain.CompanyID) (projections.CompanyProfileView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, id); err != nil {
		return projections.CompanyProfileView{}, err
	}
	c := m.st.Companies[id]
	v := projections.CompanyProfileView{ID: c.ID, Name: c.Name, CustomerID: c.CustomerID,
		Members: make([]projections.MemberSSAMailView, 0, len(c.Members))}
	for pid := range c.Members {
		p := m.st.Persons[pid]
		v.Members = append(v.Members, projections.MemberSSAMailView{Person: pid, Name: p.Name, Email: p.Email, SSAMail: !p.NoSSAMail})
	}
	sort.Slice(v.Members, func(i, j int) bool { return v.Members[i].Person < v.Members[j].Person })
	return v, nil
}

// ProjectDetails implements projections.OrgReader: own projects in id
// order, then external ones in id order.
func (m *Model) ProjectDetails(by domain.Principal, company domain.CompanyID) ([]projections.ProjectDetailView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	own, ext := sortedIDs(m.st.ProjectsOf(company)), sortedIDs(m.st.ExternalProjectsOf(company))
	out := make([]projections.ProjectDetailView, 0, len(own)+len(ext))
	for _, id := range own {
		out = append(out, m.projectDetail(by, m.st.Projects[id], false))
	}
	for _, id := range ext {
		out = append(out, m.projectDetail(by, m.st.Projects[id], true))
	}
	return out, nil
}

// ProjectDetail implements projections.OrgReader.
func (m *Model) ProjectDetail(by domain.Principal, id domain.ProjectID) (projections.ProjectDetailView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.st.Projects[id]
	if !ok {
		return projections.ProjectDetailView{}, domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", id)
	}
	err := m.st.CanRead(by, p.Company)
	if err == nil {
		return m.projectDetail(by, p, false), nil
	}
	for g := range p.Grants {
		if m.st.CanRead(by, g) == nil {
			return m.projectDetail(by, p, true), nil
		}
	}
	return projections.ProjectDetailView{}, err
}

// projectDetail builds the view; the trust value is a secret (it signs
// interface.php calls) and is shown only to those who may edit the project.
func (m *Model) projectDetail(by domain.Principal, p *domain.Project, external bool) projections.ProjectDetailView {
	v := projections.ProjectDetailView{ID: p.ID, Company: p.Company, Name: p.Name, Description: p.Description,
		External: external, SSAEnd: p.SSAEnd, AutoSSA: p.AutoSSA, FreedRMA: domain.IsFreedRMAProject(p.Name)}
	v.RentalDomain, _ = domain.RentalDomainOf(p.Name)
	if external {
		return v
	}
	props := p.Properties
	props.CCMails = append([]string(nil), props.CCMails...)
	if m.st.CanEditProject(by, p.ID) != nil {
		props.TrustValue = ""
	}
	v.Properties = &props
	v.Grants = sortedIDs(mapKeys(p.Grants))
	return v
}

// Contracts implements projections.OrgReader.
func (m *Model) Contracts(by domain.Principal, company domain.CompanyID, state domain.ContractState) ([]projections.ContractView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	out := []projections.ContractView{}
	for _, c := range m.st.Contracts {
		if c.Company == company && (state == "" || c.State == state) {
			out = append(out, projections.ContractView{ID: c.ID, Company: c.Company, Kind: c.Kind, State: c.State, By: c.By})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func sortedIDs[K ~int64](ids []K) []K {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func mapKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
