package memory

import (
	"strings"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// InterfaceCaller implements projections.InterfaceReader.
func (m *Model) InterfaceCaller(email string, project domain.ProjectID) (projections.InterfaceCallerView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var v projections.InterfaceCallerView
	p, ok := m.st.Projects[project]
	if !ok {
		return v, nil
	}
	v.ProjectFound, v.Company, v.Trust = true, p.Company, p.Properties.TrustValue
	id, ok := m.st.Emails[strings.ToLower(strings.TrimSpace(email))]
	if !ok {
		return v, nil
	}
	v.PersonFound = true
	v.Person = domain.Principal{Person: id, Vendor: m.st.Persons[id].Vendor}
	v.Reachable = m.st.CanLicense(v.Person, p.Company) == nil
	return v, nil
}
