package domain

import (
	"regexp"
	"sort"
	"strings"
	"time"
)

// Warranty and test-license constants from the reference; BaseWarrantyYears
// is not in the reference and is an assumption the vendor may change.
const (
	MaxWarrantyYears  = 4  // extension at most 4 years
	GVLPurchaseWindow = 42 // days after delivery for the cheaper GVL-Purchase (6 weeks)
	BaseWarrantyYears = 2  // the standard warranty before any extension (assumption)
	TestLicenseMonths = 3  // since V11
	MaxAppDevDevices  = 3  // app-development licenses per company
	typeGVLPurchase   = "GVL-Purchase"
	typeGVLWithin     = "GVL-Within-Warranty"
)

// ExtendWarranty binds warranty extension licenses (one unit per year)
// from the balance: GVL-Purchase within 6 weeks of delivery, else
// GVL-Within-Warranty; at most 4 years in all. Refusals in order: those of
// deviceInProject, invalid-years, warranty-maximum-exceeded,
// license-not-for-device (no warranty on the type), then those of drawing
// (project-not-in-company, balance-insufficient).
type ExtendWarranty struct {
	Project     ProjectID
	MAC         string
	Years       int64
	AlsoFrom    []ProjectID
	OnCredit    bool
	CreditOrder string
}

// CommandType implements Command.
func (ExtendWarranty) CommandType() string { return "ExtendWarranty" }

func (c ExtendWarranty) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	p, d, err := s.deviceInProject(by, c.Project, c.MAC)
	if err != nil {
		return nil, err
	}
	if c.Years < 1 || c.Years > MaxWarrantyYears {
		return nil, Errorf(KindInvalid, "invalid-years", "a warranty extension is 1 to %d years", MaxWarrantyYears)
	}
	h := d.holding()
	if have := h[Item{Type: typeGVLPurchase}] + h[Item{Type: typeGVLWithin}]; have+c.Years > MaxWarrantyYears {
		return nil, Errorf(KindRejected, "warranty-maximum-exceeded", "the warranty is extended by %d years already; at most %d in all", have, MaxWarrantyYears)
	}
	typ := typeGVLWithin
	if del, err := time.Parse(time.DateOnly, d.Delivered); err == nil && !now.After(del.AddDate(0, 0, GVLPurchaseWindow+1)) {
		typ = typeGVLPurchase
	}
	lines := []Line{{Item: Item{Type: typ}, Quantity: c.Years}}
	if err := s.checkDeviceFits(d, lines); err != nil {
		return nil, err
	}
	return s.drawAndBind(by, p, d, lines, "", drawing{c.AlsoFrom, c.OnCredit, c.CreditOrder}, now)
}

// drawing says where a binding's units come from besides the project:
// further projects of the company, and credit for the rest.
type drawing struct {
	also     []ProjectID
	onCredit bool
	order    string
}

// drawAndBind draws lines from the balances (the shortfall on credit, as
// a CreditPurchased first) and binds them as purchased lines with the
// given SSA end; the LicensesBound is the last event.
func (s *State) drawAndBind(by Principal, p *Project, d *Device, lines []Line, ssa string, w drawing, now time.Time) ([]Event, error) {
	if err := checkCreditOrder(w.order); err != nil {
		return nil, err
	}
	draws, short, err := s.planDraws(p, w.also, lines)
	if err != nil {
		return nil, err
	}
	today := now.UTC().Format(time.DateOnly)
	var out []Event
	if len(short) > 0 {
		if !w.onCredit || !s.canBuyOnCredit(by, p.Company) {
			return nil, Errorf(KindRejected, "balance-insufficient", "the balances lack %s", describe(short))
		}
		out = append(out, CreditPurchased{Company: p.Company, Project: p.ID, Person: by.Person, MAC: d.MAC,
			Lines: short, OrderNumber: strings.TrimSpace(w.order), Date: today})
	}
	bound := make([]LicenseLine, len(lines))
	for i, l := range lines {
		bound[i] = LicenseLine{ID: s.LastLicense + 1 + int64(i), Item: l.Item, Quantity: l.Quantity, BindDate: today,
			SSAEnd: ssa, Origin: OriginPurchased}
	}
	return append(out, LicensesBound{MAC: d.MAC, Company: p.Company, Project: p.ID, Draws: draws, Lines: bound}), nil
}

// checkCreditOrder refuses (invalid-text) an order number of a purchase on
// credit that is not valid text or longer than MaxOrderNumber.
func checkCreditOrder(v string) error {
	return CheckText("credit_order", strings.TrimSpace(v), SingleLine, MaxOrderNumber)
}

// WarrantyEnd is a hardware device's warranty end: the delivery date plus
// the standard warranty plus one year per warranty extension unit. Empty
// for devices without a delivery date (virtual devices).
func (d *Device) WarrantyEnd() string {
	del, err := time.Parse(time.DateOnly, d.Delivered)
	if err != nil {
		return ""
	}
	h := d.holding()
	years := BaseWarrantyYears + h[Item{Type: typeGVLPurchase}] + h[Item{Type: typeGVLWithin}]
	return del.AddDate(int(years), 0, 0).Format(time.DateOnly)
}

// AddFloating binds a V7 floating license (slave PBX) from the balance. A
// device has either a floating license or V7 PBX licenses. Refusals: those
// of deviceInProject, license-not-for-device, device-maximum-exceeded,
// floating-exclusive, then those of drawing.
type AddFloating struct {
	Project     ProjectID
	MAC         string
	AlsoFrom    []ProjectID
	OnCredit    bool
	CreditOrder string
}

// CommandType implements Command.
func (AddFloating) CommandType() string { return "AddFloating" }

func (c AddFloating) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	p, d, err := s.deviceInProject(by, c.Project, c.MAC)
	if err != nil {
		return nil, err
	}
	lines := []Line{{Item: Item{Type: typeFloating, Version: 7}, Quantity: 1}}
	if err := s.checkDeviceFits(d, lines); err != nil {
		return nil, err
	}
	return s.drawAndBind(by, p, d, lines, "", drawing{c.AlsoFrom, c.OnCredit, c.CreditOrder}, now)
}

// RemoveFloating deletes a device's floating license (it is consumed).
// Refusals: the caller's right, invalid-mac, device-not-in-company,
// no-floating-license.
type RemoveFloating struct {
	Company CompanyID
	MAC     string
}

// CommandType implements Command.
func (RemoveFloating) CommandType() string { return "RemoveFloating" }

func (c RemoveFloating) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	d, _, err := s.companyDevice(by, c.Company, c.MAC)
	if err != nil {
		return nil, err
	}
	for _, l := range d.Licenses {
		if l.Type == typeFloating {
			return []Event{FloatingRemoved{MAC: d.MAC, Company: c.Company, Line: l}}, nil
		}
	}
	return nil, Errorf(KindRejected, "no-floating-license", "device %s has no floating license", d.MAC)
}

// IssueTestLicense produces a test license for a PBX device: not for V5;
// since V11 valid 3 months and only once per device, ever. Refusals: the
// caller's right, invalid-mac, device-not-in-company, invalid-version,
// test-not-v5, license-not-for-device, invalid-quantity,
// test-license-used.
type IssueTestLicense struct {
	Company  CompanyID
	MAC      string
	Version  int
	Slave    bool
	PBXCount int64
}

// CommandType implements Command.
func (IssueTestLicense) CommandType() string { return "IssueTestLicense" }

func (c IssueTestLicense) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	d, _, err := s.companyDevice(by, c.Company, c.MAC)
	if err != nil {
		return nil, err
	}
	if _, ok := s.Catalog.Releases[c.Version]; !ok {
		return nil, Errorf(KindInvalid, "invalid-version", "there is no version %d", c.Version)
	}
	if c.Version == 5 {
		return nil, Errorf(KindRejected, "test-not-v5", "V5 does not support test licenses")
	}
	if t, _ := s.Catalog.DeviceType(d.Type); t.Max[typePBX] == 0 {
		return nil, Errorf(KindRejected, "license-not-for-device", "an %s runs no PBX", d.Type)
	}
	if c.PBXCount < 0 || c.PBXCount > 100_000 || c.Slave && c.PBXCount != 0 {
		return nil, Errorf(KindInvalid, "invalid-quantity", "pbx_count is 0..100000, and 0 for a slave")
	}
	e := TestLicenseIssued{MAC: d.MAC, Company: c.Company, Version: c.Version, Slave: c.Slave, PBXCount: c.PBXCount}
	if c.Version >= 11 {
		if d.TestUntil != "" {
			return nil, Errorf(KindRejected, "test-license-used", "device %s had its test license (until %s)", d.MAC, d.TestUntil)
		}
		e.ValidUntil = now.UTC().AddDate(0, TestLicenseMonths, 0).Format(time.DateOnly)
	}
	return []Event{e}, nil
}

var prefixRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,31}$`)

// SetManufacturerPrefix is the vendor depositing a company's manufacturer
// prefix. Refusals: vendor-only, company-not-found, invalid-prefix.
type SetManufacturerPrefix struct {
	Company CompanyID
	Prefix  string
}

// CommandType implements Command.
func (SetManufacturerPrefix) CommandType() string { return "SetManufacturerPrefix" }

func (c SetManufacturerPrefix) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	if _, ok := s.Companies[c.Company]; !ok {
		return nil, Errorf(KindNotFound, "company-not-found", "no company %d", c.Company)
	}
	p := strings.TrimSpace(c.Prefix)
	if !prefixRE.MatchString(p) {
		return nil, Errorf(KindInvalid, "invalid-prefix", "a manufacturer prefix is 2-32 lower-case letters, digits, '.' or '-'")
	}
	return []Event{ManufacturerPrefixSet{Company: c.Company, Prefix: p}}, nil
}

// IssueAppDevLicense produces an app-development license (not for
// production) with names like App(innovaphone-app1)15 under the company's
// manufacturer prefix, for at most three devices per company. Refusals:
// the caller's right, invalid-mac, device-not-in-company,
// no-manufacturer-prefix, invalid-app-license-name, app-dev-device-limit.
type IssueAppDevLicense struct {
	Company CompanyID
	MAC     string
	Names   []string
}

// CommandType implements Command.
func (IssueAppDevLicense) CommandType() string { return "IssueAppDevLicense" }

func (c IssueAppDevLicense) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	d, _, err := s.companyDevice(by, c.Company, c.MAC)
	if err != nil {
		return nil, err
	}
	prefix, ok := s.Prefixes[c.Company]
	if !ok {
		return nil, Errorf(KindRejected, "no-manufacturer-prefix", "the vendor has not deposited a manufacturer prefix for this company")
	}
	names, err := appDevNames(prefix, c.Names)
	if err != nil {
		return nil, err
	}
	used := s.AppDevDevices[c.Company]
	if !used[d.MAC] && len(used) >= MaxAppDevDevices {
		return nil, Errorf(KindRejected, "app-dev-device-limit", "app-development licenses are limited to %d devices per company", MaxAppDevDevices)
	}
	return []Event{AppDevLicenseIssued{MAC: d.MAC, Company: c.Company, Names: names}}, nil
}

func appDevNames(prefix string, in []string) ([]string, error) {
	re := regexp.MustCompile(`^[A-Za-z]+\(` + regexp.QuoteMeta(prefix) + `-[A-Za-z0-9_.-]+\)[0-9]{1,2}$`)
	if len(in) == 0 || len(in) > 20 {
		return nil, Errorf(KindInvalid, "invalid-app-license-name", "name 1 to 20 licenses")
	}
	out := make([]string, 0, len(in))
	for _, n := range in {
		n = strings.TrimSpace(n)
		if !re.MatchString(n) {
			return nil, Errorf(KindInvalid, "invalid-app-license-name", "%q is not like App(%s-app1)15", n, prefix)
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}
