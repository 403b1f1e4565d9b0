package api

import (
	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
)

// orgRoutes registers the organization area beyond the first slice:
// persons' settings, company membership, joins and contracts, and project
// editing, rights, joins, moves and deletion.
func (s *Server) orgRoutes(g *echo.Group) {
	s.orgPersonRoutes(g)
	s.orgCompanyRoutes(g)
	s.orgContractRoutes(g)
	s.orgProjectRoutes(g)
}

// withCompany builds a command from the :company path parameter and the body.
func withCompany[B any](build func(id domain.CompanyID, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		id, err := idParam(c, "company")
		if err != nil {
			return nil, err
		}
		return build(domain.CompanyID(id), b), nil
	}
}

// withProject builds a command from the :project path parameter and the body.
func withProject[B any](build func(id domain.ProjectID, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		id, err := idParam(c, "project")
		if err != nil {
			return nil, err
		}
		return build(domain.ProjectID(id), b), nil
	}
}

// withPerson builds a command from the :person path parameter and the body.
func withPerson[B any](build func(id domain.PersonID, b B) domain.Command) func(echo.Context, B) (domain.Command, error) {
	return func(c echo.Context, b B) (domain.Command, error) {
		id, err := idParam(c, "person")
		if err != nil {
			return nil, err
		}
		return build(domain.PersonID(id), b), nil
	}
}

// ErrsProjectEdit are the refusals of State.CanEditProject.
var ErrsProjectEdit = merge(ErrsLicense, Errs{403: {"external-project-restricted"}, 404: {"project-not-found"}})
