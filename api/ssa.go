package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// SSAQuoteBody asks the price of an SSA end (the Software Service page).
// Exactly one of end and max_ssc.
type SSAQuoteBody struct {
	End      string        `json:"end,omitempty" format:"date" maxLength:"10" description:"the SSA end date"`
	MaxSSC   *int64        `json:"max_ssc,omitempty" minimum:"0" description:"instead of end: the latest end whose total fits this many SSC"`
	CalcDate string        `json:"calc_date,omitempty" format:"date" maxLength:"10" description:"preview for another calculation date (default today; only today can be confirmed)"`
	OptOut   []int64       `json:"opt_out,omitempty" description:"license line ids that get no SSA"`
	Extra    []domain.Line `json:"extra,omitempty" description:"licenses to be bound later (preview only)"`
}

// SSAExtendBody confirms a project's SSA end for today.
type SSAExtendBody struct {
	End           string  `json:"end,omitempty" format:"date" maxLength:"10" description:"the SSA end date; a past date (at most a year) only corrects the project date"`
	MaxSSC        *int64  `json:"max_ssc,omitempty" minimum:"0" description:"instead of end: the latest end whose total fits this many SSC"`
	OptOut        []int64 `json:"opt_out,omitempty" description:"license line ids that get no SSA"`
	OnCredit      bool    `json:"on_credit,omitempty" description:"buy the SSC shortfall on credit (needs the buy-on-credit right)"`
	CreditOrder   string  `json:"credit_order,omitempty" maxLength:"100" description:"order number of the purchase on credit"`
	ExpectedTotal *int64  `json:"expected_total,omitempty" description:"the total the caller was shown; refused (ssc-total-changed) if it changed"`
}

// SSAWritten is the answer of an SSA confirmation.
type SSAWritten struct {
	Written
	End        domain.Day       `json:"end"`
	Correction bool             `json:"correction,omitempty" description:"a past date: only the project date changed"`
	Total      int64            `json:"total"`
	Exact      string           `json:"exact"`
	Payment    domain.Payment   `json:"payment,omitempty"`
	Lines      []domain.SSALine `json:"lines"`
	Credit     []domain.Line    `json:"credit"`
}

// AutoSSARequestBody requests the automatic SSA extension service.
type AutoSSARequestBody struct {
	Callback bool   `json:"callback,omitempty" description:"ask for a callback"`
	Comment  string `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
}

// AutoSSAEndBody ends automatic SSA or declines a request (vendor staff).
type AutoSSAEndBody struct {
	Reason string `json:"reason,omitempty" maxLength:"1000" text:"multiline"`
}

// EndUserTextBody is a company's default end-user expiry mail text.
type EndUserTextBody struct {
	Text string `json:"text" maxLength:"4000" text:"multiline" description:"placeholders: {$arg[1]} days left, {$arg[2]} reseller mail, {$arg[3]} project name; empty: the built-in text"`
}

// RemindersBody is the scheduler's run.
type RemindersBody struct {
	Day string `json:"day,omitempty" format:"date" maxLength:"10" description:"the day to decide reminders for (default today)"`
}

// RemindersWritten lists the reminders a run decided.
type RemindersWritten struct {
	Written
	Reminders []domain.SSAReminderDue `json:"reminders"`
}

// ReminderSentBody marks one reminder sent.
type ReminderSentBody struct {
	Key string `json:"key" maxLength:"400"`
}

// expiriesParams are the parameters of the upcoming-expiries query.
type expiriesParams struct {
	Days int `query:"days" minimum:"1" maximum:"3660" description:"window in days from today (default 49, the first reminder)"`
}

// The refusals of the SSA calculation (see docs/ssa.md).
var (
	errsSSACalc = Errs{
		400: {"invalid-ssa-request", "invalid-date", "invalid-units", "invalid-ssc-value", "ssa-end-before-calculation-date", "invalid-ssc-amount"},
		422: {"ssa-end-too-old", "ssa-end-too-far", "ssc-amount-too-small", "license-line-not-in-project"}}
	errsSSAQuote  = merge(ErrsProjectRead, errsSSACalc, Errs{400: {"unknown-license-type", "invalid-version", "no-ssc-value"}})
	errsSSAExtend = merge(ErrsProjectEdit, errsSSACalc, Errs{403: {"no-credit-right"}, 422: {"ssc-total-changed", "balance-insufficient"}})
	errsAutoSSA   = Errs{422: {"auto-ssa-active", "project-not-under-ssa", "licenses-not-under-ssa"}}
	// ErrsSSAArrival are the refusals of licenses arriving in an SSA project
	// (domain.State.SSAOnArrival): bindings, device moves, project joins.
	ErrsSSAArrival = Errs{400: {"invalid-ssa-end"}, 403: {"no-credit-right"},
		422: {"ssa-end-fixed", "auto-ssa-all-licenses", "ssa-end-too-far", "balance-insufficient"}}
)

func (s *Server) ssaRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/projects/:project/ssa/quote", Op{Summary: "Price an SSA end for the project's licenses (writes nothing)", Tag: "ssa",
		Body: SSAQuoteBody{}, Answer: QueryOf[domain.SSAQuote]{}, Errors: errsSSAQuote},
		s.ssaQuote(func(c echo.Context) (domain.SSAQuoteRequest, error) {
			id, err := idParam(c, "project")
			return domain.SSAQuoteRequest{Project: domain.ProjectID(id)}, err
		}))
	r.POST("/companies/:company/ssa/quote", Op{Summary: "Price an SSA end over all the company's projects (preview only)", Tag: "ssa",
		Body: SSAQuoteBody{}, Answer: QueryOf[domain.SSAQuote]{}, Errors: merge(errsSSAQuote, ErrsCompanyRead)},
		s.ssaQuote(func(c echo.Context) (domain.SSAQuoteRequest, error) {
			id, err := idParam(c, "company")
			return domain.SSAQuoteRequest{Company: domain.CompanyID(id)}, err
		}))
	r.POST("/projects/:project/ssa", Op{Summary: "Set, extend or correct the project's SSA end and pay the SSC", Tag: "ssa",
		Body: SSAExtendBody{}, Status: http.StatusCreated, Answer: SSAWritten{}, Errors: errsSSAExtend},
		command(s, http.StatusCreated, withProjectErr(func(id domain.ProjectID, b SSAExtendBody) (domain.Command, error) {
			end, err := parseDay("end", b.End)
			return domain.ExtendProjectSSA{Project: id, End: end, MaxSSC: b.MaxSSC, OptOut: b.OptOut, OnCredit: b.OnCredit,
				CreditOrder: b.CreditOrder, Expected: b.ExpectedTotal}, err
		}), ssaWritten))
	r.GET("/projects/:project/ssa", Op{Summary: "The project's SSA state with every SSA line's end", Tag: "ssa",
		Answer: QueryOf[projections.ProjectSSAView]{}, Errors: ErrsProjectRead},
		func(c echo.Context) error {
			id, err := idParam(c, "project")
			if err != nil {
				return err
			}
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.ProjectSSA(by, domain.ProjectID(id))
			})
		})
	r.GET("/companies/:company/ssa/expiries", Op{Summary: "The company's projects whose SSA ends soon", Tag: "ssa",
		Params: expiriesParams{}, Answer: QueryOf[[]projections.SSAExpiryView]{}, Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-days"}})},
		func(c echo.Context) error {
			id, err := idParam(c, "company")
			if err != nil {
				return err
			}
			days, err := daysParam(c)
			if err != nil {
				return err
			}
			today := domain.DayOf(s.cfg.Clock())
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.SSAExpiries(by, domain.CompanyID(id), today, days)
			})
		})
	r.GET("/companies/:company/ssa/invoices", Op{Summary: "SSC to be invoiced: used under automatic SSA or bought on credit", Tag: "ssa",
		Answer: QueryOf[[]projections.SSAInvoiceView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.SSAInvoices(by, id)
		}))
	r.GET("/ssa/invoices", Op{Summary: "SSC to be invoiced, of every company (vendor staff only)", Tag: "ssa",
		Answer: QueryOf[[]projections.SSAInvoiceView]{}, Errors: Errs{403: {"vendor-only"}}},
		func(c echo.Context) error {
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.SSAInvoices(by, 0) })
		})
	s.autoSSARoutes(r)
	s.reminderRoutes(r)
}

func (s *Server) autoSSARoutes(r router) {
	r.POST("/projects/:project/auto-ssa/requests", Op{Summary: "Request the automatic SSA extension service", Tag: "ssa",
		Body: AutoSSARequestBody{}, Status: http.StatusCreated, Answer: Written{},
		Errors: merge(ErrsProjectEdit, errsAutoSSA, Errs{422: {"auto-ssa-requested"}})},
		command(s, http.StatusCreated, withProject(func(id domain.ProjectID, b AutoSSARequestBody) domain.Command {
			return domain.RequestAutoSSA{Project: id, Callback: b.Callback, Comment: b.Comment}
		}), justWritten))
	r.POST("/projects/:project/auto-ssa", Op{Summary: "Put the project under automatic SSA (vendor staff only)", Tag: "ssa",
		Status: http.StatusCreated, Answer: Written{}, Errors: merge(errsAutoSSA, Errs{403: {"vendor-only"}, 404: {"project-not-found"}})},
		command(s, http.StatusCreated, withProject(func(id domain.ProjectID, _ struct{}) domain.Command {
			return domain.ActivateAutoSSA{Project: id}
		}), justWritten))
	r.POST("/projects/:project/auto-ssa/end", Op{Summary: "End automatic SSA or decline its request (vendor staff only)", Tag: "ssa",
		Body: AutoSSAEndBody{}, Status: http.StatusCreated, Answer: Written{},
		Errors: Errs{403: {"vendor-only"}, 404: {"project-not-found"}, 422: {"auto-ssa-not-active"}}},
		command(s, http.StatusCreated, withProject(func(id domain.ProjectID, b AutoSSAEndBody) domain.Command {
			return domain.EndAutoSSA{Project: id, Reason: b.Reason}
		}), justWritten))
}

func (s *Server) reminderRoutes(r router) {
	r.PUT("/projects/:project/ssa/mail", Op{Summary: "Set the project's SSA expiry mail settings", Tag: "ssa",
		Body: domain.SSAMailSettings{}, Answer: Written{},
		Errors: merge(ErrsProjectEdit, Errs{400: {"invalid-email", "too-many-end-users", "invalid-text"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b domain.SSAMailSettings) domain.Command {
			return domain.SetSSAMailSettings{Project: id, SSAMailSettings: b}
		}), justWritten))
	r.PUT("/companies/:company/ssa/end-user-text", Op{Summary: "Set the company's default end-user expiry mail text", Tag: "ssa",
		Body: EndUserTextBody{}, Answer: Written{}, Errors: merge(ErrsAdmin, Errs{400: {"invalid-text"}})},
		command(s, http.StatusOK, withCompany(func(id domain.CompanyID, b EndUserTextBody) domain.Command {
			return domain.SetEndUserText{Company: id, Text: b.Text}
		}), justWritten))
	r.PUT("/companies/:company/ssa/device-reminders", Op{Summary: "Turn per-device SSA reminders on or off, with additional addresses", Tag: "ssa",
		Body: domain.DeviceSSASettings{}, Answer: Written{}, Errors: merge(ErrsAdmin, Errs{400: {"invalid-email", "too-many-mails"}})},
		command(s, http.StatusOK, withCompany(func(id domain.CompanyID, b domain.DeviceSSASettings) domain.Command {
			return domain.SetDeviceSSAReminders{Company: id, DeviceSSASettings: b}
		}), justWritten))
	r.POST("/ssa/reminders", Op{Summary: "Decide the SSA reminders due (the scheduler; vendor staff only)", Tag: "ssa",
		Body: RemindersBody{}, Status: http.StatusCreated, Answer: RemindersWritten{},
		Errors: Errs{400: {"invalid-date", "reminder-day-in-future"}, 403: {"vendor-only"}}},
		command(s, http.StatusCreated, func(_ echo.Context, b RemindersBody) (domain.Command, error) {
			day, err := parseDay("day", b.Day)
			return domain.SendSSAReminders{Day: day}, err
		}, remindersWritten))
	r.GET("/ssa/reminders/pending", Op{Summary: "The reminder outbox: decided, not yet sent (vendor staff only)", Tag: "ssa",
		Answer: QueryOf[[]domain.Reminder]{}, Errors: Errs{403: {"vendor-only"}}},
		func(c echo.Context) error {
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.PendingSSAReminders(by) })
		})
	r.POST("/ssa/reminders/sent", Op{Summary: "Mark a reminder's mail sent, exactly once (vendor staff only)", Tag: "ssa",
		Body: ReminderSentBody{}, Status: http.StatusCreated, Answer: Written{},
		Errors: Errs{403: {"vendor-only"}, 404: {"reminder-not-found"}, 422: {"reminder-already-sent"}}},
		command(s, http.StatusCreated, func(_ echo.Context, b ReminderSentBody) (domain.Command, error) {
			return domain.MarkSSAReminderSent{Key: b.Key}, nil
		}, justWritten))
}

// ssaQuote is the handler of a quote: a query with a body, answered from
// the read model's state with the server's clock as today.
func (s *Server) ssaQuote(scope func(echo.Context) (domain.SSAQuoteRequest, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, err := scope(c)
		if err != nil {
			return err
		}
		var b SSAQuoteBody
		if _, err := readBody(c, &b); err != nil {
			return err
		}
		if req.End, err = parseDay("end", b.End); err != nil {
			return err
		}
		if req.CalcDate, err = parseDay("calc_date", b.CalcDate); err != nil {
			return err
		}
		req.MaxSSC, req.OptOut, req.Extra = b.MaxSSC, b.OptOut, b.Extra
		today := s.cfg.Clock()
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.SSAQuote(by, req, today) })
	}
}

// withProjectErr is withProject for builders that can refuse the body.
func withProjectErr[B any](build func(id domain.ProjectID, b B) (domain.Command, error)) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		id, err := idParam(c, "project")
		if err != nil {
			return nil, err
		}
		return build(domain.ProjectID(id), b)
	}
}

// parseDay reads an optional date field: YYYY-MM-DD from
// domain.FirstDay to domain.LastDay (invalid-date names the field).
func parseDay(field, v string) (domain.Day, error) {
	return domain.ParseInputDay(field, v)
}

// daysParam reads ?days= (default: the 7 weeks of the first reminder).
func daysParam(c echo.Context) (int, error) {
	raw := c.QueryParam("days")
	if raw == "" {
		return domain.PersonReminderDays, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 3660 {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-days", "days must be 1..3660")
	}
	return n, nil
}

func ssaWritten(r commands.Result) any {
	out := SSAWritten{Written: written(r), Lines: []domain.SSALine{}, Credit: []domain.Line{}, Exact: "0"}
	if e := eventOf[domain.ProjectSSAExtended](r); e.Project != 0 {
		out.End, out.Total, out.Exact, out.Payment, out.Lines = e.End, e.Total, e.Exact, e.Payment, e.Lines
	}
	if e := eventOf[domain.ProjectSSACorrected](r); e.Project != 0 {
		out.End, out.Correction = e.End, true
	}
	if cp := eventOf[domain.CreditPurchased](r); len(cp.Lines) > 0 {
		out.Credit = cp.Lines
	}
	return out
}

func remindersWritten(r commands.Result) any {
	out := RemindersWritten{Written: written(r), Reminders: []domain.SSAReminderDue{}}
	for _, e := range r.Events {
		if rd, ok := e.(domain.SSAReminderDue); ok {
			out.Reminders = append(out.Reminders, rd)
		}
	}
	return out
}
