package domain

import "fmt"

// Origin says how a license line came to a device.
type Origin string

// The origins of license lines.
const (
	OriginPurchased Origin = "purchased" // bound from a balance or the free pool
	OriginRental    Origin = "rental"    // bound by the Devices App (software rental)
	OriginTest      Origin = "test"      // a test license
	OriginAppDev    Origin = "app-dev"   // an app-development license
)

// LicenseLine is a quantity of one item bound to a device. Its id is
// allocated once, at its first binding, and stays with the line through
// the free pool, so the history of a license can be followed.
type LicenseLine struct {
	ID int64 `json:"id"`
	Item
	Quantity    int64  `json:"quantity"`
	BindDate    string `json:"bind_date"`         // YYYY-MM-DD
	SSAEnd      string `json:"ssa_end,omitempty"` // YYYY-MM-DD; empty: no SSA
	ExternalKey string `json:"external_key,omitempty"`
	Origin      Origin `json:"origin"`
}

// Draw is what a binding took from one project's balance.
type Draw struct {
	Project ProjectID `json:"project"`
	Lines   []Line    `json:"lines"`
}

func licenseEvents() []registration {
	return []registration{reg[LicensesBound](), reg[CreditPurchased]()}
}

// LicensesBound: license lines were bound to a device, drawn from one or
// more project balances of the device's company (Draws sum to Lines).
type LicensesBound struct {
	MAC     MAC           `json:"mac"`
	Company CompanyID     `json:"company"`
	Project ProjectID     `json:"project"`
	Draws   []Draw        `json:"draws"`
	Lines   []LicenseLine `json:"lines"`
}

// CreditPurchased: a shortfall was bought on credit and is to be invoiced.
// It records the purchase; the binding that follows takes the project
// balance below zero by these lines.
type CreditPurchased struct {
	Company     CompanyID `json:"company"`
	Project     ProjectID `json:"project"`
	Person      PersonID  `json:"person"`
	MAC         MAC       `json:"mac,omitempty"`
	Lines       []Line    `json:"lines"`
	OrderNumber string    `json:"order_number,omitempty"`
	Date        string    `json:"date"`
}

// EventType implements Event.
func (LicensesBound) EventType() string { return "LicensesBound" }

// EventType implements Event.
func (CreditPurchased) EventType() string { return "CreditPurchased" }

// EventTags implements Event.
func (e LicensesBound) EventTags() []string {
	tags := []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
	for _, d := range e.Draws {
		if d.Project != e.Project {
			tags = append(tags, d.Project.Tag())
		}
	}
	return tags
}

// EventTags implements Event.
func (e CreditPurchased) EventTags() []string {
	tags := []string{e.Company.Tag(), e.Project.Tag(), e.Person.Tag()}
	if e.MAC != "" {
		tags = append(tags, e.MAC.Tag())
	}
	return tags
}

func (e LicensesBound) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	for _, dr := range e.Draws {
		p, ok := s.Projects[dr.Project]
		if !ok {
			return fmt.Errorf("%s: unknown project %d", e.EventType(), dr.Project)
		}
		p.Balance.Add(dr.Lines, -1)
	}
	for _, l := range e.Lines {
		d.Licenses = append(d.Licenses, l)
		s.LastLicense = max(s.LastLicense, l.ID)
	}
	return nil
}

func (e CreditPurchased) apply(s *State) error {
	s.Credits = append(s.Credits, e)
	return nil
}

// holding sums a device's lines per item.
func (d *Device) holding() Balance {
	b := Balance{}
	for _, l := range d.Licenses {
		b[l.Item] += l.Quantity
	}
	return b
}
