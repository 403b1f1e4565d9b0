package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

type createCompanyBody struct {
	Name string `json:"name" maxLength:"200"`
}

type companyWritten struct {
	Written
	Company        domain.CompanyID `json:"company"`
	DefaultProject domain.ProjectID `json:"default_project"`
}

type memberBody struct {
	Person      domain.PersonID `json:"person"`
	Right       string          `json:"right" maxLength:"32"`
	BuyOnCredit bool            `json:"buy_on_credit,omitempty"`
}

type rightsBody struct {
	Right       string `json:"right" maxLength:"32"`
	BuyOnCredit bool   `json:"buy_on_credit,omitempty"`
}

type createProjectBody struct {
	Name        string `json:"name" maxLength:"100"`
	Description string `json:"description,omitempty" maxLength:"1000" text:"multiline"`
}

type projectWritten struct {
	Written
	Project domain.ProjectID `json:"project"`
}

func (s *Server) companyRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/companies", Op{Summary: "Create a company; the caller becomes Administrator, project DEFAULT is created",
		Body: createCompanyBody{}, Status: http.StatusCreated, Answer: companyWritten{},
		Errors: Errs{400: {"invalid-name"}, 404: {"person-not-found"}}}, command(s, http.StatusCreated,
		func(_ echo.Context, b createCompanyBody) (domain.Command, error) {
			return domain.CreateCompany{Name: b.Name}, nil
		},
		func(r commands.Result) any {
			return companyWritten{Written: written(r), Company: eventOf[domain.CompanyCreated](r).Company,
				DefaultProject: eventOf[domain.ProjectCreated](r).Project}
		}))
	r.GET("/companies/:company", Op{Summary: "A company with members and projects", Answer: QueryOf[projections.CompanyView]{},
		Errors: ErrsCompanyRead}, s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
		return rd.Company(by, id)
	}))
	r.GET("/companies/:company/projects", Op{Summary: "The company's projects", Answer: QueryOf[[]projections.ProjectView]{},
		Errors: ErrsCompanyRead}, s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
		return rd.Projects(by, id)
	}))
	r.GET("/companies/:company/balance", Op{Summary: "The balance over the company's own projects", Answer: QueryOf[projections.BalanceView]{},
		Errors: ErrsCompanyRead}, s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
		return rd.CompanyBalance(by, id)
	}))
	r.POST("/companies/:company/members", Op{Summary: "Add a member with a right (Administrator only)", Body: memberBody{},
		Status: http.StatusCreated, Answer: Written{},
		Errors: merge(ErrsAdmin, Errs{400: {"invalid-right"}, 404: {"person-not-found"}, 422: {"already-member"}})}, command(s, http.StatusCreated,
		func(c echo.Context, b memberBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			return domain.AddMember{Company: domain.CompanyID(id), Person: b.Person, Right: domain.Right(b.Right), BuyOnCredit: b.BuyOnCredit}, err
		}, justWritten))
	r.PUT("/companies/:company/members/:person", Op{Summary: "Change a member's right (Administrator only)", Body: rightsBody{},
		Answer: Written{}, Errors: merge(ErrsAdmin, Errs{400: {"invalid-right"}, 404: {"member-not-found"}, 422: {"last-administrator"}})}, command(s, http.StatusOK,
		func(c echo.Context, b rightsBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			if err != nil {
				return nil, err
			}
			person, err := idParam(c, "person")
			return domain.ChangeRights{Company: domain.CompanyID(id), Person: domain.PersonID(person), Right: domain.Right(b.Right), BuyOnCredit: b.BuyOnCredit}, err
		}, justWritten))
	r.POST("/companies/:company/projects", Op{Summary: "Create a project; names are unique per company", Body: createProjectBody{},
		Status: http.StatusCreated, Answer: projectWritten{},
		Errors: merge(ErrsLicense, Errs{400: {"invalid-name"}, 422: {"project-name-taken"}})}, command(s, http.StatusCreated,
		func(c echo.Context, b createProjectBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			return domain.CreateProject{Company: domain.CompanyID(id), Name: b.Name, Description: b.Description}, err
		},
		func(r commands.Result) any {
			return projectWritten{Written: written(r), Project: eventOf[domain.ProjectCreated](r).Project}
		}))
	r.GET("/projects/:project/balance", Op{Summary: "A project's balance", Answer: QueryOf[projections.BalanceView]{},
		Errors: ErrsProjectRead}, func(c echo.Context) error {
		id, err := idParam(c, "project")
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
			return rd.ProjectBalance(by, domain.ProjectID(id))
		})
	})
}

// companyQuery is the handler of a query on one company.
func (s *Server) companyQuery(q func(projections.Reader, domain.Principal, domain.CompanyID) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "company")
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return q(rd, by, domain.CompanyID(id)) })
	}
}
