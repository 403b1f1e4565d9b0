package domain

import "time"

// ConcludeContract concludes a contract for a company: an Administrator or
// a member with the Contracts right. A company holds at most one valid
// (open or approved) contract of each kind.
type ConcludeContract struct {
	Company CompanyID
	Kind    ContractKind
}

// CommandType implements Command.
func (ConcludeContract) CommandType() string { return "ConcludeContract" }

// decide checks, in order: right, kind, no valid contract of the kind.
func (c ConcludeContract) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanContract(by, c.Company); err != nil {
		return nil, err
	}
	if _, err := ParseContractKind(string(c.Kind)); err != nil {
		return nil, err
	}
	for _, ct := range s.Contracts {
		if ct.Company == c.Company && ct.Kind == c.Kind && ct.State != ContractStateCancelled {
			return nil, Errorf(KindRejected, "contract-exists", "the company already has a %s contract (%d, %s)", ct.Kind, ct.ID, ct.State)
		}
	}
	return []Event{ContractConcluded{Contract: s.LastContract + 1, Company: c.Company, Kind: c.Kind, By: by.Person}}, nil
}

// CanContract allows concluding contracts: Administrator or Contracts right.
func (s *State) CanContract(p Principal, c CompanyID) error {
	if p.Vendor {
		_, err := s.company(c)
		return err
	}
	m, err := s.member(p, c)
	if err != nil {
		return err
	}
	switch m.Right {
	case RightAdministrator, RightContracts:
		return nil
	case RightLocked:
		return ErrPersonLocked
	}
	return ErrNoRight
}

// ApproveContract is the vendor approving an open contract.
type ApproveContract struct {
	Contract ContractID
}

// CommandType implements Command.
func (ApproveContract) CommandType() string { return "ApproveContract" }

func (c ApproveContract) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	ct, err := s.vendorContract(by, c.Contract)
	if err != nil {
		return nil, err
	}
	if ct.State != ContractStateOpen {
		return nil, Errorf(KindRejected, "contract-not-open", "contract %d is %s; only open contracts are approved", ct.ID, ct.State)
	}
	return []Event{ContractApproved{Contract: ct.ID, Company: ct.Company}}, nil
}

// CancelContract is the vendor cancelling an open or approved contract;
// it is not valid anymore.
type CancelContract struct {
	Contract ContractID
}

// CommandType implements Command.
func (CancelContract) CommandType() string { return "CancelContract" }

func (c CancelContract) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	ct, err := s.vendorContract(by, c.Contract)
	if err != nil {
		return nil, err
	}
	if ct.State == ContractStateCancelled {
		return nil, Errorf(KindRejected, "contract-cancelled", "contract %d is already cancelled", ct.ID)
	}
	return []Event{ContractCancelled{Contract: ct.ID, Company: ct.Company}}, nil
}

func (s *State) vendorContract(by Principal, id ContractID) (*Contract, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	ct, ok := s.Contracts[id]
	if !ok {
		return nil, Errorf(KindNotFound, "contract-not-found", "no contract %d", id)
	}
	return ct, nil
}
