package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// renameProjectBody is the body of PUT /v1/projects/{project}/name.
type renameProjectBody struct {
	Name string `json:"name" maxLength:"100"`
}

// describeProjectBody is the body of PUT /v1/projects/{project}/description.
type describeProjectBody struct {
	Description string `json:"description" maxLength:"1000" text:"multiline"`
}

// projectPropertiesBody is the body of PUT /v1/projects/{project}/properties;
// it replaces every property (an omitted one is cleared).
type projectPropertiesBody struct {
	UpdateURL          string   `json:"update_url,omitempty" maxLength:"2000"`
	TrustedCertificate string   `json:"trusted_certificate,omitempty" maxLength:"16384" text:"multiline" description:"one PEM CERTIFICATE block"`
	TrustValue         string   `json:"trust_value,omitempty" maxLength:"128" description:"the secret of interface.php request hashes"`
	DevicesAppGUID     string   `json:"devices_app_guid,omitempty" maxLength:"36"`
	CCMails            []string `json:"cc_mails,omitempty" maxLength:"254"`
}

// grantBody is the body of POST /v1/projects/{project}/rights.
type grantBody struct {
	// Company is the id of the company given rights on the project.
	Company domain.CompanyID `json:"company"`
}

// joinProjectBody is the body of POST /v1/projects/{project}/join.
type joinProjectBody struct {
	// Into is the project of the same company that takes everything over.
	Into domain.ProjectID `json:"into"`
}

// moveProjectBody is the body of POST /v1/projects/{project}/move.
type moveProjectBody struct {
	// Company is the id of the company the project moves to.
	Company domain.CompanyID `json:"company"`
}

func (s *Server) orgProjectRoutes(g *echo.Group) {
	r := s.doc(g)
	r.GET("/projects/:project", Op{Summary: "A project with properties, rights and SSA end (for its company's members and grantees)",
		Answer: QueryOf[projections.ProjectDetailView]{}, Errors: ErrsProjectRead}, func(c echo.Context) error {
		id, err := idParam(c, "project")
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
			return rd.ProjectDetail(by, domain.ProjectID(id))
		})
	})
	r.PUT("/projects/:project/name", Op{Summary: "Rename a project; names are unique per company", Body: renameProjectBody{},
		Answer: Written{}, Errors: merge(ErrsProjectEdit, Errs{400: {"invalid-name"}, 422: {"project-name-taken"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b renameProjectBody) domain.Command {
			return domain.RenameProject{Project: id, Name: b.Name}
		}), justWritten))
	r.PUT("/projects/:project/description", Op{Summary: "Set a project's description", Body: describeProjectBody{},
		Answer: Written{}, Errors: merge(ErrsProjectEdit, Errs{400: {"invalid-description"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b describeProjectBody) domain.Command {
			return domain.DescribeProject{Project: id, Description: b.Description}
		}), justWritten))
	r.PUT("/projects/:project/properties", Op{Summary: "Replace a project's properties", Body: projectPropertiesBody{},
		Answer: Written{}, Errors: merge(ErrsProjectEdit, Errs{400: {"invalid-update-url", "invalid-certificate",
			"invalid-trust-value", "invalid-guid", "invalid-cc-mails"}, 422: {"guid-taken"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b projectPropertiesBody) domain.Command {
			return domain.SetProjectProperties{Project: id, ProjectProperties: domain.ProjectProperties(b)}
		}), justWritten))
	s.orgProjectRightRoutes(r)
	s.orgProjectLifecycleRoutes(r)
}

func (s *Server) orgProjectRightRoutes(r router) {
	r.POST("/projects/:project/rights", Op{Summary: "Give another company, by id, rights on the project", Body: grantBody{},
		Status: http.StatusCreated, Answer: Written{},
		Errors: merge(ErrsProjectEdit, Errs{422: {"grant-to-own-company", "already-granted"}})},
		command(s, http.StatusCreated, withProject(func(id domain.ProjectID, b grantBody) domain.Command {
			return domain.GrantProjectRight{Project: id, Grantee: b.Company}
		}), justWritten))
	r.DELETE("/projects/:project/rights/:company", Op{Summary: "Take a company's rights on the project away",
		Answer: Written{}, Errors: merge(ErrsProjectEdit, Errs{404: {"project-right-not-found"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "project")
			if err != nil {
				return nil, err
			}
			grantee, err := idParam(c, "company")
			return domain.RevokeProjectRight{Project: domain.ProjectID(id), Grantee: domain.CompanyID(grantee)}, err
		}, justWritten))
}

func (s *Server) orgProjectLifecycleRoutes(r router) {
	r.POST("/projects/:project/join", Op{Summary: "Join the project into another project of its company; it is deleted",
		Body: joinProjectBody{}, Answer: Written{},
		Errors: merge(ErrsProjectEdit, ErrsSSAArrival, Errs{422: {"same-project", "different-company", "project-has-external-rights",
			"project-auto-ssa"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b joinProjectBody) domain.Command {
			return domain.JoinProject{Project: id, Into: b.Into}
		}), justWritten))
	r.POST("/projects/:project/move", Op{Summary: "Move the project to another company, by id (Administrator only); its rights are deleted",
		Body: moveProjectBody{}, Answer: Written{},
		Errors: merge(ErrsAdmin, Errs{404: {"project-not-found"}, 422: {"same-company", "negative-balance",
			"project-name-taken", "device-in-target-company"}})},
		command(s, http.StatusOK, withProject(func(id domain.ProjectID, b moveProjectBody) domain.Command {
			return domain.MoveProject{Project: id, To: b.Company}
		}), justWritten))
	r.DELETE("/projects/:project", Op{Summary: "Delete a project without keys, devices, balance or rights",
		Answer: Written{}, Errors: merge(ErrsProjectEdit, Errs{422: {"project-has-external-rights", "project-not-empty"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.DeleteProject{Project: domain.ProjectID(id)}, err
		}, justWritten))
}
