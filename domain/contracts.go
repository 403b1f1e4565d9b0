package domain

import (
	"fmt"
	"strconv"
)

// ContractID numbers contracts, allocated by the deciders like other ids.
type ContractID int64

// ContractKind is the type of a contract of the portal's Contracts tab.
type ContractKind string

// The contract kinds the vendor offers.
const (
	ContractMyAppsCloud    ContractKind = "myapps-cloud"    // innovaphone myApps Cloud Service
	ContractSoftwareRental ContractKind = "software-rental" // needed for software rental in the Devices App
)

// ContractState is where a contract stands: it is concluded open, then
// the vendor approves or cancels it.
type ContractState string

// The states of a contract.
const (
	ContractStateOpen      ContractState = "open"      // waiting for the vendor
	ContractStateApproved  ContractState = "approved"  // valid
	ContractStateCancelled ContractState = "cancelled" // not valid anymore
)

// ParseContractKind validates a contract kind's wire name.
func ParseContractKind(s string) (ContractKind, error) {
	switch k := ContractKind(s); k {
	case ContractMyAppsCloud, ContractSoftwareRental:
		return k, nil
	}
	return "", Errorf(KindInvalid, "invalid-contract-kind", "unknown contract kind %q (myapps-cloud, software-rental)", s)
}

// ParseContractState validates a contract state's wire name.
func ParseContractState(s string) (ContractState, error) {
	switch st := ContractState(s); st {
	case ContractStateOpen, ContractStateApproved, ContractStateCancelled:
		return st, nil
	}
	return "", Errorf(KindInvalid, "invalid-contract-state", "unknown contract state %q (open, approved, cancelled)", s)
}

// Contract is a company's contract with the vendor.
type Contract struct {
	ID      ContractID
	Company CompanyID
	Kind    ContractKind
	State   ContractState
	By      PersonID // who concluded it
}

// ContractConcluded: a company concluded a contract; it is open until the
// vendor approves or cancels it.
type ContractConcluded struct {
	Contract ContractID   `json:"contract"`
	Company  CompanyID    `json:"company"`
	Kind     ContractKind `json:"kind"`
	By       PersonID     `json:"by"`
}

// ContractApproved: the vendor approved an open contract; it may be used.
type ContractApproved struct {
	Contract ContractID `json:"contract"`
	Company  CompanyID  `json:"company"`
}

// ContractCancelled: the contract is not valid anymore.
type ContractCancelled struct {
	Contract ContractID `json:"contract"`
	Company  CompanyID  `json:"company"`
}

// EventType implements Event.
func (ContractConcluded) EventType() string { return "ContractConcluded" }

// EventType implements Event.
func (ContractApproved) EventType() string { return "ContractApproved" }

// EventType implements Event.
func (ContractCancelled) EventType() string { return "ContractCancelled" }

// EventTags implements Event.
func (e ContractConcluded) EventTags() []string { return []string{e.Company.Tag(), e.By.Tag()} }

// EventTags implements Event.
func (e ContractApproved) EventTags() []string { return []string{e.Company.Tag()} }

// EventTags implements Event.
func (e ContractCancelled) EventTags() []string { return []string{e.Company.Tag()} }

func (e ContractConcluded) apply(s *State) error {
	if _, ok := s.Companies[e.Company]; !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.Contracts[e.Contract] = &Contract{ID: e.Contract, Company: e.Company, Kind: e.Kind, State: ContractStateOpen, By: e.By}
	s.LastContract = max(s.LastContract, e.Contract)
	return nil
}

func (e ContractApproved) apply(s *State) error {
	return s.setContractState(e.Contract, ContractStateApproved)
}

func (e ContractCancelled) apply(s *State) error {
	return s.setContractState(e.Contract, ContractStateCancelled)
}

func (s *State) setContractState(id ContractID, st ContractState) error {
	c, ok := s.Contracts[id]
	if !ok {
		return fmt.Errorf("contract: unknown contract %d", id)
	}
	c.State = st
	return nil
}

// HasApprovedContract reports whether company c has an approved contract of
// kind k; software rental needs an approved software-rental contract.
func (s *State) HasApprovedContract(c CompanyID, k ContractKind) bool {
	for _, ct := range s.Contracts {
		if ct.Company == c && ct.Kind == k && ct.State == ContractStateApproved {
			return true
		}
	}
	return false
}

// String returns the contract id in decimal.
func (id ContractID) String() string { return strconv.FormatInt(int64(id), 10) }
