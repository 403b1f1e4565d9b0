package domain

import "fmt"

// Licensing is the state of activation keys (and, as the license lifecycle
// grows, devices, bindings and free pools).
type Licensing struct {
	Keys map[string]*Key
}

func newLicensing() Licensing { return Licensing{Keys: map[string]*Key{}} }

// Key is an activation key.
type Key struct {
	KeyIssued
	RedeemedInto ProjectID // 0 while not redeemed
}

func keyEvents() []registration {
	return []registration{reg[KeyIssued](), reg[KeyRedeemed]()}
}

// KeyIssued: an activation key holding licenses. Vendor keys have no
// source project; own keys are created from a project balance.
type KeyIssued struct {
	Code           string    `json:"code"`
	Lines          []Line    `json:"lines"`
	FromProject    ProjectID `json:"from_project,omitempty"`
	OrderNumber    string    `json:"order_number,omitempty"`
	OrderReference string    `json:"order_reference,omitempty"`
	Comment        string    `json:"comment,omitempty"`
}

// KeyRedeemed: a key's licenses went into a project balance, once, ever.
type KeyRedeemed struct {
	Code    string    `json:"code"`
	Project ProjectID `json:"project"`
	Company CompanyID `json:"company"`
	Lines   []Line    `json:"lines"` // copied from the key, so the event stands alone
	Comment string    `json:"comment,omitempty"`
}

// EventType implements Event.
func (KeyIssued) EventType() string { return "ActivationKeyIssued" }

// EventType implements Event.
func (KeyRedeemed) EventType() string { return "ActivationKeyRedeemed" }

// EventTags implements Event.
func (e KeyIssued) EventTags() []string {
	if e.FromProject != 0 {
		return []string{KeyTag(e.Code), e.FromProject.Tag()}
	}
	return []string{KeyTag(e.Code)}
}

// EventTags implements Event.
func (e KeyRedeemed) EventTags() []string {
	return []string{KeyTag(e.Code), e.Company.Tag(), e.Project.Tag()}
}

func (e KeyIssued) apply(s *State) error {
	s.Keys[e.Code] = &Key{KeyIssued: e}
	if p, ok := s.Projects[e.FromProject]; ok {
		p.Balance.Add(e.Lines, -1)
	}
	return nil
}

func (e KeyRedeemed) apply(s *State) error {
	k, ok := s.Keys[e.Code]
	p, okp := s.Projects[e.Project]
	if !ok || !okp {
		return fmt.Errorf("%s: unknown key %q or project %d", e.EventType(), e.Code, e.Project)
	}
	k.RedeemedInto = e.Project
	p.Balance.Add(e.Lines, +1)
	return nil
}
