package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// customerIDBody is the body of PUT /v1/companies/{company}/customer-id.
type customerIDBody struct {
	// CustomerID is the vendor's 5-digit customer number.
	CustomerID string `json:"customer_id" maxLength:"16"`
}

// joinCompanyBody is the body of POST /v1/companies/{company}/joins.
type joinCompanyBody struct {
	// Company is the id of the company to join into this one; it is
	// deleted afterwards.
	Company domain.CompanyID `json:"company"`
}

// companyJoinedWritten answers a company join with what moved in.
type companyJoinedWritten struct {
	Written
	Absorbed domain.CompanyID       `json:"absorbed"`
	Projects []domain.JoinedProject `json:"projects"`
}

func (s *Server) orgCompanyRoutes(g *echo.Group) {
	r := s.doc(g)
	r.PUT("/companies/:company/customer-id", Op{Summary: "Link the vendor's 5-digit customer id (vendor staff only)",
		Body: customerIDBody{}, Answer: Written{},
		Errors: Errs{403: {"vendor-only"}, 404: {"company-not-found"}, 400: {"invalid-customer-id"}, 422: {"customer-id-taken"}}},
		command(s, http.StatusOK, withCompany(func(id domain.CompanyID, b customerIDBody) domain.Command {
			return domain.LinkCustomerID{Company: id, CustomerID: b.CustomerID}
		}), justWritten))
	r.GET("/companies/:company/profile", Op{Summary: "The company tab: customer id and members' SSA mail flags",
		Answer: QueryOf[projections.CompanyProfileView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.CompanyProfile(by, id)
		}))
	r.DELETE("/companies/:company/members/:person", Op{Summary: "Remove a member (Administrator only; never the last Administrator)",
		Answer: Written{}, Errors: merge(ErrsAdmin, Errs{404: {"member-not-found"}, 422: {"last-administrator"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "company")
			if err != nil {
				return nil, err
			}
			person, err := idParam(c, "person")
			return domain.RemoveMember{Company: domain.CompanyID(id), Person: domain.PersonID(person)}, err
		}, justWritten))
	r.POST("/companies/:company/joins", Op{Summary: "Join another company into this one (Administrator of both); the other is deleted",
		Body: joinCompanyBody{}, Status: http.StatusCreated, Answer: companyJoinedWritten{},
		Errors: merge(ErrsAdmin, Errs{422: {"same-company"}})},
		command(s, http.StatusCreated, withCompany(func(id domain.CompanyID, b joinCompanyBody) domain.Command {
			return domain.JoinCompany{Company: id, Absorbed: b.Company}
		}), func(res commands.Result) any {
			e := eventOf[domain.CompanyJoined](res)
			return companyJoinedWritten{Written: written(res), Absorbed: e.Absorbed, Projects: e.Projects}
		}))
	r.GET("/companies/:company/projects/details", Op{Summary: "The company's projects with properties, rights and SSA end, then its external projects",
		Answer: QueryOf[[]projections.ProjectDetailView]{}, Errors: ErrsCompanyRead},
		s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
			return rd.ProjectDetails(by, id)
		}))
	r.DELETE("/companies/:company/external-projects/:project", Op{Summary: "Unsubscribe the company from an external project",
		Answer: Written{}, Errors: merge(ErrsLicense, Errs{404: {"project-not-found", "project-right-not-found"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "company")
			if err != nil {
				return nil, err
			}
			project, err := idParam(c, "project")
			return domain.UnsubscribeProject{Company: domain.CompanyID(id), Project: domain.ProjectID(project)}, err
		}, justWritten))
}
