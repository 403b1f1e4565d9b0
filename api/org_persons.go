package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// updatePersonBody is the body of PUT /v1/persons/{person}: the new name
// and email (both required; send the current value to keep one).
type updatePersonBody struct {
	Name  string `json:"name" maxLength:"200"`
	Email string `json:"email" maxLength:"254"`
}

// ssaMailBody is the body of PUT /v1/persons/{person}/ssa-mail.
type ssaMailBody struct {
	// Receive: whether the person receives SSA expiry mails.
	Receive bool `json:"receive"`
}

var errsOwnPerson = Errs{403: {"not-own-person"}, 404: {"person-not-found"}}

func (s *Server) orgPersonRoutes(g *echo.Group) {
	r := s.doc(g)
	r.PUT("/persons/:person", Op{Summary: "Change a person's name and email (oneself, or vendor staff)", Body: updatePersonBody{},
		Answer: Written{}, Errors: merge(errsOwnPerson, Errs{400: {"invalid-email", "invalid-name"}, 422: {"email-taken"}})},
		command(s, http.StatusOK, withPerson(func(id domain.PersonID, b updatePersonBody) domain.Command {
			return domain.UpdatePerson{Person: id, Name: b.Name, Email: b.Email}
		}), justWritten))
	r.PUT("/persons/:person/ssa-mail", Op{Summary: "Set whether a person receives SSA expiry mails (oneself, an Administrator of a company of theirs, or vendor staff)",
		Body: ssaMailBody{}, Answer: Written{}, Errors: errsOwnPerson},
		command(s, http.StatusOK, withPerson(func(id domain.PersonID, b ssaMailBody) domain.Command {
			return domain.SetSSAMail{Person: id, Receive: b.Receive}
		}), justWritten))
	r.GET("/persons/:person/tokens", Op{Summary: "A person's tokens: ids and labels, never secrets (oneself, or vendor staff)",
		Answer: QueryOf[[]projections.TokenView]{}, Errors: errsOwnPerson}, func(c echo.Context) error {
		id, err := idParam(c, "person")
		if err != nil {
			return err
		}
		return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
			return rd.Tokens(by, domain.PersonID(id))
		})
	})
}
