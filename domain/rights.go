package domain

import "fmt"

// Right is a member's right in a company. Buy-on-credit is separate.
type Right string

// The rights of the portal's "Authorized persons" tab.
const (
	RightAdministrator Right = "administrator" // everything
	RightContracts     Right = "contracts"     // may conclude contracts
	RightLicenses      Right = "licenses"      // may work with licenses
	RightViewer        Right = "viewer"        // sees everything, changes nothing
	RightLocked        Right = "locked"        // cannot even log in to this company
)

// ParseRight validates a right's wire name.
func ParseRight(s string) (Right, error) {
	switch r := Right(s); r {
	case RightAdministrator, RightContracts, RightLicenses, RightViewer, RightLocked:
		return r, nil
	}
	return "", Errorf(KindInvalid, "invalid-right", "unknown right %q (administrator, contracts, licenses, viewer, locked)", s)
}

// Principal is the authenticated caller of a command or query.
type Principal struct {
	Person PersonID
	Vendor bool // vendor staff see and may do everything
	// Now, when set, holds the caller's memberships as they are today. A
	// query answered from a past state (as-of) decides access by them, not
	// by the rights the caller had then: an administrator removed since
	// must not read the project's trust value as it was while they were one.
	// Which company an entity belonged to still comes from the past state.
	// Commands never carry it.
	Now *Standing
}

// Standing is a person's memberships at one point, by company.
type Standing struct {
	Memberships map[CompanyID]Membership
}

func (p Principal) String() string { return fmt.Sprintf("person %d", p.Person) }

// Membership is a person's standing in one company.
type Membership struct {
	Right       Right `json:"right"`
	BuyOnCredit bool  `json:"buy_on_credit,omitempty"`
}

// CanRead is the access check of every company query: members who are not
// locked, and vendor staff.
func (s *State) CanRead(p Principal, c CompanyID) error {
	return s.allow(p, c, ErrNoRight, RightAdministrator, RightContracts, RightLicenses, RightViewer)
}

// CanLicense allows work with licenses: Administrator or Licenses right.
func (s *State) CanLicense(p Principal, c CompanyID) error {
	return s.allow(p, c, ErrNoRight, RightAdministrator, RightLicenses)
}

// IsAdministrator allows what only company administrators may do.
func (s *State) IsAdministrator(p Principal, c CompanyID) error {
	return s.allow(p, c, ErrNotAdministrator, RightAdministrator)
}

// allow passes vendor staff (for an existing company) and members holding
// one of the rights; a Locked member gets person-locked, any other member
// denied. The order of checks is the order of precedence of the codes:
// company-not-found, not-member, person-locked, then denied.
func (s *State) allow(p Principal, c CompanyID, denied error, rights ...Right) error {
	m, err := s.member(p, c)
	if p.Vendor && !isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Right == RightLocked {
		return ErrPersonLocked
	}
	for _, r := range rights {
		if m.Right == r {
			return nil
		}
	}
	return denied
}

func isNotFound(err error) bool { return err != nil && KindOf(err) == KindNotFound }

func (s *State) member(p Principal, c CompanyID) (Membership, error) {
	co, ok := s.Companies[c]
	if !ok {
		return Membership{}, Errorf(KindNotFound, "company-not-found", "no company %d", c)
	}
	var m Membership
	if p.Now != nil {
		m, ok = p.Now.Memberships[c]
	} else {
		m, ok = co.Members[p.Person]
	}
	if !ok {
		return Membership{}, ErrNotMember
	}
	return m, nil
}
