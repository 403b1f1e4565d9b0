package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// InstanceBody registers a Devices App instance.
type InstanceBody struct {
	Name     string `json:"name" maxLength:"100" description:"the instance's domain name; the CSV API's username for all its domains"`
	Password string `json:"password" minLength:"1" maxLength:"200" description:"the instance password; stored as digests only"`
}

// PasswordBody is a new instance or domain password.
type PasswordBody struct {
	Password string `json:"password" minLength:"1" maxLength:"200" description:"stored as digests only, never answered"`
}

// DomainSettingsBody are a domain's settings.
type DomainSettingsBody struct {
	Recipients       []string `json:"recipients,omitempty" maxItems:"20" maxLength:"254" description:"rental expiry mail recipients (none: the person who last acted on the domain)"`
	InvoiceReference string   `json:"invoice_reference,omitempty" maxLength:"100" description:"shown in every row of the rental history CSV"`
	MailLanguage     string   `json:"mail_language,omitempty" enum:"en,de" description:"language of the expiry mails (default en)"`
	Grants           []string `json:"grants,omitempty" maxItems:"100" maxLength:"100" description:"other domains of the instance this domain may read in the CSV API"`
}

// DomainBody adds a domain to an instance.
type DomainBody struct {
	Name     string `json:"name" maxLength:"100" description:"the Devices domain name; its rental project is named $name$"`
	Password string `json:"password" minLength:"1" maxLength:"200" description:"the domain password; stored as digests only"`
	GUID     string `json:"guid,omitempty" maxLength:"36" description:"link the project with this Devices App GUID link instead of $name$"`
	DomainSettingsBody
}

// LinkBody relinks a domain.
type LinkBody struct {
	GUID string `json:"guid,omitempty" maxLength:"36" description:"the project's Devices App GUID link; empty: the project $domain$ (created when absent)"`
}

// DomainDeviceBody registers a device in a domain.
type DomainDeviceBody struct {
	MAC  string `json:"mac" maxLength:"100" description:"the device's MAC in any input form"`
	Type string `json:"type,omitempty" maxLength:"100" description:"the device type (catalog name); default: the registry's, or IPVA for a new virtual MAC"`
}

// DomainKeyBody uploads an activation key into the domain's project.
type DomainKeyBody struct {
	Code    string `json:"code" maxLength:"100"`
	Comment string `json:"comment,omitempty" maxLength:"1000"`
}

// RentalBody is the rental licenses a device is to hold.
type RentalBody struct {
	Licenses []domain.Line `json:"licenses,omitempty" maxItems:"100" description:"per item the units to rent (version 0: the current version); items left out are removed"`
}

// DayBody names the day a scheduler run is for.
type DayBody struct {
	Day string `json:"day,omitempty" format:"date" maxLength:"10" description:"default today"`
}

// InstanceWritten answers an instance registration.
type InstanceWritten struct {
	Written
	Instance domain.InstanceID `json:"instance"`
}

// DomainWritten answers a domain's creation or relinking.
type DomainWritten struct {
	Written
	Domain  string           `json:"domain"`
	Project domain.ProjectID `json:"project"`
}

// RentalWritten answers a rental change or a charge: the rental after it.
type RentalWritten struct {
	Written
	Charged string `json:"charged" description:"iSC charged by the command"`
	domain.RentalSnapshot
}

// ChargesWritten lists the charges a scheduler run decided.
type ChargesWritten struct {
	Written
	Charges []domain.RentalCharged `json:"charges"`
}

// RentalRemindersWritten lists the expiry mails a run decided.
type RentalRemindersWritten struct {
	Written
	Reminders []domain.RentalReminderDue `json:"reminders"`
}

// appPlatformParams are the parameters of the app-platform state.
type appPlatformParams struct {
	Day string `query:"day" format:"date" maxLength:"10" description:"the day the licenses' validity is decided for (default today, UTC)"`
}

// rentalHistoryParams are the parameters of the JSON rental history.
type rentalHistoryParams struct {
	From string `query:"from" format:"date-time" maxLength:"64" description:"entries at or after this time (RFC 3339)"`
	To   string `query:"to" format:"date-time" maxLength:"64" description:"entries before this time (RFC 3339)"`
}

var (
	errsDomain       = merge(ErrsLicense, Errs{404: {"domain-not-found"}})
	errsDomainRead   = merge(ErrsCompanyRead, Errs{404: {"domain-not-found"}})
	errsDomainDevice = merge(errsDomain, Errs{400: {"invalid-mac"}, 404: {"device-not-in-domain"}})
	errsSettings     = Errs{400: {"invalid-email", "too-many-recipients", "invalid-text", "invalid-mail-language", "too-many-grants"},
		404: {"domain-not-found"}}
	errsRent = merge(errsDomainDevice, Errs{
		400: {"too-many-lines", "invalid-quantity", "unknown-license-type", "invalid-version", "unknown-device-type"},
		422: {"device-rented-elsewhere", "not-rentable", "rental-unchanged", "rental-contract-missing", "device-in-rma",
			"license-not-for-device", "device-maximum-exceeded", "voicemail-standby-mismatch", "registration-exceeds-pbx",
			"floating-excludes-pbx", "isc-insufficient"}})
)

func (s *Server) rentalRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/companies/:company/devices-instances", Op{Summary: "Register the company's Devices App instance (administrators)", Tag: "rental",
		Body: InstanceBody{}, Status: http.StatusCreated, Answer: InstanceWritten{},
		Errors: merge(ErrsAdmin, Errs{400: {"invalid-domain-name", "invalid-password"}, 422: {"instance-name-taken"}})},
		command(s, http.StatusCreated, withCompany(func(id domain.CompanyID, b InstanceBody) domain.Command {
			return domain.CreateDevicesInstance{Company: id, Name: b.Name, Password: b.Password}
		}), func(r commands.Result) any {
			return InstanceWritten{Written: written(r), Instance: eventOf[domain.DevicesInstanceCreated](r).Instance}
		}))
	r.GET("/companies/:company/devices-instances", Op{Summary: "The company's Devices App instances", Tag: "rental",
		Answer: QueryOf[[]projections.InstanceView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.DevicesInstances(by, id)
		}))
	r.PUT("/devices-instances/:instance/password", Op{Summary: "Set the instance password (administrators)", Tag: "rental",
		Body: PasswordBody{}, Answer: Written{}, Errors: merge(ErrsAdmin, Errs{400: {"invalid-instance", "invalid-password"}, 404: {"instance-not-found"}})},
		s.instancePassword)
	r.POST("/devices-instances/:instance/domains", Op{Summary: "Add a domain to the instance, linked to its rental project", Tag: "rental",
		Body: DomainBody{}, Status: http.StatusCreated, Answer: DomainWritten{},
		Errors: merge(ErrsLicense, errsSettings, Errs{400: {"invalid-instance", "invalid-domain-name", "invalid-password"},
			404: {"instance-not-found", "guid-not-found"}, 422: {"domain-name-taken", "project-linked"}})},
		s.createDomain)
	r.GET("/companies/:company/domains", Op{Summary: "The company's Devices domains", Tag: "rental",
		Answer: QueryOf[[]projections.DomainView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.Domains(by, id)
		}))
	r.GET("/domains/:domain", Op{Summary: "The domain's app-platform state: project, devices, the licenses each must hold, iSC, monthly cost, rental end",
		Tag: "rental", Params: appPlatformParams{}, Answer: QueryOf[domain.AppPlatformState]{}, Errors: merge(errsDomainRead, Errs{400: {"invalid-date"}})},
		s.appPlatformState)
	r.GET("/domains/:domain/rental/history", Op{Summary: "The domain's rental history: rentals, removals, charges, balance changes", Tag: "rental",
		Params: rentalHistoryParams{}, Answer: QueryOf[[]projections.RentalEntry]{}, Errors: merge(errsDomainRead, Errs{400: {"invalid-time"}})},
		s.rentalHistory)
	s.domainCommandRoutes(r)
	s.rentRoutes(r)
}

func (s *Server) domainCommandRoutes(r router) {
	r.PUT("/domains/:domain/settings", Op{Summary: "Set the domain's settings (recipients, invoice reference, mail language, granted domains)", Tag: "rental",
		Body: DomainSettingsBody{}, Answer: Written{}, Errors: merge(errsDomain, errsSettings)},
		command(s, http.StatusOK, withDomain(func(name string, b DomainSettingsBody) domain.Command {
			return domain.SetDomainSettings{Domain: name, DomainSettings: b.settings()}
		}), justWritten))
	r.PUT("/domains/:domain/password", Op{Summary: "Set the domain password", Tag: "rental", Body: PasswordBody{}, Answer: Written{},
		Errors: merge(errsDomain, Errs{400: {"invalid-password"}})},
		command(s, http.StatusOK, withDomain(func(name string, b PasswordBody) domain.Command {
			return domain.SetDomainPassword{Domain: name, Password: b.Password}
		}), justWritten))
	r.PUT("/domains/:domain/link", Op{Summary: "Link the domain to another project (by GUID link, or $domain$)", Tag: "rental",
		Body: LinkBody{}, Answer: DomainWritten{},
		Errors: merge(errsDomain, Errs{400: {"invalid-text"}, 404: {"guid-not-found"}, 422: {"domain-has-rentals", "already-linked", "project-linked"}})},
		command(s, http.StatusOK, withDomain(func(name string, b LinkBody) domain.Command {
			return domain.LinkDomain{Domain: name, GUID: b.GUID}
		}), domainWritten[domain.DomainLinked]))
	r.POST("/domains/:domain/devices", Op{Summary: "Register a device in the domain (one domain per instance)", Tag: "rental",
		Body: DomainDeviceBody{}, Status: http.StatusCreated, Answer: Written{},
		Errors: merge(errsDomain, Errs{400: {"invalid-mac", "unknown-device-type", "invalid-text"}, 404: {"device-not-found"},
			422: {"device-already-in-domain", "device-in-other-domain", "ipva-mac-exists", "device-type-mismatch"}})},
		command(s, http.StatusCreated, withDomain(func(name string, b DomainDeviceBody) domain.Command {
			return domain.AddDomainDevice{Domain: name, MAC: b.MAC, Type: b.Type}
		}), justWritten))
	r.DELETE("/domains/:domain/devices/:mac", Op{Summary: "Take a device out of the domain", Tag: "rental", Answer: Written{},
		Errors: merge(errsDomainDevice, Errs{422: {"device-has-rental-licenses"}})},
		command(s, http.StatusOK, withDomainMAC(func(name, mac string, _ struct{}) domain.Command {
			return domain.RemoveDomainDevice{Domain: name, MAC: mac}
		}), justWritten))
	r.POST("/domains/:domain/redemptions", Op{Summary: "Upload an activation key (iSC) into the domain's project", Tag: "rental",
		Body: DomainKeyBody{}, Status: http.StatusCreated, Answer: RentalWritten{},
		Errors: merge(errsDomain, Errs{400: {"invalid-text"}, 404: {"key-not-found", "project-not-found"}, 422: {"key-already-redeemed"}})},
		command(s, http.StatusCreated, withDomain(func(name string, b DomainKeyBody) domain.Command {
			return domain.RedeemDomainKey{Domain: name, Code: b.Code, Comment: b.Comment}
		}), rentalWritten))
}

func (s *Server) rentRoutes(r router) {
	r.POST("/domains/:domain/devices/:mac/rental/quote", Op{Summary: "Precalculate renting licenses: iSC per month and rental end (writes nothing)", Tag: "rental",
		Body: RentalBody{}, Answer: QueryOf[domain.RentalQuote]{}, Errors: errsRent}, s.rentalQuote)
	r.PUT("/domains/:domain/devices/:mac/rental", Op{Summary: "Apply: the rental licenses the device is to hold (items left out are removed)", Tag: "rental",
		Body: RentalBody{}, Answer: RentalWritten{}, Errors: errsRent},
		command(s, http.StatusOK, withDomainMAC(func(name, mac string, b RentalBody) domain.Command {
			return domain.RentLicenses{Domain: name, MAC: mac, Licenses: b.Licenses}
		}), rentalWritten))
	r.DELETE("/domains/:domain/devices/:mac/rental", Op{Summary: "Remove every rented license of the device", Tag: "rental",
		Answer: RentalWritten{}, Errors: errsRent},
		command(s, http.StatusOK, withDomainMAC(func(name, mac string, _ struct{}) domain.Command {
			return domain.RentLicenses{Domain: name, MAC: mac}
		}), rentalWritten))
	r.POST("/rental/charges", Op{Summary: "Charge every renting domain through the day (the scheduler; vendor staff only)", Tag: "rental",
		Body: DayBody{}, Status: http.StatusCreated, Answer: ChargesWritten{},
		Errors: Errs{400: {"invalid-date", "charge-day-in-future"}, 403: {"vendor-only"}}},
		command(s, http.StatusCreated, func(_ echo.Context, b DayBody) (domain.Command, error) {
			day, err := parseDay("day", b.Day)
			return domain.ChargeRentals{Day: day}, err
		}, func(r commands.Result) any {
			out := ChargesWritten{Written: written(r), Charges: []domain.RentalCharged{}}
			for _, e := range r.Events {
				if c, ok := e.(domain.RentalCharged); ok {
					out.Charges = append(out.Charges, c)
				}
			}
			return out
		}))
	r.POST("/rental/reminders", Op{Summary: "Decide the rental expiry mails due (the scheduler; vendor staff only)", Tag: "rental",
		Body: DayBody{}, Status: http.StatusCreated, Answer: RentalRemindersWritten{},
		Errors: Errs{400: {"invalid-date", "reminder-day-in-future"}, 403: {"vendor-only"}}},
		command(s, http.StatusCreated, func(_ echo.Context, b DayBody) (domain.Command, error) {
			day, err := parseDay("day", b.Day)
			return domain.SendRentalReminders{Day: day}, err
		}, func(r commands.Result) any {
			out := RentalRemindersWritten{Written: written(r), Reminders: []domain.RentalReminderDue{}}
			for _, e := range r.Events {
				if m, ok := e.(domain.RentalReminderDue); ok {
					out.Reminders = append(out.Reminders, m)
				}
			}
			return out
		}))
}

func (b DomainSettingsBody) settings() domain.DomainSettings {
	return domain.DomainSettings{Recipients: b.Recipients, InvoiceReference: b.InvoiceReference, MailLanguage: b.MailLanguage, Grants: b.Grants}
}

// withDomain builds a command from the :domain path parameter and the
// body.
func withDomain[B any](build func(name string, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) { return build(c.Param("domain"), b), nil }
}

func withDomainMAC[B any](build func(name, mac string, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		return build(c.Param("domain"), c.Param("mac"), b), nil
	}
}

// instanceParam reads the :instance path parameter.
func instanceParam(c echo.Context) (domain.InstanceID, error) {
	v, err := strconv.ParseInt(c.Param("instance"), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-instance", "instance must be a positive integer")
	}
	return domain.InstanceID(v), nil
}

func (s *Server) instancePassword(c echo.Context) error {
	return command(s, http.StatusOK, func(c echo.Context, b PasswordBody) (domain.Command, error) {
		id, err := instanceParam(c)
		return domain.SetInstancePassword{Instance: id, Password: b.Password}, err
	}, justWritten)(c)
}

func (s *Server) createDomain(c echo.Context) error {
	return command(s, http.StatusCreated, func(c echo.Context, b DomainBody) (domain.Command, error) {
		id, err := instanceParam(c)
		if err != nil {
			return nil, err
		}
		return domain.CreateDomain{Instance: id, Name: b.Name, Password: b.Password, GUID: b.GUID,
			DomainSettings: b.settings()}, nil
	}, domainWritten[domain.DomainCreated])(c)
}

func domainWritten[E interface {
	domain.Event
	Ref() domain.DomainRef
}](r commands.Result) any {
	ref := eventOf[E](r).Ref()
	return DomainWritten{Written: written(r), Domain: ref.Domain, Project: ref.Project}
}

func rentalWritten(r commands.Result) any {
	out := RentalWritten{Written: written(r), Charged: "0"}
	charged := "0"
	for _, e := range r.Events {
		switch e := e.(type) {
		case domain.RentalCharged:
			out.RentalSnapshot, charged = e.RentalSnapshot, addISC(charged, e.Amount)
		case domain.RentalLicensesBound:
			out.RentalSnapshot = e.RentalSnapshot
		case domain.RentalLicensesRemoved:
			out.RentalSnapshot = e.RentalSnapshot
		case domain.RentalBalanceChanged:
			out.RentalSnapshot = e.RentalSnapshot
		}
	}
	out.Charged = charged
	return out
}

// addISC adds two decimal amounts written by the domain.
func addISC(a, b string) string {
	x, _ := decimal.NewFromString(a)
	y, _ := decimal.NewFromString(b)
	return x.Add(y).String()
}

func (s *Server) appPlatformState(c echo.Context) error {
	day, err := parseDay("day", c.QueryParam("day"))
	if err != nil {
		return err
	}
	if day.IsZero() {
		day = domain.DayOf(s.cfg.Clock())
	}
	name := c.Param("domain")
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
		return rd.AppPlatformState(by, name, day)
	})
}

func (s *Server) rentalHistory(c echo.Context) error {
	var q projections.RentalHistoryQuery
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if raw := c.QueryParam(p.name); raw != "" {
			t, err := time.Parse(time.RFC3339Nano, raw)
			if err != nil {
				return domain.Errorf(domain.KindInvalid, "invalid-time", "%s must be an RFC 3339 time", p.name)
			}
			*p.to = t
		}
	}
	q.Domains = []string{domain.NormalizeDomainName(c.Param("domain"))}
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.RentalHistory(by, q) })
}

func (s *Server) rentalQuote(c echo.Context) error {
	var b RentalBody
	if _, err := readBody(c, &b); err != nil {
		return err
	}
	cmd := domain.RentLicenses{Domain: c.Param("domain"), MAC: c.Param("mac"), Licenses: b.Licenses}
	now := s.cfg.Clock()
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.RentalQuote(by, cmd, now) })
}
