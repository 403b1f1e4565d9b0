package api

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/shopspring/decimal"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// The rental history CSV API (reference "API to download rental
// history"): GET /csvapi with HTTP digest authentication, the domain (or
// instance) name as username. The answer is UTF-8, semicolon separated,
// with a header row, in the language's date and number formats.

// csvParams documents the query parameters.
type csvParams struct {
	All    string `query:"all" maxLength:"8" description:"1 or true: every domain the credentials open"`
	Domain string `query:"domain" maxLength:"100" description:"the domain; required unless all"`
	Lang   string `query:"lang" enum:"en,de" description:"language of the header and the date and number formats (default en)"`
	TZ     string `query:"tz" maxLength:"64" description:"IANA time zone of the dates, e.g. Europe/Berlin (default UTC)"`
	Type   string `query:"type" enum:"history,overview" description:"history: the changes; overview: the monthly iSC costs at the first of each of the last 12 months (default history)"`
	From   string `query:"from" maxLength:"20" description:"history from this time, UTC Unix milliseconds (ignored for overview)"`
	To     string `query:"to" maxLength:"20" description:"history before this time, UTC Unix milliseconds (ignored for overview)"`
}

// OverviewMonths is how many months the overview lists, the current one
// included.
const OverviewMonths = 12

// csvCaller reads the rental history for a caller the digest check let
// in: it names the domains to read, so the query runs with the rights of
// vendor staff (the scheduler's principal), restricted to them.
var csvCaller = domain.Principal{Vendor: true}

func (s *Server) csvRoutes() {
	auth := newDigestAuth(s.cfg.Clock)
	s.doc(s.Echo).GET("/csvapi", Op{Tag: "rental", Public: true, Params: csvParams{},
		Summary:     "Rental history as CSV (HTTP digest authentication: domain or instance name and password)",
		Description: "Digest authentication (RFC 7616, SHA-256 or MD5, qop=auth). A domain's name and password open it and the domains it was granted; the instance's name with the instance password open all its domains. UTF-8, semicolon separated, header row.",
		Answer:      "", ContentType: "text/csv",
		Errors: Errs{401: {"not-authenticated"}, 400: {"domain-required", "invalid-lang", "invalid-tz", "invalid-type",
			"invalid-from", "invalid-to", "invalid-range"}, 404: {"domain-not-found"}}},
		func(c echo.Context) error { return s.csvAPI(c, auth) })
}

func (s *Server) csvAPI(c echo.Context, auth *digestAuth) error {
	cred, res, ok := auth.verify(c.Request(), s.cfg.Reader.DigestCredentials)
	if !ok {
		auth.challenge(c.Response().Header(), res.stale)
		return domain.Errorf(domain.KindUnauthenticated, "not-authenticated", "digest authentication with a domain or instance name and its password is required")
	}
	q, err := s.csvQuery(c, cred)
	if err != nil {
		return err
	}
	entries, err := s.cfg.Reader.RentalHistory(csvCaller, projections.RentalHistoryQuery{Domains: q.domains,
		From: q.from, To: q.to})
	if err != nil {
		return err
	}
	settings := map[string]domain.DomainSettings{}
	for _, name := range q.domains {
		if st, err := s.cfg.Reader.AppPlatformState(csvCaller, name, domain.DayOf(s.cfg.Clock())); err == nil {
			settings[name] = st.Settings
		}
	}
	f := csvFormat{lang: q.lang, loc: q.loc}
	var rows [][]string
	if q.overview {
		rows = f.overview(entries, q.domains, settings, s.cfg.Clock())
	} else {
		rows = f.history(entries, settings)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	name := "rental-history.csv"
	if q.overview {
		name = "rental-overview.csv"
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// csvRequest is a CSV API call's parameters, checked.
type csvRequest struct {
	domains  []string
	lang     string
	loc      *time.Location
	overview bool
	from, to time.Time
}

func (s *Server) csvQuery(c echo.Context, cred domain.DigestCredential) (csvRequest, error) {
	q := csvRequest{lang: c.QueryParam("lang"), loc: time.UTC}
	switch q.lang {
	case "":
		q.lang = "en"
	case "en", "de":
	default:
		return q, domain.Errorf(domain.KindInvalid, "invalid-lang", "lang is en or de")
	}
	if tz := c.QueryParam("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || strings.HasPrefix(tz, "/") {
			return q, domain.Errorf(domain.KindInvalid, "invalid-tz", "tz %q is not an IANA time zone", tz)
		}
		q.loc = loc
	}
	switch c.QueryParam("type") {
	case "", "history":
	case "overview":
		q.overview = true
	default:
		return q, domain.Errorf(domain.KindInvalid, "invalid-type", "type is history or overview")
	}
	if all := strings.ToLower(c.QueryParam("all")); all == "1" || all == "true" {
		q.domains = cred.Domains
	} else {
		name := domain.NormalizeDomainName(c.QueryParam("domain"))
		if name == "" {
			return q, domain.Errorf(domain.KindInvalid, "domain-required", "name a domain, or all=1")
		}
		if !slices.Contains(cred.Domains, name) {
			return q, domain.Errorf(domain.KindNotFound, "domain-not-found", "no domain %q for these credentials", name)
		}
		q.domains = []string{name}
	}
	if q.overview {
		return q, nil
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &q.from}, {"to", &q.to}} {
		if raw := c.QueryParam(p.name); raw != "" {
			ms, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || ms < 0 || ms > 1<<53 {
				return q, domain.Errorf(domain.KindInvalid, "invalid-"+p.name, "%s is UTC Unix milliseconds", p.name)
			}
			*p.t = time.UnixMilli(ms).UTC()
		}
	}
	if !q.from.IsZero() && !q.to.IsZero() && q.from.After(q.to) {
		return q, domain.Errorf(domain.KindInvalid, "invalid-range", "from is after to")
	}
	return q, nil
}

// csvFormat writes dates and numbers in a language: en 2006-01-02
// 15:04:05 and 1234.5678, de 02.01.2006 15:04:05 and 1234,5678; times in
// the time zone, rental end dates as the UTC days they are.
type csvFormat struct {
	lang string
	loc  *time.Location
}

func (f csvFormat) de() bool { return f.lang == "de" }

func (f csvFormat) time(t time.Time) string {
	if f.de() {
		return t.In(f.loc).Format("02.01.2006 15:04:05")
	}
	return t.In(f.loc).Format("2006-01-02 15:04:05")
}

func (f csvFormat) day(d domain.Day) string {
	switch {
	case d.IsZero():
		return ""
	case f.de():
		return d.Time().Format("02.01.2006")
	}
	return d.String()
}

// num writes a decimal with ISCPlaces decimals.
func (f csvFormat) num(s string) string {
	if s == "" {
		return ""
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	out := d.StringFixed(domain.ISCPlaces)
	if f.de() {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

func (f csvFormat) text(en, de string) string {
	if f.de() {
		return de
	}
	return en
}

// history is one row per change: per license line rented or removed, per
// iSC balance change, per lapse and resumption of a rental (the daily
// charges are in the overview).
func (f csvFormat) history(entries []projections.RentalEntry, settings map[string]domain.DomainSettings) [][]string {
	rows := [][]string{{f.text("Date", "Datum"), f.text("Domain", "Domäne"), f.text("Event", "Ereignis"), f.text("Device", "Gerät"),
		f.text("License", "Lizenz"), f.text("Quantity", "Anzahl"), "iSC", f.text("iSC balance", "iSC-Guthaben"),
		f.text("iSC per month", "iSC pro Monat"), f.text("Rental end", "Mietende"), f.text("Activation key", "Aktivierungsschlüssel"),
		f.text("Invoice reference", "Rechnungsreferenz")}}
	for _, e := range entries {
		row := func(event, device, license, quantity, isc string) []string {
			return []string{f.time(e.Time), e.Domain, event, device, license, quantity, f.num(isc), f.num(e.Available),
				f.num(e.Monthly), f.day(e.End), e.Code, settings[e.Domain].InvoiceReference}
		}
		switch e.Kind {
		case "RentalLicensesBound", "RentalLicensesRemoved":
			event := f.text("Licenses rented", "Lizenzen gemietet")
			if e.Kind == "RentalLicensesRemoved" {
				event = f.text("Licenses removed", "Lizenzen entfernt")
			}
			for _, l := range e.Lines {
				rows = append(rows, row(event, string(e.MAC), l.Item.String(), strconv.FormatInt(abs(l.Quantity), 10), ""))
			}
		case "RentalBalanceChanged":
			event := f.text("iSC credited", "iSC gutgeschrieben")
			if strings.HasPrefix(e.Amount, "-") {
				event = f.text("iSC withdrawn", "iSC entnommen")
			}
			rows = append(rows, row(event, "", "", "", e.Amount))
		case "RentalCharged":
			switch {
			case e.Lapsed != 0:
				rows = append(rows, row(f.text("Rental expired", "Miete abgelaufen"), "", "", "", e.Amount))
			case e.Resumed:
				rows = append(rows, row(f.text("Rental resumed", "Miete fortgesetzt"), "", "", "", e.Amount))
			}
		}
	}
	return rows
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// overview is, per domain and per month of the last OverviewMonths (from
// the first in which the domain had a rental event), the rental at 00:00
// of the first of the month in the time zone: the iSC per month, the iSC
// balance and the rental end; and the iSC charged during that month
// (until now for the current one).
func (f csvFormat) overview(entries []projections.RentalEntry, domains []string, settings map[string]domain.DomainSettings, now time.Time) [][]string {
	rows := [][]string{{f.text("Month", "Monat"), f.text("Domain", "Domäne"), f.text("iSC per month", "iSC pro Monat"),
		f.text("iSC charged", "iSC berechnet"), f.text("iSC balance", "iSC-Guthaben"), f.text("Rental end", "Mietende"),
		f.text("Invoice reference", "Rechnungsreferenz")}}
	local := now.In(f.loc)
	first := time.Date(local.Year(), local.Month()-OverviewMonths+1, 1, 0, 0, 0, 0, f.loc)
	for _, name := range domains {
		var own []projections.RentalEntry
		for _, e := range entries {
			if e.Domain == name {
				own = append(own, e)
			}
		}
		if len(own) == 0 {
			continue
		}
		for m := range OverviewMonths {
			start := first.AddDate(0, m, 0)
			end := start.AddDate(0, 1, 0)
			if !end.After(own[0].Time) {
				continue // before the domain's first rental event
			}
			var at domain.RentalSnapshot // the rental at the month's start
			charged := decimal.Zero
			for _, e := range own {
				if e.Time.Before(start) {
					at = e.RentalSnapshot
				} else if e.Time.Before(end) && e.Kind == "RentalCharged" {
					charged = charged.Add(decimal.RequireFromString(e.Amount))
				}
			}
			if at.Monthly == "" {
				at.Monthly, at.Available = "0", "0"
			}
			month := start.Format("2006-01-02")
			if f.de() {
				month = start.Format("02.01.2006")
			}
			rows = append(rows, []string{month, name, f.num(at.Monthly), f.num(charged.String()), f.num(at.Available),
				f.day(at.End), settings[name].InvoiceReference})
		}
	}
	return rows
}
