package api

import (
	"crypto/rand"
	"math/big"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

type issueKeyBody struct {
	Lines          []domain.Line `json:"lines" nullable:"false"`
	OrderNumber    string        `json:"order_number,omitempty" maxLength:"100"`
	OrderReference string        `json:"order_reference,omitempty" maxLength:"100"`
	Comment        string        `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
}

type keyWritten struct {
	Written
	Code  string        `json:"code"`
	Lines []domain.Line `json:"lines"`
}

type redeemBody struct {
	Code    string `json:"code" maxLength:"100"`
	Comment string `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
}

func (s *Server) keyRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/activation-keys", Op{Summary: "Issue a vendor activation key (vendor staff only)", Body: issueKeyBody{},
		Status: http.StatusCreated, Answer: keyWritten{}, Errors: Errs{403: {"vendor-only"}, 400: {"invalid-lines"}}}, command(s, http.StatusCreated,
		func(_ echo.Context, b issueKeyBody) (domain.Command, error) {
			return domain.IssueKey{Code: NewKeyCode(), Lines: b.Lines, OrderNumber: b.OrderNumber,
				OrderReference: b.OrderReference, Comment: b.Comment}, nil
		},
		func(r commands.Result) any {
			k := eventOf[domain.KeyIssued](r)
			return keyWritten{Written: written(r), Code: k.Code, Lines: k.Lines}
		}))
	r.POST("/projects/:project/redemptions", Op{Summary: "Redeem an activation key into the project's balance", Body: redeemBody{},
		Status: http.StatusCreated, Answer: keyWritten{},
		Errors: merge(ErrsLicense, Errs{404: {"project-not-found", "key-not-found"}, 422: {"key-already-redeemed"}})}, command(s, http.StatusCreated,
		func(c echo.Context, b redeemBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.RedeemKey{Project: domain.ProjectID(id), Code: strings.ToUpper(strings.TrimSpace(b.Code)), Comment: b.Comment}, err
		},
		func(r commands.Result) any {
			k := eventOf[domain.KeyRedeemed](r)
			return keyWritten{Written: written(r), Code: k.Code, Lines: k.Lines}
		}))
	s.ownKeyRoutes(r)
}

// OwnKeyBody creates an activation key from the project's balance.
type OwnKeyBody struct {
	Lines          []domain.Line `json:"lines" nullable:"false"`
	Comment        string        `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
	OrderNumber    string        `json:"order_number,omitempty" maxLength:"100" description:"your own order number for the key"`
	OrderReference string        `json:"order_reference,omitempty" maxLength:"100" description:"the reference of the customer who receives the key"`
}

// UpdateKeyBody changes an own key that is not redeemed: delta adds units
// (from the source project's balance) or removes them (negative, back to
// it); absent texts stay as they are.
type UpdateKeyBody struct {
	Delta          []domain.Line `json:"delta,omitempty"`
	Comment        *string       `json:"comment,omitempty" maxLength:"1000" text:"multiline"`
	OrderNumber    *string       `json:"order_number,omitempty" maxLength:"100"`
	OrderReference *string       `json:"order_reference,omitempty" maxLength:"100"`
}

// DeleteKeyBody names the project that gets the licenses back (default:
// the project the key came from).
type DeleteKeyBody struct {
	RefundTo domain.ProjectID `json:"refund_to,omitempty"`
}

// ForceRequestBody documents the body of a DELETE, which the reflector
// leaves out otherwise: the route takes one.
func (DeleteKeyBody) ForceRequestBody() {}

type keyListParams struct {
	OrderNumber string `query:"order_number" maxLength:"100" description:"only keys of this order number"`
}

var errsOwnKey = merge(ErrsLicense, Errs{403: {"external-project-restricted"}, 404: {"key-not-found", "project-not-found"},
	422: {"not-own-key", "key-already-redeemed"}})

func (s *Server) ownKeyRoutes(r router) {
	r.POST("/projects/:project/activation-keys", Op{Summary: "Create an own activation key from the project's balance",
		Body: OwnKeyBody{}, Status: http.StatusCreated, Answer: keyWritten{},
		Errors: merge(ErrsLicense, Errs{403: {"external-project-restricted"}, 404: {"project-not-found"},
			400: {"invalid-lines", "unknown-license-type", "invalid-version", "invalid-quantity"}, 422: {"balance-insufficient"}})},
		command(s, http.StatusCreated, func(c echo.Context, b OwnKeyBody) (domain.Command, error) {
			id, err := idParam(c, "project")
			return domain.CreateOwnKey{Project: domain.ProjectID(id), Code: NewKeyCode(), Lines: b.Lines, Comment: b.Comment,
				OrderNumber: b.OrderNumber, OrderReference: b.OrderReference}, err
		}, func(r commands.Result) any {
			k := eventOf[domain.KeyIssued](r)
			return keyWritten{Written: written(r), Code: k.Code, Lines: k.Lines}
		}))
	r.PATCH("/activation-keys/:code", Op{Summary: "Update an own activation key that is not redeemed (+/- units, texts)",
		Body: UpdateKeyBody{}, Answer: Written{}, Errors: merge(errsOwnKey, Errs{400: {"invalid-lines", "unknown-license-type", "invalid-version",
			"invalid-quantity"}, 422: {"key-quantity-negative", "key-empty", "balance-insufficient"}})},
		command(s, http.StatusOK, func(c echo.Context, b UpdateKeyBody) (domain.Command, error) {
			return domain.UpdateKey{Code: c.Param("code"), Delta: b.Delta, Comment: b.Comment, OrderNumber: b.OrderNumber,
				OrderReference: b.OrderReference}, nil
		}, justWritten))
	r.DELETE("/activation-keys/:code", Op{Summary: "Delete an own activation key that is not redeemed; its licenses go back to a project balance",
		Body: DeleteKeyBody{}, Answer: Written{}, Errors: merge(errsOwnKey, Errs{422: {"project-not-in-company"}})},
		command(s, http.StatusOK, func(c echo.Context, b DeleteKeyBody) (domain.Command, error) {
			return domain.DeleteKey{Code: c.Param("code"), RefundTo: b.RefundTo}, nil
		}, justWritten))
	r.GET("/companies/:company/activation-keys", Op{Summary: "The company's own and redeemed activation keys, optionally of one order number",
		Params: keyListParams{}, Answer: QueryOf[[]projections.KeyView]{}, Errors: ErrsCompanyRead},
		func(c echo.Context) error {
			f := projections.KeyFilter{OrderNumber: c.QueryParam("order_number")}
			return s.companyQuery(func(rd projections.Reader, by domain.Principal, id domain.CompanyID) (any, error) {
				return rd.ActivationKeys(by, id, f)
			})(c)
		})
	r.GET("/activation-keys/:code/certificate", Op{Summary: "The license certificate data of a key the caller's company created or redeemed",
		Answer: QueryOf[projections.KeyCertificateView]{}, Errors: Errs{404: {"key-not-found"}}},
		func(c echo.Context) error {
			return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
				return rd.KeyCertificate(by, c.Param("code"))
			})
		})
}

// keyAlphabet avoids characters people confuse when typing a key from a
// certificate (0/O, 1/I/L).
const keyAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewKeyCode returns a random activation key code of four groups of four,
// about 79 bits: a key is a bearer secret.
func NewKeyCode() string {
	var sb strings.Builder
	for i := 0; i < 16; i++ {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		// rand.Int draws uniformly: a byte modulo 31 would favour the
		// first letters of the alphabet.
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(keyAlphabet))))
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		sb.WriteByte(keyAlphabet[n.Int64()])
	}
	return sb.String()
}
