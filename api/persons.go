package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

type registerPersonBody struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Vendor bool   `json:"vendor,omitempty"`
}

type personWritten struct {
	Written
	Person domain.PersonID `json:"person"`
}

type tokenBody struct {
	Label string `json:"label,omitempty"`
}

type tokenWritten struct {
	Written
	TokenID string `json:"token_id"`
	// Token is the secret, shown only in the answer that created it; a
	// retried request (same Idempotency-Key) does not show it again.
	Token string `json:"token,omitempty"`
}

func (s *Server) personRoutes(g *echo.Group) {
	g.POST("/persons", command(s, http.StatusCreated,
		func(_ echo.Context, b registerPersonBody) (domain.Command, error) {
			return domain.RegisterPerson{Email: b.Email, Name: b.Name, Vendor: b.Vendor}, nil
		},
		func(r commands.Result) any {
			return personWritten{Written: written(r), Person: eventOf[domain.PersonRegistered](r).Person}
		}))
	g.GET("/me", func(c echo.Context) error {
		return s.query(c, func(by domain.Principal) (any, error) { return s.cfg.Reader.Person(by, by.Person) })
	})
	g.GET("/persons/:person", func(c echo.Context) error {
		id, err := idParam(c, "person")
		if err != nil {
			return err
		}
		return s.query(c, func(by domain.Principal) (any, error) { return s.cfg.Reader.Person(by, domain.PersonID(id)) })
	})
	g.POST("/persons/:person/tokens", s.issueToken)
	g.DELETE("/persons/:person/tokens/:token", command(s, http.StatusOK,
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
