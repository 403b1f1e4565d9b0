package memory

import (
	"sort"
	"strings"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// Search implements projections.SearchReader.
func (m *Model) Search(by domain.Principal, company domain.CompanyID, query string) (projections.SearchResult, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	q := strings.TrimSpace(query)
	if len([]rune(q)) < projections.MinSearch {
		return projections.SearchResult{}, domain.Errorf(domain.KindInvalid, "search-too-short",
			"a search needs at least %d characters (%d for activation keys)", projections.MinSearch, projections.MinKeySearch)
	}
	if err := m.st.CanRead(by, company); err != nil {
		return projections.SearchResult{}, err
	}
	out := projections.SearchResult{Query: q, Projects: []projections.ProjectView{}, Devices: []projections.DeviceView{},
		Keys: []projections.KeySearchHit{}, Products: []projections.ProductHit{}}
	if lq, ok := projections.ParseLicenseQuery(m.st.Catalog, q); ok {
		out.License = &lq
		out.Devices, out.Truncated = m.devicesHolding(company, lq)
		return out, nil
	}
	needle := strings.ToLower(q)
	var cut [3]bool
	out.Projects, cut[0] = m.searchProjects(company, needle)
	var products map[string]bool
	out.Products, products = projections.MatchProducts(m.st.Catalog, q)
	out.Devices, cut[1] = m.searchDevices(company, needle, products)
	if len([]rune(q)) >= projections.MinKeySearch {
		out.Keys, cut[2] = m.searchKeys(company, needle)
	}
	out.Truncated = cut[0] || cut[1] || cut[2]
	return out, nil
}

// devicesHolding lists the company's devices whose license lines of the
// queried type (and version) add up to at least the minimum.
func (m *Model) devicesHolding(company domain.CompanyID, lq projections.LicenseQuery) ([]projections.DeviceView, bool) {
	var out []projections.DeviceView
	for _, mac := range m.companyDevices(company) {
		d := m.st.Devices[mac]
		var n int64
		for _, l := range d.Licenses {
			if l.Type == lq.Type && (lq.Version == 0 || l.Version == lq.Version) {
				n += l.Quantity
			}
		}
		if n >= lq.AtLeast {
			out = append(out, deviceView(d, d.In[company]))
		}
	}
	return projections.CapHits(out)
}

func (m *Model) searchDevices(company domain.CompanyID, needle string, products map[string]bool) ([]projections.DeviceView, bool) {
	var out []projections.DeviceView
	for _, mac := range m.companyDevices(company) {
		d := m.st.Devices[mac]
		pl := d.In[company]
		if products[d.Type] || projections.ContainsFold(needle, pl.Name, pl.Comment, string(d.MAC), d.Type, d.OrderNumber) {
			out = append(out, deviceView(d, pl))
		}
	}
	return projections.CapHits(out)
}

func (m *Model) searchProjects(company domain.CompanyID, needle string) ([]projections.ProjectView, bool) {
	ids := m.st.ProjectsOf(company)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []projections.ProjectView
	for _, id := range ids {
		p := m.st.Projects[id]
		if projections.ContainsFold(needle, p.Name, p.Description) {
			out = append(out, projections.ProjectView{ID: p.ID, Company: p.Company, Name: p.Name, Description: p.Description})
		}
	}
	return projections.CapHits(out)
}

// searchKeys finds the company's own keys: those created from one of its
// projects. Codes match with or without their dashes.
func (m *Model) searchKeys(company domain.CompanyID, needle string) ([]projections.KeySearchHit, bool) {
	plain := strings.ReplaceAll(needle, "-", "")
	var out []projections.KeySearchHit
	for _, k := range m.st.Keys {
		p, ok := m.st.Projects[k.FromProject]
		if !ok || p.Company != company {
			continue
		}
		code := strings.ToLower(k.Code)
		if strings.Contains(strings.ReplaceAll(code, "-", ""), plain) || projections.ContainsFold(needle, k.Comment, k.OrderNumber, k.OrderReference) {
			out = append(out, projections.KeySearchHit{Code: k.Code, FromProject: k.FromProject, Lines: k.Lines,
				OrderNumber: k.OrderNumber, OrderReference: k.OrderReference, Comment: k.Comment, Redeemed: k.RedeemedInto != 0})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return projections.CapHits(out)
}

// companyDevices lists the MACs of the devices in a company, sorted.
func (m *Model) companyDevices(company domain.CompanyID) []domain.MAC {
	var out []domain.MAC
	for mac, d := range m.st.Devices {
		if _, ok := d.In[company]; ok {
			out = append(out, mac)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
