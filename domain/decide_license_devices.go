package domain

import (
	"strings"
	"time"
)

// AddDevices puts devices into a project: exactly one of MACs (one device
// or a list of at most 50), From..To (a range of at most 50) or
// OrderNumber (every device of an order not yet in the company). Vendor
// MACs must be in the registry; MACs in the virtual ranges create the
// device (type Type, default IPVA) and are unique across companies.
//
// A list or range is added whole or not at all (a refusal names the first
// failing MAC, in input order); the order form skips devices already in
// the company, so it can be repeated after new deliveries. Refusals:
// project-not-found, the caller's right, invalid-device-selection,
// invalid-mac/too-many-devices/invalid-range, order-not-found, then per
// device already-in-company, ipva-mac-exists, device-type-mismatch,
// device-not-found. A device in another company is added with the
// in_other_company warning on its event.
type AddDevices struct {
	Project     ProjectID
	MACs        []string
	From, To    string
	OrderNumber string
	Type        string // for virtual MACs; default IPVA
}

// CommandType implements Command.
func (AddDevices) CommandType() string { return "AddDevices" }

// DefaultVirtualType is the device type of a virtual MAC added without one.
const DefaultVirtualType = "IPVA"

func (c AddDevices) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	p, err := s.licenseProject(by, c.Project)
	if err != nil {
		return nil, err
	}
	macs, skipKnown, err := s.selectDevices(c)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, m := range macs {
		if skipKnown && s.Devices[m].In[p.Company] != nil {
			continue
		}
		evs, err := s.addDevice(p, m, c.Type)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	if len(out) == 0 {
		return nil, Errorf(KindRejected, "already-in-company", "every device of order %q is already in the company", c.OrderNumber)
	}
	return out, nil
}

// selectDevices resolves the command's one selection to MACs; skipKnown
// is true for the order form.
func (s *State) selectDevices(c AddDevices) ([]MAC, bool, error) {
	n := 0
	for _, set := range []bool{len(c.MACs) > 0, c.From != "" || c.To != "", strings.TrimSpace(c.OrderNumber) != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, false, Errorf(KindInvalid, "invalid-device-selection", "give exactly one of macs, from/to or order_number")
	}
	switch {
	case len(c.MACs) > 0:
		macs, err := ParseMACList(c.MACs)
		return macs, false, err
	case c.From != "" || c.To != "":
		macs, err := ExpandMACRange(c.From, c.To)
		return macs, false, err
	}
	macs := s.Orders[strings.TrimSpace(c.OrderNumber)]
	if len(macs) == 0 {
		return nil, false, Errorf(KindNotFound, "order-not-found", "no devices registered for order %q", c.OrderNumber)
	}
	return macs, true, nil
}

func (s *State) addDevice(p *Project, m MAC, typ string) ([]Event, error) {
	d, known := s.Devices[m]
	if known && d.In[p.Company] != nil {
		return nil, Errorf(KindRejected, "already-in-company", "device %s is already in this company", m)
	}
	if s.Catalog.IsVirtualMAC(m) {
		return s.addVirtualDevice(p, m, typ)
	}
	if !known {
		return nil, Errorf(KindNotFound, "device-not-found", "device %s is not in the vendor registry", m)
	}
	return []Event{DeviceAdded{MAC: m, Company: p.Company, Project: p.ID, InOtherCompany: len(d.In) > 0}}, nil
}

// addVirtualDevice creates (or takes over, if it left every company) a
// device with a virtual MAC. Such MACs belong to one company at a time.
func (s *State) addVirtualDevice(p *Project, m MAC, typ string) ([]Event, error) {
	if d, ok := s.Devices[m]; ok && len(d.In) > 0 {
		return nil, Errorf(KindRejected, "ipva-mac-exists", "the virtual MAC %s is already used by another company", m)
	}
	if typ == "" {
		typ = DefaultVirtualType
	}
	t, err := s.Catalog.DeviceType(typ)
	if err != nil {
		return nil, err
	}
	if t.Hardware() {
		return nil, Errorf(KindRejected, "device-type-mismatch", "%s is a virtual MAC; %s is a hardware type", m, t.Name)
	}
	return []Event{DeviceRegistered{MAC: m, Type: t.Name, Owner: p.Company},
		DeviceAdded{MAC: m, Company: p.Company, Project: p.ID}}, nil
}

// RemoveDevices takes devices out of a company; their licenses stay with
// them. A device that also sits in a rental project stays there (it holds
// rental licenses, docs/rental.md). Refusals: the caller's right,
// invalid-mac, device-not-in-company, device-has-rental-licenses (a device
// in its rental project only: remove the rented licenses first).
type RemoveDevices struct {
	Company CompanyID
	MACs    []string
}

// CommandType implements Command.
func (RemoveDevices) CommandType() string { return "RemoveDevices" }

func (c RemoveDevices) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	macs, err := ParseMACList(c.MACs)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(macs))
	for _, m := range macs {
		pl, err := s.placement(c.Company, m)
		if err != nil {
			return nil, err
		}
		ev, err := s.removeFromProject(c.Company, m, pl)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// MoveDevices moves devices to another project of the same company.
// Devices already there are left as they are. (Moving into an SSA project
// extends SSA; that plugs in with the SSA calculator.) Refusals: the
// caller's right, project-not-found, project-not-in-company, invalid-mac,
// device-not-in-company, already-in-project (nothing to move).
type MoveDevices struct {
	Company CompanyID
	MACs    []string
	To      ProjectID
}

// CommandType implements Command.
func (MoveDevices) CommandType() string { return "MoveDevices" }

func (c MoveDevices) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	to, err := s.project(c.To)
	if err != nil {
		return nil, err
	}
	if to.Company != c.Company {
		return nil, errNotInCompany(to.ID)
	}
	macs, err := ParseMACList(c.MACs)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, m := range macs {
		pl, err := s.placement(c.Company, m)
		if err != nil {
			return nil, err
		}
		if pl.Project != to.ID {
			out = append(out, DeviceMoved{MAC: m, Company: c.Company, From: pl.Project, To: to.ID})
			if ev, ok := s.stayInRentalProject(c.Company, m, pl.Project); ok {
				out = append(out, ev)
			}
		}
	}
	if len(out) == 0 {
		return nil, Errorf(KindRejected, "already-in-project", "every device is already in project %d", to.ID)
	}
	// Into an SSA project the moved devices' licenses get its SSA end, paid
	// from its SSC balance or invoiced under automatic SSA (SSAOnMove).
	var moved []MAC
	for _, e := range out {
		if mv, ok := e.(DeviceMoved); ok {
			moved = append(moved, mv.MAC)
		}
	}
	pre, post, err := s.SSAOnMove(by, to, moved, 0, false, "", DayOf(now))
	if err != nil {
		return nil, err
	}
	return append(append(pre, out...), post...), nil
}

// checkComment refuses control characters other than tab and newline in a
// device comment (invalid-text) and more than MaxComment characters
// (invalid-comment).
func checkComment(v string) error {
	if err := CheckText("comment", v, MultiLine, 0); err != nil {
		return err
	}
	if len([]rune(v)) > MaxComment {
		return Errorf(KindInvalid, "invalid-comment", "a comment has at most %d characters", MaxComment)
	}
	return nil
}

// ChangeDevice sets a company's name and comment of a device. A name that
// is a MAC or an IPEI is refused: it would pass for another device.
// Refusals: the caller's right, invalid-mac, device-not-in-company,
// invalid-name, invalid-device-name, invalid-text, invalid-comment.
type ChangeDevice struct {
	Company CompanyID
	MAC     string
	Name    string
	Comment string
}

// CommandType implements Command.
func (ChangeDevice) CommandType() string { return "ChangeDevice" }

func (c ChangeDevice) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	m, err := ParseMAC(c.MAC)
	if err != nil {
		return nil, err
	}
	pl, err := s.placement(c.Company, m)
	if err != nil {
		return nil, err
	}
	name, err := checkName("name", c.Name, MaxDeviceName)
	if err != nil {
		return nil, err
	}
	if name != pl.Name && looksLikeDeviceID(name) {
		return nil, Errorf(KindInvalid, "invalid-device-name", "a device name must not be a MAC address or IPEI")
	}
	comment := strings.TrimSpace(c.Comment)
	if err := checkComment(comment); err != nil {
		return nil, err
	}
	return []Event{DeviceChanged{MAC: m, Company: c.Company, Name: name, Comment: comment}}, nil
}

// RequestRMA asks to return a hardware device. Refusals: the caller's
// right, invalid-text (reason), invalid-mac, device-not-in-company,
// not-hardware, rma-already-requested.
type RequestRMA struct {
	Company CompanyID
	MAC     string
	Reason  string
}

// CommandType implements Command.
func (RequestRMA) CommandType() string { return "RequestRMA" }

func (c RequestRMA) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanLicense(by, c.Company); err != nil {
		return nil, err
	}
	if err := CheckText("reason", strings.TrimSpace(c.Reason), MultiLine, MaxReason); err != nil {
		return nil, err
	}
	m, err := ParseMAC(c.MAC)
	if err != nil {
		return nil, err
	}
	if _, err := s.placement(c.Company, m); err != nil {
		return nil, err
	}
	d := s.Devices[m]
	if t, _ := s.Catalog.DeviceType(d.Type); !t.Hardware() {
		return nil, Errorf(KindRejected, "not-hardware", "a virtual device cannot be returned")
	}
	if d.RMA != RMANone {
		return nil, Errorf(KindRejected, "rma-already-requested", "RMA for %s is already %s", m, d.RMA)
	}
	return []Event{RMARequestedEvent{MAC: m, Company: c.Company, Reason: strings.TrimSpace(c.Reason)}}, nil
}

// ReceiveRMA is the vendor marking a requested RMA device as received.
// Refusals: vendor-only, invalid-mac, device-not-found, rma-not-requested.
type ReceiveRMA struct {
	MAC string
}

// CommandType implements Command.
func (ReceiveRMA) CommandType() string { return "ReceiveRMA" }

func (c ReceiveRMA) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	d, err := s.vendorRMADevice(by, c.MAC, RMARequested, "rma-not-requested", "no open RMA request for %s")
	if err != nil {
		return nil, err
	}
	return []Event{RMAReceivedEvent{MAC: d.MAC}}, nil
}

// vendorRMADevice is the common start of the vendor's RMA steps: vendor
// staff only, a valid MAC of a registered device in RMA state want
// (refused with code and the detail format, which takes the MAC).
func (s *State) vendorRMADevice(by Principal, mac string, want RMAState, code, detail string) (*Device, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	m, err := ParseMAC(mac)
	if err != nil {
		return nil, err
	}
	d, ok := s.Devices[m]
	if !ok {
		return nil, Errorf(KindNotFound, "device-not-found", "device %s is not in the registry", m)
	}
	if d.RMA != want {
		return nil, Errorf(KindRejected, code, detail, m)
	}
	return d, nil
}

// licenseProject returns a project the caller may add devices and
// licenses to: its own company's, or an external project granted to it.
func (s *State) licenseProject(by Principal, id ProjectID) (*Project, error) {
	if err := s.CanUseProject(by, id); err != nil {
		return nil, err
	}
	return s.project(id)
}

// placement returns a device's placement in a company.
func (s *State) placement(c CompanyID, m MAC) (*Placement, error) {
	if d, ok := s.Devices[m]; ok {
		if pl, ok := d.In[c]; ok {
			return pl, nil
		}
	}
	return nil, Errorf(KindNotFound, "device-not-in-company", "device %s is not in company %d", m, c)
}

func errNotInCompany(p ProjectID) error {
	return Errorf(KindRejected, "project-not-in-company", "project %d is not a project of this company", p)
}
