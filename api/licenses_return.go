package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// InvalidationBody is what the device's invalidation document says.
type InvalidationBody struct {
	Firmware    int  `json:"firmware" description:"the device's firmware major version (8 or later)"`
	Certificate bool `json:"certificate,omitempty" description:"the device holds a device certificate (default false: it does not)"`
}

// InvalidationWritten is the confirmation of a return.
type InvalidationWritten struct {
	Written
	Confirmation string               `json:"confirmation"`
	Project      domain.ProjectID     `json:"project"`
	Lines        []domain.LicenseLine `json:"lines"`
}

// FreeBindBody names free license lines of the project by id.
type FreeBindBody struct {
	IDs []int64 `json:"ids" nullable:"false"`
}

// LicenseMoveBody names the target device of a license move.
type LicenseMoveBody struct {
	To string `json:"to" maxLength:"100"`
}

// LinesWritten lists the license lines a command moved.
type LinesWritten struct {
	Written
	Lines []domain.LicenseLine `json:"lines"`
}

var errsDeviceLicense = merge(ErrsLicense, Errs{400: {"invalid-mac"}, 404: {"device-not-in-company"}})

func (s *Server) returnRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/companies/:company/devices/:mac/invalidations", Op{Summary: "Return (invalidate) a device's purchased PBX licenses into its project's free pool",
		Tag: "licenses", Body: InvalidationBody{}, Status: http.StatusCreated, Answer: InvalidationWritten{},
		Errors: merge(errsDeviceLicense, Errs{422: {"virtual-device", "firmware-too-old", "no-device-certificate", "in-house-licenses",
			"returning-locked", "nothing-to-return"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b InvalidationBody) domain.Command {
			return domain.ReturnLicenses{Company: id, MAC: mac, Firmware: b.Firmware, Certificate: b.Certificate}
		}), func(res commands.Result) any {
			e := eventOf[domain.LicensesReturned](res)
			return InvalidationWritten{Written: written(res), Confirmation: e.Confirmation, Project: e.Project, Lines: e.Lines}
		}))
	r.GET("/projects/:project/free-licenses", Op{Summary: "The project's free pool of returned licenses", Tag: "licenses",
		Answer: QueryOf[[]domain.LicenseLine]{}, Errors: ErrsProjectRead},
		func(c echo.Context) error {
			id, err := idParam(c, "project")
			if err != nil {
				return err
			}
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.FreePool(by, domain.ProjectID(id))
			})
		})
	r.POST("/projects/:project/devices/:mac/free-licenses", Op{Summary: "Bind lines of the project's free pool to a device (dates and keys kept)",
		Tag: "licenses", Body: FreeBindBody{}, Status: http.StatusCreated, Answer: LinesWritten{},
		Errors: merge(errsBind, Errs{404: {"free-license-not-found"}})},
		command(s, http.StatusCreated, func(c echo.Context, b FreeBindBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.BindFreeLicenses{Project: domain.ProjectID(id), MAC: c.Param("mac"), IDs: b.IDs}, err
		}, func(res commands.Result) any {
			return LinesWritten{Written: written(res), Lines: eventOf[domain.FreeLicensesBound](res).Lines}
		}))
	r.POST("/companies/:company/devices/:mac/license-moves", Op{Summary: "Move a device's licenses to a device without licenses; the source becomes RMA",
		Tag: "licenses", Body: LicenseMoveBody{}, Status: http.StatusCreated, Answer: LinesWritten{},
		Errors: merge(errsDeviceLicense, Errs{400: {"same-device"}, 403: {"move-needs-rma"}, 422: {"device-in-rma", "target-has-licenses",
			"nothing-to-move", "license-not-for-device", "device-maximum-exceeded", "voicemail-standby-mismatch", "registration-exceeds-pbx", "floating-exclusive"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b LicenseMoveBody) domain.Command {
			return domain.MoveLicenses{Company: id, From: mac, To: b.To}
		}), func(res commands.Result) any {
			return LinesWritten{Written: written(res), Lines: eventOf[domain.LicensesMoved](res).Lines}
		}))
	r.POST("/registry/devices/:mac/reshipment", Op{Summary: "Reship a received RMA device; its remaining licenses go to Freed_RMA_licenses (vendor staff only)",
		Tag: "devices", Answer: LinesWritten{}, Errors: Errs{403: {"vendor-only"}, 400: {"invalid-mac"}, 404: {"device-not-found", "company-not-found"},
			422: {"rma-not-received"}}},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			return domain.ReshipRMA{MAC: c.Param("mac")}, nil
		}, func(res commands.Result) any {
			return LinesWritten{Written: written(res), Lines: eventOf[domain.RMAReshipped](res).Lines}
		}))
}
