package domain

import "fmt"

// Events of warranty, floating, test, app-development licenses and
// downloads. Warranty extensions and floating licenses are bound from the
// balance with LicensesBound; these record what is not a balance movement.

func extraEvents() []registration {
	return []registration{reg[FloatingRemoved](), reg[TestLicenseIssued](), reg[ManufacturerPrefixSet](),
		reg[AppDevLicenseIssued](), reg[LicensesDownloaded]()}
}

// FloatingRemoved: a V7 floating license was deleted from a device (it is
// consumed, not returned).
type FloatingRemoved struct {
	MAC     MAC         `json:"mac"`
	Company CompanyID   `json:"company"`
	Line    LicenseLine `json:"line"`
}

// TestLicenseIssued: a test license file was produced for a device; since
// V11 it is valid until ValidUntil and once per device, ever.
type TestLicenseIssued struct {
	MAC        MAC       `json:"mac"`
	Company    CompanyID `json:"company"`
	Version    int       `json:"version"`
	Slave      bool      `json:"slave,omitempty"`
	PBXCount   int64     `json:"pbx_count,omitempty"`
	ValidUntil string    `json:"valid_until,omitempty"`
}

// ManufacturerPrefixSet: the vendor deposited a company's manufacturer
// prefix for app-development licenses.
type ManufacturerPrefixSet struct {
	Company CompanyID `json:"company"`
	Prefix  string    `json:"prefix"`
}

// AppDevLicenseIssued: an app-development license file (not for
// production) was produced for a device.
type AppDevLicenseIssued struct {
	MAC     MAC       `json:"mac"`
	Company CompanyID `json:"company"`
	Names   []string  `json:"names"`
}

// LicensesDownloaded: a license file was downloaded. An unencrypted file
// locks returning unless the device has the no-downgrade bootcode.
type LicensesDownloaded struct {
	MAC         MAC       `json:"mac"`
	Company     CompanyID `json:"company"`
	Version     int       `json:"version"`
	Encrypted   bool      `json:"encrypted"`
	LocksReturn bool      `json:"locks_return,omitempty"`
}

// EventType implements Event.
func (FloatingRemoved) EventType() string { return "FloatingLicenseRemoved" }

// EventType implements Event.
func (TestLicenseIssued) EventType() string { return "TestLicenseIssued" }

// EventType implements Event.
func (ManufacturerPrefixSet) EventType() string { return "ManufacturerPrefixSet" }

// EventType implements Event.
func (AppDevLicenseIssued) EventType() string { return "AppDevLicenseIssued" }

// EventType implements Event.
func (LicensesDownloaded) EventType() string { return "LicensesDownloaded" }

// EventTags implements Event.
func (e FloatingRemoved) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e TestLicenseIssued) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e ManufacturerPrefixSet) EventTags() []string { return []string{e.Company.Tag()} }

// EventTags implements Event.
func (e AppDevLicenseIssued) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e LicensesDownloaded) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

func (e FloatingRemoved) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	return d.take([]LicenseLine{e.Line})
}

func (e TestLicenseIssued) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	if e.ValidUntil != "" {
		d.TestUntil = e.ValidUntil
	}
	return nil
}

func (e ManufacturerPrefixSet) apply(s *State) error {
	if _, ok := s.Companies[e.Company]; !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.Prefixes[e.Company] = e.Prefix
	return nil
}

func (e AppDevLicenseIssued) apply(s *State) error {
	if _, err := s.deviceForEvent(e.EventType(), e.MAC); err != nil {
		return err
	}
	if s.AppDevDevices[e.Company] == nil {
		s.AppDevDevices[e.Company] = map[MAC]bool{}
	}
	s.AppDevDevices[e.Company][e.MAC] = true
	return nil
}

func (e LicensesDownloaded) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	d.ReturnLocked = d.ReturnLocked || e.LocksReturn
	return nil
}
