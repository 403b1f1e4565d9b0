package api

import (
	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// searchParams are the query parameters of the search route.
type searchParams struct {
	Q string `query:"q" required:"true" maxLength:"200" description:"at least 3 characters (5 to find activation keys); a license type such as PBX-Port8 finds the devices holding it, PBX-Port8=100 those holding at least 100"`
}

func (s *Server) searchRoutes(g *echo.Group) {
	s.doc(g).GET("/companies/:company/search", Op{Tag: "search", Params: searchParams{},
		Summary: "The licenses tab's search: devices, projects and own activation keys of the company, or devices by license type",
		Answer:  QueryOf[projections.SearchResult]{}, Errors: merge(ErrsCompanyRead, Errs{400: {"search-too-short"}})},
		func(c echo.Context) error {
			id, err := idParam(c, "company")
			if err != nil {
				return err
			}
			text := c.QueryParam("q")
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.Search(by, domain.CompanyID(id), text)
			})
		})
}
