package domain

import (
	"fmt"
	"sort"
)

// Device is a device known to the ledger: registered by the vendor from an
// order (hardware) or created by its owner (virtual MACs). Its licenses
// are the device's own: they stay with it when it is removed from a project
// or sits in several companies.
type Device struct {
	MAC         MAC
	Type        string
	OrderNumber string
	Delivered   string // YYYY-MM-DD, hardware only
	Owner       CompanyID
	In          map[CompanyID]*Placement // at most one project per company
	Licenses    []LicenseLine
	RMA         RMAState
	RMACompany  CompanyID // the company that requested RMA (gets freed licenses on reshipping)
	// ReturnLocked: licenses were downloaded unencrypted, so they cannot be
	// returned (unless the device has the no-downgrade bootcode).
	ReturnLocked  bool
	Invalidations []Invalidation
	// TestUntil is the end of the device's V11+ test license; set once,
	// it refuses any further test license.
	TestUntil string
}

// Invalidation is the confirmation record of one return of licenses.
type Invalidation struct {
	Confirmation string    `json:"confirmation"`
	Date         string    `json:"date"`
	Project      ProjectID `json:"project"`
	Lines        []int64   `json:"lines"` // ids of the returned lines
}

// Placement is a device in one company's project, with that company's name
// and comment for it.
type Placement struct {
	Project ProjectID `json:"project"`
	Name    string    `json:"name"`
	Comment string    `json:"comment,omitempty"`
	// Rental is the rental project the device also sits in, beside
	// Project, because it holds rental licenses of the domain linked to it
	// (0: none; docs/rental.md).
	Rental ProjectID `json:"rental_project,omitempty"`
}

// RMAState is where a device stands in the return (RMA) process.
type RMAState string

// The RMA states. A received device's licenses may be moved away.
const (
	RMANone      RMAState = ""
	RMARequested RMAState = "requested"
	RMAReceived  RMAState = "received"
)

func deviceEvents() []registration {
	return []registration{reg[DeviceRegistered](), reg[DeviceAdded](), reg[DeviceRemoved](),
		reg[DeviceMoved](), reg[DeviceChanged](), reg[RMARequestedEvent](), reg[RMAReceivedEvent]()}
}

// DeviceRegistered: a device entered the vendor registry, from an order
// (hardware; Owner 0) or created by a company in a virtual range (Owner).
type DeviceRegistered struct {
	MAC         MAC       `json:"mac"`
	Type        string    `json:"type"`
	OrderNumber string    `json:"order_number,omitempty"`
	Delivered   string    `json:"delivered,omitempty"`
	Owner       CompanyID `json:"owner,omitempty"`
}

// DeviceAdded: a company put a device into one of its projects. The
// warning flag says the device is also in another company.
type DeviceAdded struct {
	MAC            MAC       `json:"mac"`
	Company        CompanyID `json:"company"`
	Project        ProjectID `json:"project"`
	InOtherCompany bool      `json:"in_other_company,omitempty"`
}

// DeviceRemoved: a device left a company's project; its licenses stay.
type DeviceRemoved struct {
	MAC     MAC       `json:"mac"`
	Company CompanyID `json:"company"`
	Project ProjectID `json:"project"`
}

// DeviceMoved: a device moved between two projects of one company.
type DeviceMoved struct {
	MAC     MAC       `json:"mac"`
	Company CompanyID `json:"company"`
	From    ProjectID `json:"from"`
	To      ProjectID `json:"to"`
}

// DeviceChanged: a company's name and comment of a device.
type DeviceChanged struct {
	MAC     MAC       `json:"mac"`
	Company CompanyID `json:"company"`
	Name    string    `json:"name"`
	Comment string    `json:"comment,omitempty"`
}

// RMARequestedEvent: a company asked to return a device (RMA).
type RMARequestedEvent struct {
	MAC     MAC       `json:"mac"`
	Company CompanyID `json:"company"`
	Reason  string    `json:"reason,omitempty"`
}

// RMAReceivedEvent: the vendor received an RMA device; its licenses are
// now movable.
type RMAReceivedEvent struct {
	MAC MAC `json:"mac"`
}

// EventType implements Event.
func (DeviceRegistered) EventType() string { return "DeviceRegistered" }

// EventType implements Event.
func (DeviceAdded) EventType() string { return "DeviceAdded" }

// EventType implements Event.
func (DeviceRemoved) EventType() string { return "DeviceRemoved" }

// EventType implements Event.
func (DeviceMoved) EventType() string { return "DeviceMoved" }

// EventType implements Event.
func (DeviceChanged) EventType() string { return "DeviceChanged" }

// EventType implements Event.
func (RMARequestedEvent) EventType() string { return "RMARequested" }

// EventType implements Event.
func (RMAReceivedEvent) EventType() string { return "RMAReceived" }

// EventTags implements Event.
func (e DeviceRegistered) EventTags() []string {
	if e.Owner != 0 {
		return []string{e.MAC.Tag(), e.Owner.Tag()}
	}
	return []string{e.MAC.Tag()}
}

// EventTags implements Event.
func (e DeviceAdded) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e DeviceRemoved) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.Project.Tag()}
}

// EventTags implements Event.
func (e DeviceMoved) EventTags() []string {
	return []string{e.MAC.Tag(), e.Company.Tag(), e.From.Tag(), e.To.Tag()}
}

// EventTags implements Event.
func (e DeviceChanged) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e RMARequestedEvent) EventTags() []string { return []string{e.MAC.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e RMAReceivedEvent) EventTags() []string { return []string{e.MAC.Tag()} }

func (e DeviceRegistered) apply(s *State) error {
	if d, ok := s.Devices[e.MAC]; ok {
		// A virtual device that left every company is taken over by its
		// new owner; its licenses stay.
		d.Owner, d.Type = e.Owner, e.Type
		return nil
	}
	s.Devices[e.MAC] = &Device{MAC: e.MAC, Type: e.Type, OrderNumber: e.OrderNumber, Delivered: e.Delivered,
		Owner: e.Owner, In: map[CompanyID]*Placement{}}
	if e.OrderNumber != "" {
		s.Orders[e.OrderNumber] = append(s.Orders[e.OrderNumber], e.MAC)
	}
	return nil
}

func (e DeviceAdded) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	d.In[e.Company] = &Placement{Project: e.Project, Name: string(e.MAC)}
	return nil
}

func (e DeviceRemoved) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	delete(d.In, e.Company)
	return nil
}

func (e DeviceMoved) apply(s *State) error {
	pl, err := s.placementForEvent(e.EventType(), e.MAC, e.Company)
	if err != nil {
		return err
	}
	pl.Project = e.To
	if pl.Rental == e.To {
		pl.Rental = 0 // in the rental project as its own project now
	}
	return nil
}

func (e DeviceChanged) apply(s *State) error {
	pl, err := s.placementForEvent(e.EventType(), e.MAC, e.Company)
	if err != nil {
		return err
	}
	pl.Name, pl.Comment = e.Name, e.Comment
	return nil
}

func (e RMARequestedEvent) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	d.RMA, d.RMACompany = RMARequested, e.Company
	return nil
}

func (e RMAReceivedEvent) apply(s *State) error {
	d, err := s.deviceForEvent(e.EventType(), e.MAC)
	if err != nil {
		return err
	}
	d.RMA = RMAReceived
	return nil
}

func (s *State) deviceForEvent(typ string, m MAC) (*Device, error) {
	d, ok := s.Devices[m]
	if !ok {
		return nil, fmt.Errorf("%s: unknown device %s", typ, m)
	}
	return d, nil
}

func (s *State) placementForEvent(typ string, m MAC, c CompanyID) (*Placement, error) {
	d, err := s.deviceForEvent(typ, m)
	if err != nil {
		return nil, err
	}
	pl, ok := d.In[c]
	if !ok {
		return nil, fmt.Errorf("%s: device %s is not in company %d", typ, m, c)
	}
	return pl, nil
}

// SortedMACs returns the MACs of a device map in order, for answers and
// fingerprints that must not depend on map order.
func SortedMACs[V any](m map[MAC]V) []MAC {
	out := make([]MAC, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
