package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// RegisterOrderBody enters the devices of an order into the vendor registry.
type RegisterOrderBody struct {
	OrderNumber string                 `json:"order_number" maxLength:"100"`
	Delivered   string                 `json:"delivered" format:"date" maxLength:"10"`
	Devices     []domain.RegistryEntry `json:"devices" nullable:"false"`
}

// DevicesWritten names the devices a command wrote about.
type DevicesWritten struct {
	Written
	Devices []domain.MAC `json:"devices"`
}

// AddDevicesBody selects the devices to add: exactly one of mac, macs,
// from/to or order_number. Type is the device type of a virtual MAC
// (default IPVA).
type AddDevicesBody struct {
	MAC         string   `json:"mac,omitempty" maxLength:"100"`
	MACs        []string `json:"macs,omitempty" maxLength:"100"`
	From        string   `json:"from,omitempty" maxLength:"100"`
	To          string   `json:"to,omitempty" maxLength:"100"`
	OrderNumber string   `json:"order_number,omitempty" maxLength:"100"`
	Type        string   `json:"type,omitempty" maxLength:"100"`
}

// DeviceWarning is a warning about one added device, not an error.
type DeviceWarning struct {
	MAC  domain.MAC `json:"mac"`
	Code string     `json:"code" enum:"in-other-company"`
}

// DevicesAdded is the answer of adding devices.
type DevicesAdded struct {
	Written
	Devices  []domain.MAC    `json:"devices"`
	Warnings []DeviceWarning `json:"warnings"`
}

// DeviceListBody names devices of the company (remove several).
type DeviceListBody struct {
	MACs []string `json:"macs" nullable:"false" maxLength:"100"`
}

// MoveDevicesBody moves devices of the company to one of its projects.
type MoveDevicesBody struct {
	MACs []string         `json:"macs" nullable:"false" maxLength:"100"`
	To   domain.ProjectID `json:"to"`
}

// DevicePropertiesBody is a company's name and comment of a device.
type DevicePropertiesBody struct {
	Name    string `json:"name" maxLength:"100"`
	Comment string `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
}

// RMABody requests RMA for a device.
type RMABody struct {
	Reason string `json:"reason,omitempty" maxLength:"1000" text:"multiline"`
}

type deviceListParams struct {
	Project int64  `query:"project" description:"only devices of this project"`
	Q       string `query:"q" maxLength:"200" description:"part of MAC, name or comment (case-insensitive)"`
}

// Problem sets of the device routes.
var (
	errsDeviceInCompany = merge(ErrsLicense, Errs{400: {"invalid-mac"}, 404: {"device-not-in-company"}})
	errsAddDevices      = merge(ErrsLicense, Errs{400: {"invalid-mac", "too-many-devices", "invalid-range", "no-devices",
		"invalid-device-selection", "unknown-device-type"}, 403: {"external-project-restricted"},
		404: {"project-not-found", "order-not-found", "device-not-found"},
		422: {"already-in-company", "ipva-mac-exists", "device-type-mismatch"}})
)

func (s *Server) deviceRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/registry/orders", Op{Summary: "Register the devices of an order in the vendor registry (vendor staff only)",
		Tag: "devices", Body: RegisterOrderBody{}, Status: http.StatusCreated, Answer: DevicesWritten{},
		Errors: Errs{403: {"vendor-only"}, 400: {"invalid-order-number", "invalid-date", "invalid-devices", "invalid-mac", "unknown-device-type"},
			422: {"device-type-not-hardware", "mac-not-vendor", "device-registered"}}},
		command(s, http.StatusCreated, func(_ echo.Context, b RegisterOrderBody) (domain.Command, error) {
			return domain.RegisterDevices{OrderNumber: b.OrderNumber, Delivered: b.Delivered, Devices: b.Devices}, nil
		}, devicesWritten))
	r.GET("/registry/orders/:order", Op{Summary: "The devices of an order", Tag: "devices",
		Answer: QueryOf[[]projections.RegistryDeviceView]{}, Errors: Errs{404: {"order-not-found"}}},
		func(c echo.Context) error {
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.OrderDevices(by, c.Param("order"))
			})
		})
	r.POST("/registry/devices/:mac/rma-receipt", Op{Summary: "Mark a requested RMA device as received (vendor staff only)",
		Tag: "devices", Answer: Written{}, Errors: Errs{403: {"vendor-only"}, 400: {"invalid-mac"}, 404: {"device-not-found"}, 422: {"rma-not-requested"}}},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			return domain.ReceiveRMA{MAC: c.Param("mac")}, nil
		}, justWritten))
	r.POST("/projects/:project/devices", Op{Summary: "Add one device, a list or a range (at most 50) or all devices of an order to the project",
		Tag: "devices", Body: AddDevicesBody{}, Status: http.StatusCreated, Answer: DevicesAdded{}, Errors: errsAddDevices},
		command(s, http.StatusCreated, func(c echo.Context, b AddDevicesBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			macs := b.MACs
			if b.MAC != "" {
				macs = append([]string{b.MAC}, macs...)
			}
			return domain.AddDevices{Project: domain.ProjectID(id), MACs: macs, From: b.From, To: b.To, OrderNumber: b.OrderNumber, Type: b.Type}, err
		}, devicesAdded))
	s.companyDeviceRoutes(r)
}

func (s *Server) companyDeviceRoutes(r router) {
	r.GET("/companies/:company/devices", Op{Summary: "The company's devices (RMA devices marked)", Tag: "devices",
		Params: deviceListParams{}, Answer: QueryOf[[]projections.DeviceView]{}, Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-project"}})},
		s.listDevices)
	r.GET("/companies/:company/devices/:mac", Op{Summary: "A device of the company with its license lines", Tag: "devices",
		Answer: QueryOf[projections.DeviceDetailView]{}, Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-mac"}, 404: {"device-not-in-company"}})},
		s.getDevice)
	r.PUT("/companies/:company/devices/:mac", Op{Summary: "Set the name (not a MAC or IPEI) and comment of a device", Tag: "devices",
		Body: DevicePropertiesBody{}, Answer: Written{}, Errors: merge(errsDeviceInCompany, Errs{400: {"invalid-name", "invalid-device-name", "invalid-comment"}})},
		command(s, http.StatusOK, withCompanyMAC(func(id domain.CompanyID, mac string, b DevicePropertiesBody) domain.Command {
			return domain.ChangeDevice{Company: id, MAC: mac, Name: b.Name, Comment: b.Comment}
		}), justWritten))
	r.DELETE("/companies/:company/devices/:mac", Op{Summary: "Remove a device from the company; its licenses stay with it", Tag: "devices",
		Answer: DevicesWritten{}, Errors: errsDeviceInCompany},
		command(s, http.StatusOK, withCompanyMAC(func(id domain.CompanyID, mac string, _ struct{}) domain.Command {
			return domain.RemoveDevices{Company: id, MACs: []string{mac}}
		}), devicesNamed))
	r.POST("/companies/:company/device-removals", Op{Summary: "Remove several devices (at most 50); their licenses stay with them", Tag: "devices",
		Body: DeviceListBody{}, Status: http.StatusCreated, Answer: DevicesWritten{}, Errors: merge(errsDeviceInCompany, Errs{400: {"too-many-devices", "no-devices"}})},
		command(s, http.StatusCreated, withCompany(func(id domain.CompanyID, b DeviceListBody) domain.Command {
			return domain.RemoveDevices{Company: id, MACs: b.MACs}
		}), devicesNamed))
	r.POST("/companies/:company/device-moves", Op{Summary: "Move one or several devices (at most 50) to another project of the company", Tag: "devices",
		Body: MoveDevicesBody{}, Status: http.StatusCreated, Answer: DevicesWritten{},
		Errors: merge(errsDeviceInCompany, ErrsSSAArrival, Errs{400: {"too-many-devices", "no-devices"}, 404: {"project-not-found"}, 422: {"project-not-in-company", "already-in-project"}})},
		command(s, http.StatusCreated, withCompany(func(id domain.CompanyID, b MoveDevicesBody) domain.Command {
			return domain.MoveDevices{Company: id, MACs: b.MACs, To: b.To}
		}), devicesNamed))
	r.POST("/companies/:company/devices/:mac/rma", Op{Summary: "Request RMA for a hardware device", Tag: "devices",
		Body: RMABody{}, Status: http.StatusCreated, Answer: Written{}, Errors: merge(errsDeviceInCompany, Errs{422: {"not-hardware", "rma-already-requested"}})},
		command(s, http.StatusCreated, withCompanyMAC(func(id domain.CompanyID, mac string, b RMABody) domain.Command {
			return domain.RequestRMA{Company: id, MAC: mac, Reason: b.Reason}
		}), justWritten))
}

// withCompanyMAC builds a command from the :company and :mac path
// parameters and the body; the decider parses the MAC.
func withCompanyMAC[B any](build func(id domain.CompanyID, mac string, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		id, err := idParam(c, "company")
		if err != nil {
			return nil, err
		}
		return build(domain.CompanyID(id), c.Param("mac"), b), nil
	}
}

func (s *Server) getDevice(c echo.Context) error {
	id, err := idParam(c, "company")
	if err != nil {
		return err
	}
	mac, err := domain.ParseMAC(c.Param("mac"))
	if err != nil {
		return err
	}
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
		return rd.Device(by, domain.CompanyID(id), mac)
	})
}

// devicesNamed answers with the devices the command's events name.
func devicesNamed(r commands.Result) any {
	out := DevicesWritten{Written: written(r), Devices: []domain.MAC{}}
	for _, e := range r.Events {
		switch d := e.(type) {
		case domain.DeviceRemoved:
			out.Devices = append(out.Devices, d.MAC)
		case domain.DeviceMoved:
			out.Devices = append(out.Devices, d.MAC)
		}
	}
	return out
}

func devicesWritten(r commands.Result) any {
	out := DevicesWritten{Written: written(r), Devices: []domain.MAC{}}
	for _, e := range r.Events {
		if d, ok := e.(domain.DeviceRegistered); ok {
			out.Devices = append(out.Devices, d.MAC)
		}
	}
	return out
}

func devicesAdded(r commands.Result) any {
	out := DevicesAdded{Written: written(r), Devices: []domain.MAC{}, Warnings: []DeviceWarning{}}
	for _, e := range r.Events {
		if d, ok := e.(domain.DeviceAdded); ok {
			out.Devices = append(out.Devices, d.MAC)
			if d.InOtherCompany {
				out.Warnings = append(out.Warnings, DeviceWarning{MAC: d.MAC, Code: "in-other-company"})
			}
		}
	}
	return out
}

func (s *Server) listDevices(c echo.Context) error {
	id, err := idParam(c, "company")
	if err != nil {
		return err
	}
	f := projections.DeviceFilter{Text: c.QueryParam("q")}
	if raw := c.QueryParam("project"); raw != "" {
		p, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || p <= 0 {
			return domain.Errorf(domain.KindInvalid, "invalid-project", "project must be a positive integer")
		}
		f.Project = domain.ProjectID(p)
	}
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
		return rd.Devices(by, domain.CompanyID(id), f)
	})
}
