package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// WarrantyBody extends a device's warranty by years, drawn from the balance.
type WarrantyBody struct {
	Years       int64              `json:"years" minimum:"1" maximum:"4"`
	AlsoFrom    []domain.ProjectID `json:"also_from,omitempty"`
	OnCredit    bool               `json:"on_credit,omitempty"`
	CreditOrder string             `json:"credit_order,omitempty" maxLength:"100"`
}

// FloatingBody binds a V7 floating license from the balance.
type FloatingBody struct {
	AlsoFrom    []domain.ProjectID `json:"also_from,omitempty"`
	OnCredit    bool               `json:"on_credit,omitempty"`
	CreditOrder string             `json:"credit_order,omitempty" maxLength:"100"`
}

// TestLicenseBody asks for a test license.
type TestLicenseBody struct {
	Version  int   `json:"version"`
	Slave    bool  `json:"slave,omitempty"`
	PBXCount int64 `json:"pbx_count,omitempty"`
}

// TestLicenseWritten says until when a test license is valid.
type TestLicenseWritten struct {
	Written
	ValidUntil string `json:"valid_until,omitempty"`
}

// PrefixBody is a company's manufacturer prefix.
type PrefixBody struct {
	Prefix string `json:"prefix" maxLength:"32"`
}

// AppDevBody names the app-development licenses to produce.
type AppDevBody struct {
	Names []string `json:"names" nullable:"false" maxLength:"100"`
}

// DownloadBody records a license file download.
type DownloadBody struct {
	Version             int  `json:"version"`
	Encrypted           bool `json:"encrypted"`
	NoDowngradeBootcode bool `json:"no_downgrade_bootcode,omitempty"`
}

// DownloadWritten says whether the download locked returning.
type DownloadWritten struct {
	Written
	LocksReturn bool `json:"locks_return"`
}

var errsDraw = Errs{422: {"project-not-in-company", "balance-insufficient"}, 404: {"project-not-found", "device-not-in-company"},
	400: {"invalid-mac"}, 403: {"external-project-restricted"}}

func (s *Server) extraRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/projects/:project/devices/:mac/warranty", Op{Summary: "Extend a device's warranty (GVL-Purchase within 6 weeks of delivery, else GVL-Within-Warranty; at most 4 years)",
		Tag: "licenses", Body: WarrantyBody{}, Status: http.StatusCreated, Answer: LicensesWritten{},
		Errors: merge(ErrsLicense, errsDraw, Errs{400: {"invalid-years"}, 422: {"device-not-in-project", "device-in-rma", "warranty-maximum-exceeded",
			"license-not-for-device", "device-maximum-exceeded"}})},
		command(s, http.StatusCreated, func(c echo.Context, b WarrantyBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.ExtendWarranty{Project: domain.ProjectID(id), MAC: c.Param("mac"), Years: b.Years, AlsoFrom: b.AlsoFrom,
				OnCredit: b.OnCredit, CreditOrder: b.CreditOrder}, err
		}, licensesWritten))
	r.POST("/projects/:project/devices/:mac/floating", Op{Summary: "Bind a V7 floating license (slave PBX) from the balance",
		Tag: "licenses", Body: FloatingBody{}, Status: http.StatusCreated, Answer: LicensesWritten{},
		Errors: merge(ErrsLicense, errsDraw, Errs{422: {"device-not-in-project", "device-in-rma", "license-not-for-device",
			"device-maximum-exceeded", "floating-exclusive"}})},
		command(s, http.StatusCreated, func(c echo.Context, b FloatingBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.AddFloating{Project: domain.ProjectID(id), MAC: c.Param("mac"), AlsoFrom: b.AlsoFrom, OnCredit: b.OnCredit,
				CreditOrder: b.CreditOrder}, err
		}, licensesWritten))
	r.DELETE("/companies/:company/devices/:mac/floating", Op{Summary: "Delete a device's V7 floating license", Tag: "licenses",
		Answer: Written{}, Errors: merge(errsDeviceLicense, Errs{422: {"no-floating-license"}})},
		command(s, http.StatusOK, withCompanyMAC(func(id domain.CompanyID, mac string, _ struct{}) domain.Command {
			return domain.RemoveFloating{Company: id, MAC: mac}
		}), justWritten))
	r.POST("/companies/:company/devices/:mac/test-licenses", Op{Summary: "Produce a test license (not V5; since V11 3 months, once per device)",
		Tag: "licenses", Body: TestLicenseBody{}, Status: http.StatusCreated, Answer: TestLicenseWritten{},
		Errors: merge(errsDeviceLicense, Errs{400: {"invalid-version", "invalid-quantity"}, 422: {"test-not-v5", "license-not-for-device", "test-license-used"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b TestLicenseBody) domain.Command {
			return domain.IssueTestLicense{Company: id, MAC: mac, Version: b.Version, Slave: b.Slave, PBXCount: b.PBXCount}
		}), func(res commands.Result) any {
			return TestLicenseWritten{Written: written(res), ValidUntil: eventOf[domain.TestLicenseIssued](res).ValidUntil}
		}))
	s.appDevAndDownloadRoutes(r)
}

func (s *Server) appDevAndDownloadRoutes(r router) {
	r.PUT("/companies/:company/manufacturer-prefix", Op{Summary: "Deposit the company's manufacturer prefix (vendor staff only)",
		Tag: "licenses", Body: PrefixBody{}, Answer: Written{}, Errors: Errs{403: {"vendor-only"}, 404: {"company-not-found"}, 400: {"invalid-prefix"}}},
		command(s, http.StatusOK, withCompany(func(id domain.CompanyID, b PrefixBody) domain.Command {
			return domain.SetManufacturerPrefix{Company: id, Prefix: b.Prefix}
		}), justWritten))
	r.POST("/companies/:company/devices/:mac/app-dev-licenses", Op{Summary: "Produce an app-development license (at most 3 devices per company)",
		Tag: "licenses", Body: AppDevBody{}, Status: http.StatusCreated, Answer: Written{},
		Errors: merge(errsDeviceLicense, Errs{400: {"invalid-app-license-name"}, 422: {"no-manufacturer-prefix", "app-dev-device-limit"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b AppDevBody) domain.Command {
			return domain.IssueAppDevLicense{Company: id, MAC: mac, Names: b.Names}
		}), justWritten))
	r.GET("/companies/:company/devices/:mac/downloads", Op{Summary: "The versions a device's license file may be downloaded in",
		Tag: "licenses", Answer: QueryOf[projections.DownloadView]{}, Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-mac"}, 404: {"device-not-in-company"}})},
		s.deviceQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID, mac domain.MAC) (any, error) {
			return rd.DownloadVersions(by, id, mac)
		}))
	r.POST("/companies/:company/devices/:mac/downloads", Op{Summary: "Record a license file download (unencrypted files lock returning)",
		Tag: "licenses", Body: DownloadBody{}, Status: http.StatusCreated, Answer: DownloadWritten{},
		Errors: merge(errsDeviceLicense, Errs{422: {"version-not-entitled"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b DownloadBody) domain.Command {
			return domain.RecordDownload{Company: id, MAC: mac, Version: b.Version, Encrypted: b.Encrypted, NoDowngradeBootcode: b.NoDowngradeBootcode}
		}), func(res commands.Result) any {
			return DownloadWritten{Written: written(res), LocksReturn: eventOf[domain.LicensesDownloaded](res).LocksReturn}
		}))
	r.GET("/companies/:company/foreign-devices/:mac", Op{Summary: "License, SSA and warranty status of a device outside the company's projects (needs the linked customer id)",
		Tag: "devices", Answer: QueryOf[projections.ForeignDeviceView]{},
		Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-mac"}, 404: {"device-not-found"}, 422: {"customer-id-required"}})},
		s.deviceQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID, mac domain.MAC) (any, error) {
			return rd.ForeignDevice(by, id, mac)
		}))
}

// deviceQuery is the handler of a query on one device of a company.
func (s *Server) deviceQuery(q func(projections.Reader, domain.Principal, domain.CompanyID, domain.MAC) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "company")
		if err != nil {
			return err
		}
		mac, err := domain.ParseMAC(c.Param("mac"))
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
			return q(rd, by, domain.CompanyID(id), mac)
		})
	}
}
