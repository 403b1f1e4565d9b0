package projections

import "github.com/innolic/ledger/domain"

// InterfaceReader resolves the callers of the legacy interface.php
// endpoint, which authenticates by a hash over the request and a project's
// trust value rather than by a token. It is embedded in Reader.
type InterfaceReader interface {
	// InterfaceCaller looks up the project a call names and the person
	// with the email. It answers before the caller is proven (the hash is
	// checked with the trust value it returns), so it reveals nothing but
	// to the endpoint itself, which answers only "success" or an error.
	InterfaceCaller(email string, project domain.ProjectID) (InterfaceCallerView, error)
}

// InterfaceCallerView is what interface.php needs to check and run a call.
type InterfaceCallerView struct {
	// ProjectFound is false when no project has the id; the rest is then
	// empty.
	ProjectFound bool
	Company      domain.CompanyID
	Trust        string
	// PersonFound is false when no person has the email.
	PersonFound bool
	Person      domain.Principal
	// Reachable: the person may work with the project's licenses (not
	// locked, with the Administrator or Licenses right in its company).
	Reachable bool
}
