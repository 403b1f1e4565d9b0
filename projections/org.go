package projections

import "github.com/innolic/ledger/domain"

// OrgReader is the query side of the organization area: tokens, company
// profiles, projects with their properties and rights, contracts. It is
// embedded in Reader; every backend answers it equally.
type OrgReader interface {
	// Tokens lists a person's bearer tokens (ids and labels, never
	// secrets): oneself, or anyone for vendor staff.
	Tokens(by domain.Principal, person domain.PersonID) ([]TokenView, error)
	// CompanyProfile is a company's settings: customer id and SSA mail
	// flags of its members.
	CompanyProfile(by domain.Principal, id domain.CompanyID) (CompanyProfileView, error)
	// ProjectDetails lists a company's own projects with properties and
	// rights, then the external projects other companies granted it.
	ProjectDetails(by domain.Principal, company domain.CompanyID) ([]ProjectDetailView, error)
	// ProjectDetail is one project, for its owner's members or a grantee's.
	ProjectDetail(by domain.Principal, id domain.ProjectID) (ProjectDetailView, error)
	// Contracts lists a company's contracts, optionally of one state
	// (empty: all), in id order.
	Contracts(by domain.Principal, company domain.CompanyID, state domain.ContractState) ([]ContractView, error)
}

// TokenView is one bearer token of a person.
type TokenView struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
}

// CompanyProfileView is what the portal's Company tab shows.
type CompanyProfileView struct {
	ID         domain.CompanyID    `json:"id"`
	Name       string              `json:"name"`
	CustomerID string              `json:"customer_id,omitempty"`
	Members    []MemberSSAMailView `json:"members"`
}

// MemberSSAMailView is a member with the SSA expiry mail flag.
type MemberSSAMailView struct {
	Person  domain.PersonID `json:"person"`
	Name    string          `json:"name"`
	Email   string          `json:"email"`
	SSAMail bool            `json:"ssa_mail"`
}

// ProjectDetailView is a project with its properties, rights and SSA end.
// For an external project (External: the caller's company holds rights on
// it) properties and grants are the owner's business and left out.
type ProjectDetailView struct {
	ID          domain.ProjectID `json:"id"`
	Company     domain.CompanyID `json:"company"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	External    bool             `json:"external,omitempty"`
	SSAEnd      string           `json:"ssa_end,omitempty"`
	AutoSSA     bool             `json:"auto_ssa,omitempty"`
	// RentalDomain is the Devices App domain of a rental project.
	RentalDomain string `json:"rental_domain,omitempty"`
	FreedRMA     bool   `json:"freed_rma,omitempty"`
	// Properties and Grants are shown to the owner's members only.
	Properties *domain.ProjectProperties `json:"properties,omitempty"`
	Grants     []domain.CompanyID        `json:"grants,omitempty"`
}

// ContractView is one contract.
type ContractView struct {
	ID      domain.ContractID    `json:"id"`
	Company domain.CompanyID     `json:"company"`
	Kind    domain.ContractKind  `json:"kind"`
	State   domain.ContractState `json:"state"`
	By      domain.PersonID      `json:"by"`
}
