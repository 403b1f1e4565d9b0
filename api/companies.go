package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

type createCompanyBody struct {
	Name string `json:"name"`
}

type companyWritten struct {
	Written
	Company        domain.CompanyID `json:"company"`
	DefaultProject domain.ProjectID `json:"default_project"`
}

type memberBody struct {
	Person      domain.PersonID `json:"person"`
	Right       string          `json:"right"`
	BuyOnCredit bool            `json:"buy_on_credit,omitempty"`
}

type rightsBody struct {
	Right       string `json:"right"`
	BuyOnCredit bool   `json:"buy_on_credit,omitempty"`
}

type createProjectBody struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type projectWritten struct {
	Written
	Project domain.ProjectID `json:"project"`
}

func (s *Server) companyRoutes(g *echo.Group) {
	g.POST("/companies", command(s, http.StatusCreated,
		func(_ echo.Context, b createCompanyBody) (domain.Command, error) {
			return domain.CreateCompany{Name: b.Name}, nil
		},
		func(r commands.Result) any {
			return companyWritten{Written: written(r), Company: eventOf[domain.CompanyCreated](r).Company,
				DefaultProject: eventOf[domain.ProjectCreated](r).Project}
		}))
	g.GET("/companies/:company", s.companyQuery(func(by domain.Principal, id domain.CompanyID) (any, error) {
		return s.cfg.Reader.Company(by, id)
	}))
	g.GET("/companies/:company/projects", s.companyQuery(func(by domain.Principal, id domain.CompanyID) (any, error) {
		return s.cfg.Reader.Projects(by, id)
	}))
	g.GET("/companies/:company/balance", s.companyQuery(func(by domain.Principal, id domain.CompanyID) (any, error) {
		return s.cfg.Reader.CompanyBalance(by, id)
	}))
	g.POST("/companies/:company/members", command(s, http.StatusCreated,
		func(c echo.Context, b memberBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			return domain.AddMember{Company: domain.CompanyID(id), Person: b.Person, Right: domain.Right(b.Right), BuyOnCredit: b.BuyOnCredit}, err
		}, justWritten))
	g.PUT("/companies/:company/members/:person", command(s, http.StatusOK,
		func(c echo.Context, b rightsBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			if err != nil {
				return nil, err
			}
			person, err := idParam(c, "person")
			return domain.ChangeRights{Company: domain.CompanyID(id), Person: domain.PersonID(person), Right: domain.Right(b.Right), BuyOnCredit: b.BuyOnCredit}, err
		}, justWritten))
	g.POST("/companies/:company/projects", command(s, http.StatusCreated,
		func(c echo.Context, b createProjectBody) (domain.Command, error) {
			id, err := idParam(c, "company")
			return domain.CreateProject{Company: domain.CompanyID(id), Name: b.Name, Description: b.Description}, err
		},
		func(r commands.Result) any {
			return projectWritten{Written: written(r), Project: eventOf[domain.ProjectCreated](r).Project}
		}))
	g.GET("/projects/:project/balance", func(c echo.Context) error {
		id, err := idParam(c, "project")
		if err != nil {
			return err
		}
		return s.query(c, func(by domain.Principal) (any, error) {
			return s.cfg.Reader.ProjectBalance(by, domain.ProjectID(id))
		})
	})
}

// companyQuery is the handler of a query on one company.
func (s *Server) companyQuery(q func(domain.Principal, domain.CompanyID) (any, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "company")
		if err != nil {
			return err
		}
		return s.query(c, func(by domain.Principal) (any, error) { return q(by, domain.CompanyID(id)) })
	}
}
