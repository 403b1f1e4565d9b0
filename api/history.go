package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// historyParams are the query parameters of the history routes.
type historyParams struct {
	Project int64  `query:"project" minimum:"1" description:"only rows touching this project (the portal's selected project); absent: over all projects"`
	Window  string `query:"window" enum:"day,week,month,year,always" default:"always" description:"the last day, week, month or year before now, or always"`
	From    string `query:"from" format:"date-time" maxLength:"64" description:"explicit window start (inclusive); overrides window"`
	To      string `query:"to" format:"date-time" maxLength:"64" description:"explicit window end (exclusive); overrides window"`
	Cursor  string `query:"cursor" maxLength:"32" description:"the next cursor of the previous page"`
	Limit   int    `query:"limit" minimum:"1" maximum:"500" default:"50" description:"rows per page"`
}

// subjectHistoryParams add the company a person's or device's history is
// read within.
type subjectHistoryParams struct {
	historyParams
	Company int64 `query:"company" minimum:"1" description:"read the history within this company (its members may); without it, a person's history is for the person themself and vendor staff, a device's for vendor staff"`
}

// historyErrs are the problems every history route may answer.
var historyErrs = merge(Errs{400: {"invalid-window", "invalid-from", "invalid-to", "invalid-limit", "invalid-project"}},
	ErrsProjectRead)

func (s *Server) historyRoutes(g *echo.Group) {
	r := s.doc(g)
	r.GET("/companies/:company/history", Op{Tag: "history", Params: historyParams{},
		Summary: "History of a company: every action in it, newest first",
		Description: "Rows are assigned to a company when they happen: a project moved away leaves its earlier rows " +
			"here, and a company joined into this one brings its rows along.",
		Answer: QueryOf[projections.HistoryPage]{}, Errors: historyErrs},
		s.historyHandler(projections.HistoryCompany))
	r.GET("/persons/:person/history", Op{Tag: "history", Params: subjectHistoryParams{},
		Summary: "History of a person: every action by or on them, newest first",
		Answer:  QueryOf[projections.HistoryPage]{}, Errors: merge(historyErrs, Errs{403: {"not-own-person"}, 404: {"person-not-found"}})},
		s.historyHandler(projections.HistoryPerson))
	r.GET("/devices/:mac/history", Op{Tag: "history", Params: subjectHistoryParams{},
		Summary: "History of a device: every action on it, newest first",
		Answer:  QueryOf[projections.HistoryPage]{}, Errors: merge(historyErrs, Errs{400: {"invalid-mac"}, 403: {"vendor-only"}})},
		s.historyHandler(projections.HistoryDevice))
}

// historyHandler parses the context's subject and the window, relative to
// the server's clock, and runs the query.
func (s *Server) historyHandler(context string) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, err := s.historyQuery(c, context)
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.History(by, q) })
	}
}

func (s *Server) historyQuery(c echo.Context, context string) (projections.HistoryQuery, error) {
	q := projections.HistoryQuery{Context: context, Limit: 50}
	var err error
	switch context {
	case projections.HistoryCompany:
		var id int64
		id, err = idParam(c, "company")
		q.Company = domain.CompanyID(id)
	case projections.HistoryPerson:
		var id int64
		id, err = idParam(c, "person")
		q.Person = domain.PersonID(id)
	case projections.HistoryDevice:
		var mac domain.MAC
		mac, err = domain.ParseMAC(c.Param("mac"))
		q.Device = string(mac)
	}
	if err != nil {
		return q, err
	}
	if v := c.QueryParam("company"); v != "" && context != projections.HistoryCompany {
		id, err := positiveQuery(c, "company")
		if err != nil {
			return q, err
		}
		q.Company = domain.CompanyID(id)
	}
	if c.QueryParam("project") != "" {
		id, err := positiveQuery(c, "project")
		if err != nil {
			return q, err
		}
		q.Project = domain.ProjectID(id)
	}
	if q.From, q.To, err = window(c, s.cfg.Clock()); err != nil {
		return q, err
	}
	if q.Before, err = cursorParam(c); err != nil {
		return q, err
	}
	q.Limit, err = limitParam(c, 50, 500)
	return q, err
}

// windows are the history tab's choices, as durations before now. A month
// is 30 days and a year 365: the portal's "last month" is a span, not a
// calendar month.
var windows = map[string]time.Duration{
	"day": 24 * time.Hour, "week": 7 * 24 * time.Hour, "month": 30 * 24 * time.Hour, "year": 365 * 24 * time.Hour, "always": 0,
}

// window reads window, from and to; explicit bounds win over the window.
func window(c echo.Context, now time.Time) (from, to time.Time, err error) {
	w := c.QueryParam("window")
	if w == "" {
		w = "always"
	}
	d, ok := windows[w]
	if !ok {
		return from, to, domain.Errorf(domain.KindInvalid, "invalid-window", "window must be day, week, month, year or always")
	}
	if d > 0 {
		from = now.Add(-d)
	}
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.QueryParam(name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return from, to, domain.Errorf(domain.KindInvalid, "invalid-"+name, "%s must be an RFC 3339 time", name)
			}
			*dst = t
		}
	}
	return from, to, nil
}

// cursorParam reads the opaque cursor of a paginated answer (today the
// position below which the next page starts).
func cursorParam(c echo.Context) (uint64, error) {
	v := c.QueryParam("cursor")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-cursor", "cursor must be the next value of a previous answer")
	}
	return n, nil
}

// limitParam reads a page size, def when absent, at most max.
func limitParam(c echo.Context, def, max int) (int, error) {
	v := c.QueryParam("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-limit", "limit must be 1..%d", max)
	}
	return n, nil
}

// positiveQuery parses a numeric id query parameter.
func positiveQuery(c echo.Context, name string) (int64, error) {
	v, err := strconv.ParseInt(c.QueryParam(name), 10, 64)
	if err != nil || v <= 0 {
		return 0, domain.Errorf(domain.KindInvalid, "invalid-"+name, "%s must be a positive integer", name)
	}
	return v, nil
}
