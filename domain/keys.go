package domain

import "fmt"

// Licensing is the state of the license lifecycle: activation keys,
// devices with their license lines, free pools and credit purchases.
type Licensing struct {
	Keys        map[string]*Key
	Devices     map[MAC]*Device
	Orders      map[string][]MAC // order number -> devices registered from it
	Credits     []CreditPurchased
	LastLicense int64                       // the last license line id allocated
	Free        map[ProjectID][]LicenseLine // returned licenses, per project, in id order
	// Prefixes are the manufacturer prefixes deposited by the vendor, and
	// AppDevDevices the devices each company made app-development
	// licenses for (at most MaxAppDevDevices).
	Prefixes      map[CompanyID]string
	AppDevDevices map[CompanyID]map[MAC]bool
}

func newLicensing() Licensing {
	return Licensing{Keys: map[string]*Key{}, Devices: map[MAC]*Device{}, Orders: map[string][]MAC{},
		Free: map[ProjectID][]LicenseLine{}, Prefixes: map[CompanyID]string{}, AppDevDevices: map[CompanyID]map[MAC]bool{}}
}

// Key is an activation key. Lines are its current contents (own keys may
// be updated while not redeemed).
type Key struct {
	KeyIssued
	RedeemedInto ProjectID // 0 while not redeemed
	Deleted      bool      // an own key deleted before redemption; its code is never reused
}

func keyEvents() []registration {
	return []registration{reg[KeyIssued](), reg[KeyRedeemed](), reg[KeyUpdated](), reg[KeyDeleted]()}
}

// KeyUpdated: an own, unredeemed key changed. Delta (signed) moved between
// the source project's balance and the key; the texts are the new ones.
type KeyUpdated struct {
	Code           string    `json:"code"`
	Project        ProjectID `json:"project"`
	Delta          []Line    `json:"delta,omitempty"`
	Comment        string    `json:"comment,omitempty"`
	OrderNumber    string    `json:"order_number,omitempty"`
	OrderReference string    `json:"order_reference,omitempty"`
}

// KeyDeleted: an own, unredeemed key was deleted and its lines went to the
// balance of Project (the caller's choice, by default the source project).
type KeyDeleted struct {
	Code    string    `json:"code"`
	Project ProjectID `json:"project"`
	Lines   []Line    `json:"lines"`
}

// EventType implements Event.
func (KeyUpdated) EventType() string { return "ActivationKeyUpdated" }

// EventType implements Event.
func (KeyDeleted) EventType() string { return "ActivationKeyDeleted" }

// EventTags implements Event.
func (e KeyUpdated) EventTags() []string { return []string{KeyTag(e.Code), e.Project.Tag()} }

// EventTags implements Event.
func (e KeyDeleted) EventTags() []string { return []string{KeyTag(e.Code), e.Project.Tag()} }

func (e KeyUpdated) apply(s *State) error {
	k, ok := s.Keys[e.Code]
	p, okp := s.Projects[e.Project]
	if !ok || !okp {
		return fmt.Errorf("%s: unknown key %q or project %d", e.EventType(), e.Code, e.Project)
	}
	b := Balance{}
	b.Add(k.Lines, +1)
	b.Add(e.Delta, +1)
	k.Lines = b.Lines()
	p.Balance.Add(e.Delta, -1)
	k.Comment, k.OrderNumber, k.OrderReference = e.Comment, e.OrderNumber, e.OrderReference
	return nil
}

func (e KeyDeleted) apply(s *State) error {
	k, ok := s.Keys[e.Code]
	p, okp := s.Projects[e.Project]
	if !ok || !okp {
		return fmt.Errorf("%s: unknown key %q or project %d", e.EventType(), e.Code, e.Project)
	}
	k.Deleted = true
	p.Balance.Add(e.Lines, +1)
	return nil
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
