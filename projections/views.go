package projections

import (
	"github.com/innolic/ledger/domain"
)

// Reader is the query side every read-model backend implements with equal
// answers (the conformance suite in projectiontest checks it). Every query
// takes the caller and answers only what the caller's rights allow.
type Reader interface {
	// Position is the last log position the answers reflect.
	Position() uint64
	// Authenticate resolves a token hash to its person.
	Authenticate(tokenHash string) (domain.Principal, bool)
	Person(by domain.Principal, id domain.PersonID) (PersonView, error)
	Company(by domain.Principal, id domain.CompanyID) (CompanyView, error)
	Projects(by domain.Principal, company domain.CompanyID) ([]ProjectView, error)
	ProjectBalance(by domain.Principal, project domain.ProjectID) (BalanceView, error)
	CompanyBalance(by domain.Principal, company domain.CompanyID) (BalanceView, error)
	OrgReader
	LicenseReader
	SSAReader
	HistoryReader
	InterfaceReader
	SearchReader
	RentalReader
}

// PersonView is a person with their memberships.
type PersonView struct {
	ID          domain.PersonID `json:"id"`
	Email       string          `json:"email"`
	Name        string          `json:"name"`
	Vendor      bool            `json:"vendor,omitempty"`
	Memberships []MemberOf      `json:"memberships"`
}

// MemberOf is one company a person belongs to.
type MemberOf struct {
	Company     domain.CompanyID `json:"company"`
	Name        string           `json:"name"`
	Right       domain.Right     `json:"right"`
	BuyOnCredit bool             `json:"buy_on_credit,omitempty"`
}

// CompanyView is a company with members and projects.
type CompanyView struct {
	ID       domain.CompanyID `json:"id"`
	Name     string           `json:"name"`
	Members  []MemberView     `json:"members"`
	Projects []ProjectView    `json:"projects"`
}

// MemberView is one member of a company.
type MemberView struct {
	Person      domain.PersonID `json:"person"`
	Email       string          `json:"email"`
	Name        string          `json:"name"`
	Right       domain.Right    `json:"right"`
	BuyOnCredit bool            `json:"buy_on_credit,omitempty"`
}

// ProjectView is a project.
type ProjectView struct {
	ID          domain.ProjectID `json:"id"`
	Company     domain.CompanyID `json:"company"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
}

// BalanceView is a balance of a project or of a company's own projects.
type BalanceView struct {
	Scope string        `json:"scope"` // "project" or "company"
	ID    int64         `json:"id"`
	Lines []domain.Line `json:"lines"`
}
