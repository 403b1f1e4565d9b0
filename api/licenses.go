package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// BindLine is a license type and quantity to bind (the version is the
// body's).
type BindLine struct {
	Type     string `json:"type" maxLength:"100"`
	Quantity int64  `json:"quantity"`
}

// BindBody binds licenses of one version from the balance to a device.
type BindBody struct {
	Version     int                `json:"version"`
	Lines       []BindLine         `json:"lines" nullable:"false"`
	AlsoFrom    []domain.ProjectID `json:"also_from,omitempty" description:"further projects of the company to draw from, in order"`
	OnCredit    bool               `json:"on_credit,omitempty" description:"buy the shortfall on credit (needs the buy-on-credit right)"`
	CreditOrder string             `json:"credit_order,omitempty" maxLength:"100" description:"order number of a purchase on credit"`
	SSAEnd      string             `json:"ssa_end,omitempty" format:"date" maxLength:"10" description:"SSA end of the new lines, priced in SSC (default: none; under automatic SSA always the project's)"`
}

// LicensesWritten is the answer of a binding: the new lines and what was
// bought on credit.
type LicensesWritten struct {
	Written
	Lines  []domain.LicenseLine `json:"lines"`
	Draws  []domain.Draw        `json:"draws"`
	Credit []domain.Line        `json:"credit"`
}

var errsBind = merge(ErrsLicense, ErrsSSAArrival, Errs{
	400: {"invalid-mac", "invalid-lines", "unknown-license-type", "invalid-version", "invalid-quantity", "invalid-date", "invalid-ssa-end"},
	403: {"external-project-restricted"},
	404: {"project-not-found", "device-not-in-company"},
	422: {"device-not-in-project", "device-in-rma", "not-bindable", "license-not-for-device", "device-maximum-exceeded",
		"voicemail-standby-mismatch", "registration-exceeds-pbx", "floating-exclusive", "project-not-in-company", "balance-insufficient"}})

func (s *Server) licenseRoutes(g *echo.Group) {
	s.returnRoutes(g)
	s.extraRoutes(g)
	r := s.doc(g)
	r.POST("/projects/:project/devices/:mac/licenses", Op{Summary: "Bind licenses from the balance to a device of the project",
		Tag: "licenses", Body: BindBody{}, Status: http.StatusCreated, Answer: LicensesWritten{}, Errors: errsBind},
		command(s, http.StatusCreated, func(c echo.Context, b BindBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			lines := make([]domain.Line, len(b.Lines))
			for i, l := range b.Lines {
				lines[i] = domain.Line{Item: domain.Item{Type: l.Type}, Quantity: l.Quantity}
			}
			return domain.BindLicenses{Project: domain.ProjectID(id), MAC: c.Param("mac"), Version: b.Version, Lines: lines,
				AlsoFrom: b.AlsoFrom, OnCredit: b.OnCredit, CreditOrder: b.CreditOrder, SSAEnd: b.SSAEnd}, err
		}, licensesWritten))
	r.GET("/companies/:company/credit-purchases", Op{Summary: "The company's purchases on credit (to be invoiced)", Tag: "licenses",
		Answer: QueryOf[[]projections.CreditPurchaseView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.CreditPurchases(by, id)
		}))
	r.GET("/credit-purchases", Op{Summary: "Every purchase on credit, for invoicing (vendor staff only)", Tag: "licenses",
		Answer: QueryOf[[]projections.CreditPurchaseView]{}, Errors: Errs{403: {"vendor-only"}}},
		func(c echo.Context) error {
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.CreditPurchases(by, 0) })
		})
}

func licensesWritten(r commands.Result) any {
	b := eventOf[domain.LicensesBound](r)
	out := LicensesWritten{Written: written(r), Lines: b.Lines, Draws: b.Draws, Credit: []domain.Line{}}
	if cp := eventOf[domain.CreditPurchased](r); len(cp.Lines) > 0 {
		out.Credit = cp.Lines
	}
	return out
}
