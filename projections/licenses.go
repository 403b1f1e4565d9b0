package projections

import "github.com/innolic/ledger/domain"

// LicenseReader is the query side of the license lifecycle: devices with
// their license lines, activation keys, credit purchases. It is embedded in
// Reader; every backend answers it equally.
type LicenseReader interface {
	// Devices lists a company's devices, optionally of one project and
	// matching a text (MAC, name or comment), in MAC order; RMA devices
	// are marked.
	Devices(by domain.Principal, company domain.CompanyID, f DeviceFilter) ([]DeviceView, error)
	// Device is one of a company's devices with its license lines.
	Device(by domain.Principal, company domain.CompanyID, mac domain.MAC) (DeviceDetailView, error)
	// ActivationKeys lists the keys created from a company's projects
	// (own) and the keys redeemed into them, optionally of one order
	// number, in code order.
	ActivationKeys(by domain.Principal, company domain.CompanyID, f KeyFilter) ([]KeyView, error)
	// KeyCertificate is the data of a key's license certificate, for the
	// company that created or redeemed it and vendor staff.
	KeyCertificate(by domain.Principal, code string) (KeyCertificateView, error)
	// CreditPurchases lists purchases on credit for invoicing: of one
	// company (its members), or of all companies (company 0, vendor staff).
	CreditPurchases(by domain.Principal, company domain.CompanyID) ([]CreditPurchaseView, error)
	// FreePool lists the returned licenses of a project, in id order.
	FreePool(by domain.Principal, project domain.ProjectID) ([]domain.LicenseLine, error)
	// DownloadVersions lists the versions a device of the company may
	// download a license file in today.
	DownloadVersions(by domain.Principal, company domain.CompanyID, mac domain.MAC) (DownloadView, error)
	// ForeignDevice is the license, SSA and warranty status of any
	// registered device, for companies that linked their customer id.
	ForeignDevice(by domain.Principal, company domain.CompanyID, mac domain.MAC) (ForeignDeviceView, error)
	// OrderDevices lists the devices the vendor registry holds for an order
	// number (the portal's "devices of an order" download).
	OrderDevices(by domain.Principal, order string) ([]RegistryDeviceView, error)
}

// DeviceFilter narrows a device list.
type DeviceFilter struct {
	Project domain.ProjectID // 0: every project of the company; a rental project lists the devices also in it
	Text    string           // case-insensitive part of MAC, name or comment
}

// KeyFilter narrows a key list.
type KeyFilter struct {
	OrderNumber string // exact order number; empty: every key
}

// DeviceView is one device in a company's list.
type DeviceView struct {
	MAC     domain.MAC       `json:"mac"`
	Type    string           `json:"type"`
	Project domain.ProjectID `json:"project"`
	Name    string           `json:"name"`
	Comment string           `json:"comment,omitempty"`
	RMA     domain.RMAState  `json:"rma,omitempty"` // requested or received: shown red
	// RentalProject is the rental project the device sits in beside
	// Project: it holds rental licenses of the Devices domain linked to it.
	RentalProject domain.ProjectID `json:"rental_project,omitempty"`
}

// DeviceDetailView is a device with its license lines.
type DeviceDetailView struct {
	DeviceView
	OrderNumber    string                `json:"order_number,omitempty"`
	Delivered      string                `json:"delivered,omitempty"`
	InOtherCompany bool                  `json:"in_other_company,omitempty"`
	Licenses       []domain.LicenseLine  `json:"licenses"`
	Invalidations  []domain.Invalidation `json:"invalidations"`
	WarrantyEnd    string                `json:"warranty_end,omitempty"`
	TestUntil      string                `json:"test_until,omitempty"`
	ReturnLocked   bool                  `json:"return_locked,omitempty"`
}

// DownloadView lists the versions a license file may be downloaded in.
type DownloadView struct {
	MAC          domain.MAC `json:"mac"`
	Versions     []int      `json:"versions"`
	ReturnLocked bool       `json:"return_locked,omitempty"`
}

// ForeignDeviceView is what a company sees of a device outside its
// projects: type, warranty end and the license lines with their SSA.
type ForeignDeviceView struct {
	MAC         domain.MAC    `json:"mac"`
	Type        string        `json:"type"`
	WarrantyEnd string        `json:"warranty_end,omitempty"`
	Licenses    []ForeignLine `json:"licenses"`
}

// ForeignLine is a license line of a foreign device, without its history.
type ForeignLine struct {
	domain.Item
	Quantity int64  `json:"quantity"`
	SSAEnd   string `json:"ssa_end,omitempty"`
}

// KeyView is an activation key in a company's list.
type KeyView struct {
	Code           string           `json:"code"`
	Lines          []domain.Line    `json:"lines"`
	Own            bool             `json:"own"`                     // created from one of the company's projects
	FromProject    domain.ProjectID `json:"from_project,omitempty"`  // own keys
	RedeemedInto   domain.ProjectID `json:"redeemed_into,omitempty"` // 0: not redeemed
	OrderNumber    string           `json:"order_number,omitempty"`
	OrderReference string           `json:"order_reference,omitempty"`
	Comment        string           `json:"comment,omitempty"`
}

// KeyCertificateView is what the license certificate of a key shows.
type KeyCertificateView struct {
	Code           string        `json:"code"`
	Lines          []domain.Line `json:"lines"`
	IssuedBy       string        `json:"issued_by"` // "vendor" or the creating company's name
	OrderNumber    string        `json:"order_number,omitempty"`
	OrderReference string        `json:"order_reference,omitempty"`
	RedeemedBy     string        `json:"redeemed_by,omitempty"` // the redeeming company's name
}

// CreditPurchaseView is one purchase on credit, to be invoiced.
type CreditPurchaseView struct {
	Company     domain.CompanyID `json:"company"`
	Project     domain.ProjectID `json:"project"`
	Person      domain.PersonID  `json:"person"`
	MAC         domain.MAC       `json:"mac,omitempty"`
	Lines       []domain.Line    `json:"lines"`
	OrderNumber string           `json:"order_number,omitempty"`
	Date        string           `json:"date"`
}

// RegistryDeviceView is a device of the vendor registry.
type RegistryDeviceView struct {
	MAC         domain.MAC `json:"mac"`
	Type        string     `json:"type"`
	OrderNumber string     `json:"order_number"`
	Delivered   string     `json:"delivered"`
}
