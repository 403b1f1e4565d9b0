package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

type registerPersonBody struct {
	Email  string `json:"email" maxLength:"254"`
	Name   string `json:"name" maxLength:"200"`
	Vendor bool   `json:"vendor,omitempty"`
}

type personWritten struct {
	Written
	Person domain.PersonID `json:"person"`
}

type tokenBody struct {
	Label string `json:"label,omitempty" maxLength:"100"`
}

type tokenWritten struct {
	Written
	TokenID string `json:"token_id"`
	// Token is the secret, shown only in the answer that created it; a
	// retried request (same Idempotency-Key) does not show it again.
	Token string `json:"token,omitempty"`
}

func (s *Server) personRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/persons", Op{Summary: "Register a person (vendor staff only)", Body: registerPersonBody{}, Status: http.StatusCreated,
		Answer: personWritten{}, Errors: Errs{403: {"vendor-only"}, 400: {"invalid-email", "invalid-name"}, 422: {"email-taken"}}}, command(s, http.StatusCreated,
		func(_ echo.Context, b registerPersonBody) (domain.Command, error) {
			return domain.RegisterPerson{Email: b.Email, Name: b.Name, Vendor: b.Vendor}, nil
		},
		func(r commands.Result) any {
			return personWritten{Written: written(r), Person: eventOf[domain.PersonRegistered](r).Person}
		}))
	r.GET("/me", Op{Summary: "The caller's person record with memberships", Answer: QueryOf[projections.PersonView]{},
		Errors: Errs{404: {"person-not-found"}}}, func(c echo.Context) error {
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) { return rd.Person(by, by.Person) })
	})
	r.GET("/persons/:person", Op{Summary: "A person (oneself, or anyone for vendor staff)", Answer: QueryOf[projections.PersonView]{},
		Errors: Errs{403: {"not-own-person"}, 404: {"person-not-found"}}}, func(c echo.Context) error {
		id, err := idParam(c, "person")
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
			return rd.Person(by, domain.PersonID(id))
		})
	})
	r.POST("/persons/:person/tokens", Op{Summary: "Issue a bearer token; the secret is shown once", Body: tokenBody{},
		Status: http.StatusCreated, Answer: tokenWritten{}, Errors: Errs{403: {"not-own-person", "vendor-only"}, 404: {"person-not-found"}}}, s.issueToken)
	r.DELETE("/persons/:person/tokens/:token", Op{Summary: "Revoke a token", Answer: Written{},
		Errors: Errs{403: {"not-own-person", "vendor-only"}, 404: {"person-not-found", "token-not-found"}}}, command(s, http.StatusOK,
		func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "person")
			return domain.RevokeToken{Person: domain.PersonID(id), TokenID: c.Param("token")}, err
		}, justWritten))
}

func (s *Server) issueToken(c echo.Context) error {
	id, err := idParam(c, "person")
	if err != nil {
		return err
	}
	var b tokenBody
	raw, err := readBody(c, &b)
	if err != nil {
		return err
	}
	secret, tokID, hash := NewToken()
	res, err := s.submit(c, raw, domain.IssueToken{Person: domain.PersonID(id), TokenID: tokID, TokenHash: hash, Label: b.Label})
	if err != nil {
		return err
	}
	out := tokenWritten{Written: written(res), TokenID: eventOf[domain.TokenIssued](res).Token}
	if !res.Replayed {
		out.Token = secret
	}
	return c.JSON(http.StatusCreated, out)
}
