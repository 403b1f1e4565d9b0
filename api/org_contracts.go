package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/innolic/ledger/commands"
	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
)

// concludeContractBody is the body of POST /v1/companies/{company}/contracts.
type concludeContractBody struct {
	Kind string `json:"kind" enum:"myapps-cloud,software-rental" maxLength:"32"`
}

// contractWritten answers a concluded contract with its id.
type contractWritten struct {
	Written
	Contract domain.ContractID `json:"contract"`
}

// contractsParams filters the contract list.
type contractsParams struct {
	State string `query:"state" enum:"open,approved,cancelled" description:"only contracts in this state (default: all)"`
}

var errsVendorContract = Errs{403: {"vendor-only"}, 404: {"contract-not-found"}, 400: {"invalid-contract"}}

func (s *Server) orgContractRoutes(g *echo.Group) {
	r := s.doc(g)
	r.POST("/companies/:company/contracts", Op{Summary: "Conclude a contract (Administrator or Contracts right); it is open until the vendor decides",
		Body: concludeContractBody{}, Status: http.StatusCreated, Answer: contractWritten{},
		Errors: merge(ErrsCompanyRead, Errs{403: {"no-right"}, 400: {"invalid-contract-kind"}, 422: {"contract-exists"}})},
		command(s, http.StatusCreated, withCompany(func(id domain.CompanyID, b concludeContractBody) domain.Command {
			return domain.ConcludeContract{Company: id, Kind: domain.ContractKind(b.Kind)}
		}), func(res commands.Result) any {
			return contractWritten{Written: written(res), Contract: eventOf[domain.ContractConcluded](res).Contract}
		}))
	r.GET("/companies/:company/contracts", Op{Summary: "The company's contracts, optionally of one state",
		Params: contractsParams{}, Answer: QueryOf[[]projections.ContractView]{},
		Errors: merge(ErrsCompanyRead, Errs{400: {"invalid-contract-state"}})}, s.listContracts)
	r.POST("/contracts/:contract/approval", Op{Summary: "Approve an open contract (vendor staff only)",
		Answer: Written{}, Errors: merge(errsVendorContract, Errs{422: {"contract-not-open"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "contract")
			return domain.ApproveContract{Contract: domain.ContractID(id)}, err
		}, justWritten))
	r.POST("/contracts/:contract/cancellation", Op{Summary: "Cancel an open or approved contract (vendor staff only)",
		Answer: Written{}, Errors: merge(errsVendorContract, Errs{422: {"contract-cancelled"}})},
		command(s, http.StatusOK, func(c echo.Context, _ struct{}) (domain.Command, error) {
			id, err := idParam(c, "contract")
			return domain.CancelContract{Contract: domain.ContractID(id)}, err
		}, justWritten))
}

func (s *Server) listContracts(c echo.Context) error {
	id, err := idParam(c, "company")
	if err != nil {
		return err
	}
	var state domain.ContractState
	if raw := c.QueryParam("state"); raw != "" {
		if state, err = domain.ParseContractState(raw); err != nil {
			return err
		}
	}
	return s.query(c, func(rd projections.Reader, by domain.Principal) (any, error) {
		return rd.Contracts(by, domain.CompanyID(id), state)
	})
}
