package projections

import (
	"slices"

	"github.com/innolic/ledger/domain"
)

// DomainViews lists a company's domains from a domain state, the one way
// both backends build the list (Postgres from a state loaded from its
// tables).
func DomainViews(st *domain.State, company domain.CompanyID) []DomainView {
	out := []DomainView{}
	for _, name := range st.DomainsOf(company) {
		dm := st.Domains[name]
		out = append(out, DomainView{Name: name, Instance: dm.Instance, Company: company, Project: dm.Project,
			Settings: dm.Settings, Devices: len(dm.Devices), Monthly: st.MonthlyCost(dm).String()})
	}
	return out
}

// InstanceViews lists a company's instances with their domains.
func InstanceViews(st *domain.State, company domain.CompanyID) []InstanceView {
	out := []InstanceView{}
	for _, id := range sortedIDs(st.Instances) {
		if in := st.Instances[id]; in.Company == company {
			v := InstanceView{ID: in.ID, Company: in.Company, Name: in.Name, Domains: []string{}}
			for _, name := range st.DomainsOf(company) {
				if st.Domains[name].Instance == id {
					v.Domains = append(v.Domains, name)
				}
			}
			out = append(out, v)
		}
	}
	return out
}

func sortedIDs[V any](m map[domain.InstanceID]V) []domain.InstanceID {
	out := make([]domain.InstanceID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
