package api

import (
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
)

type issueKeyBody struct {
	Lines          []domain.Line `json:"lines"`
	OrderNumber    string        `json:"order_number,omitempty"`
	OrderReference string        `json:"order_reference,omitempty"`
	Comment        string        `json:"comment,omitempty"`
}

type keyWritten struct {
	Written
	Code  string        `json:"code"`
	Lines []domain.Line `json:"lines"`
}

type redeemBody struct {
	Code    string `json:"code"`
	Comment string `json:"comment,omitempty"`
}

func (s *Server) keyRoutes(g *echo.Group) {
	g.POST("/activation-keys", command(s, http.StatusCreated,
		func(_ echo.Context, b issueKeyBody) (domain.Command, error) {
			return domain.IssueKey{Code: NewKeyCode(), Lines: b.Lines, OrderNumber: b.OrderNumber,
				OrderReference: b.OrderReference, Comment: b.Comment}, nil
		},
		func(r commands.Result) any {
			k := eventOf[domain.KeyIssued](r)
			return keyWritten{Written: written(r), Code: k.Code, Lines: k.Lines}
		}))
	g.POST("/projects/:project/redemptions", command(s, http.StatusCreated,
		func(c echo.Context, b redeemBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.RedeemKey{Project: domain.ProjectID(id), Code: strings.ToUpper(strings.TrimSpace(b.Code)), Comment: b.Comment}, err
		},
		func(r commands.Result) any {
			k := eventOf[domain.KeyRedeemed](r)
			return keyWritten{Written: written(r), Code: k.Code, Lines: k.Lines}
		}))
}

// keyAlphabet avoids characters people confuse when typing a key from a
// certificate (0/O, 1/I/L).
const keyAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewKeyCode returns a random activation key code of four groups of four,
// about 79 bits: a key is a bearer secret.
func NewKeyCode() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(keyAlphabet[int(x)%len(keyAlphabet)])
	}
	return sb.String()
}
