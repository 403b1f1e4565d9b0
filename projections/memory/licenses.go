package memory

import (
	"sort"
	"strings"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

var _ projections.LicenseReader = (*Model)(nil)

// Devices implements projections.LicenseReader.
func (m *Model) Devices(by domain.Principal, company domain.CompanyID, f projections.DeviceFilter) ([]projections.DeviceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		// A grantee adds devices to the external project it was given, so
		// it lists that project's devices.
		if f.Project == 0 || m.projectOf(f.Project) != company || m.st.CanReadProject(by, f.Project) != nil {
			return nil, err
		}
	}
	text := strings.ToLower(strings.TrimSpace(f.Text))
	out := []projections.DeviceView{}
	for _, mac := range domain.SortedMACs(m.st.Devices) {
		d := m.st.Devices[mac]
		pl, ok := d.In[company]
		if !ok || f.Project != 0 && pl.Project != f.Project && pl.Rental != f.Project {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(string(mac)+"\n"+pl.Name+"\n"+pl.Comment), text) {
			continue
		}
		out = append(out, deviceView(d, pl))
	}
	return out, nil
}

func deviceView(d *domain.Device, pl *domain.Placement) projections.DeviceView {
	return projections.DeviceView{MAC: d.MAC, Type: d.Type, Project: pl.Project, Name: pl.Name, Comment: pl.Comment, RMA: d.RMA,
		RentalProject: pl.Rental}
}

// Device implements projections.LicenseReader.
func (m *Model) Device(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.DeviceDetailView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil && !m.inGrantedProject(by, company, mac) {
		return projections.DeviceDetailView{}, err
	}
	d, ok := m.st.Devices[mac]
	var pl *domain.Placement
	if ok {
		pl, ok = d.In[company]
	}
	if !ok {
		return projections.DeviceDetailView{}, domain.Errorf(domain.KindNotFound, "device-not-in-company", "device %s is not in company %d", mac, company)
	}
	lines := append([]domain.LicenseLine{}, d.Licenses...)
	sort.Slice(lines, func(i, j int) bool { return lines[i].ID < lines[j].ID })
	return projections.DeviceDetailView{DeviceView: deviceView(d, pl), OrderNumber: d.OrderNumber, Delivered: d.Delivered,
		InOtherCompany: len(d.In) > 1, Licenses: lines, Invalidations: append([]domain.Invalidation{}, d.Invalidations...),
		WarrantyEnd: d.WarrantyEnd(), TestUntil: d.TestUntil, ReturnLocked: d.ReturnLocked}, nil
}

// inGrantedProject reports whether the device sits, in company, in a
// project the caller may read as a grantee: grantees add devices to an
// external project, so they see them.
func (m *Model) inGrantedProject(by domain.Principal, company domain.CompanyID, mac domain.MAC) bool {
	d, ok := m.st.Devices[mac]
	if !ok || d.In[company] == nil {
		return false
	}
	return m.st.CanReadProject(by, d.In[company].Project) == nil
}

// DownloadVersions implements projections.LicenseReader. Read models read
// no clock, so every version of the catalog counts as released (the
// vendor lists a version when it is released); RecordDownload, which has
// the command's time, checks release dates.
func (m *Model) DownloadVersions(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.DownloadView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return projections.DownloadView{}, err
	}
	d, ok := m.st.Devices[mac]
	if !ok || d.In[company] == nil {
		return projections.DownloadView{}, domain.Errorf(domain.KindNotFound, "device-not-in-company", "device %s is not in company %d", mac, company)
	}
	vs := m.st.DownloadVersions(d, farFuture)
	if vs == nil {
		vs = []int{}
	}
	return projections.DownloadView{MAC: mac, Versions: vs, ReturnLocked: d.ReturnLocked}, nil
}

// farFuture makes every catalog release count as released: read models
// take no time from the wall clock, and the catalog lists only versions
// the vendor has released.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// ForeignDevice implements projections.LicenseReader. The warranty shown
// is the one the vendor grants its distributors, so only companies linked
// to a vendor customer id may see it.
func (m *Model) ForeignDevice(by domain.Principal, company domain.CompanyID, mac domain.MAC) (projections.ForeignDeviceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return projections.ForeignDeviceView{}, err
	}
	if m.st.Companies[company].CustomerID == "" && !by.Vendor {
		return projections.ForeignDeviceView{}, domain.Errorf(domain.KindRejected, "customer-id-required", "link your vendor customer id to the company first")
	}
	d, ok := m.st.Devices[mac]
	if !ok {
		return projections.ForeignDeviceView{}, domain.Errorf(domain.KindNotFound, "device-not-found", "device %s is not in the registry", mac)
	}
	v := projections.ForeignDeviceView{MAC: mac, Type: d.Type, WarrantyEnd: d.WarrantyEnd(), Licenses: []projections.ForeignLine{}}
	for _, l := range d.Licenses {
		v.Licenses = append(v.Licenses, projections.ForeignLine{Item: l.Item, Quantity: l.Quantity, SSAEnd: l.SSAEnd})
	}
	return v, nil
}

// FreePool implements projections.LicenseReader.
func (m *Model) FreePool(by domain.Principal, project domain.ProjectID) ([]domain.LicenseLine, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.st.Projects[project]
	if !ok {
		return nil, domain.Errorf(domain.KindNotFound, "project-not-found", "no project %d", project)
	}
	if err := m.st.CanRead(by, p.Company); err != nil {
		return nil, err
	}
	return append([]domain.LicenseLine{}, m.st.Free[project]...), nil
}

// ActivationKeys implements projections.LicenseReader.
func (m *Model) ActivationKeys(by domain.Principal, company domain.CompanyID, f projections.KeyFilter) ([]projections.KeyView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	order := strings.TrimSpace(f.OrderNumber)
	out := []projections.KeyView{}
	for _, code := range sortedCodes(m.st.Keys) {
		k := m.st.Keys[code]
		own := !k.Deleted && m.projectOf(k.FromProject) == company
		if !own && m.projectOf(k.RedeemedInto) != company || order != "" && k.OrderNumber != order {
			continue
		}
		out = append(out, projections.KeyView{Code: k.Code, Lines: k.Lines, Own: own, FromProject: k.FromProject,
			RedeemedInto: k.RedeemedInto, OrderNumber: k.OrderNumber, OrderReference: k.OrderReference, Comment: k.Comment})
	}
	return out, nil
}

// projectOf returns the company of a project, 0 for none.
func (m *Model) projectOf(id domain.ProjectID) domain.CompanyID {
	if p, ok := m.st.Projects[id]; ok {
		return p.Company
	}
	return 0
}

func sortedCodes(keys map[string]*domain.Key) []string {
	out := make([]string, 0, len(keys))
	for c := range keys {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// KeyCertificate implements projections.LicenseReader.
func (m *Model) KeyCertificate(by domain.Principal, code string) (projections.KeyCertificateView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	k, ok := m.st.Keys[strings.TrimSpace(code)]
	if !ok || k.Deleted {
		return projections.KeyCertificateView{}, domain.ErrKeyNotFound
	}
	from, into := m.projectOf(k.FromProject), m.projectOf(k.RedeemedInto)
	if !by.Vendor && m.st.CanRead(by, from) != nil && m.st.CanRead(by, into) != nil {
		// Not the caller's key: answer as if it did not exist, since a
		// code is a bearer secret.
		return projections.KeyCertificateView{}, domain.ErrKeyNotFound
	}
	v := projections.KeyCertificateView{Code: k.Code, Lines: k.Lines, IssuedBy: "vendor", OrderNumber: k.OrderNumber, OrderReference: k.OrderReference}
	if c, ok := m.st.Companies[from]; ok {
		v.IssuedBy = c.Name
	}
	if c, ok := m.st.Companies[into]; ok {
		v.RedeemedBy = c.Name
	}
	return v, nil
}

// canReadAccounts guards the invoicing lists: company 0 means every
// company, which only vendor staff (the license department) may read.
func (m *Model) canReadAccounts(by domain.Principal, company domain.CompanyID) error {
	if company == 0 {
		if !by.Vendor {
			return domain.ErrVendorOnly
		}
		return nil
	}
	return m.st.CanRead(by, company)
}

// CreditPurchases implements projections.LicenseReader.
func (m *Model) CreditPurchases(by domain.Principal, company domain.CompanyID) ([]projections.CreditPurchaseView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.canReadAccounts(by, company); err != nil {
		return nil, err
	}
	out := []projections.CreditPurchaseView{}
	for _, c := range m.st.Credits {
		if company == 0 || c.Company == company {
			out = append(out, projections.CreditPurchaseView{Company: c.Company, Project: c.Project, Person: c.Person,
				MAC: c.MAC, Lines: c.Lines, OrderNumber: c.OrderNumber, Date: c.Date})
		}
	}
	return out, nil
}

// OrderDevices implements projections.LicenseReader. An order number is
// what a customer adds devices by, so every authenticated caller may list
// the devices of one.
func (m *Model) OrderDevices(_ domain.Principal, order string) ([]projections.RegistryDeviceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	macs := m.st.Orders[strings.TrimSpace(order)]
	if len(macs) == 0 {
		return nil, domain.Errorf(domain.KindNotFound, "order-not-found", "no devices registered for order %q", order)
	}
	out := make([]projections.RegistryDeviceView, 0, len(macs))
	for _, mac := range macs {
		d := m.st.Devices[mac]
		out = append(out, projections.RegistryDeviceView{MAC: d.MAC, Type: d.Type, OrderNumber: d.OrderNumber, Delivered: d.Delivered})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MAC < out[j].MAC })
	return out, nil
}
