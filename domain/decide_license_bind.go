package domain

import (
	"strconv"
	"strings"
	"time"
)

// BindLicenses binds licenses of one version from the balance to a device
// in the project. Units are drawn from the project first, then from the
// named projects of the same company in the order given; with the
// buy-on-credit right the rest is bought on credit (CreditPurchased, then
// the project balance goes below zero).
//
// Refusals in order: project-not-found, the caller's right, invalid-mac,
// device-not-in-company, device-not-in-project, device-in-rma,
// invalid-lines/unknown-license-type/invalid-version/invalid-quantity,
// not-bindable, license-not-for-device, device-maximum-exceeded,
// voicemail-standby-mismatch, registration-exceeds-pbx,
// floating-exclusive, invalid-date/invalid-ssa-end, project-not-found/
// project-not-in-company (draw projects), balance-insufficient.
type BindLicenses struct {
	Project     ProjectID
	MAC         string
	Version     int
	Lines       []Line // type and quantity; the version is Version
	AlsoFrom    []ProjectID
	OnCredit    bool
	CreditOrder string
	SSAEnd      string
}

// CommandType implements Command.
func (BindLicenses) CommandType() string { return "BindLicenses" }

func (c BindLicenses) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	p, d, err := s.deviceInProject(by, c.Project, c.MAC)
	if err != nil {
		return nil, err
	}
	lines, err := s.bindableLines(c.Lines, c.Version)
	if err != nil {
		return nil, err
	}
	if err := s.checkDeviceFits(d, lines); err != nil {
		return nil, err
	}
	ssa, err := s.ssaEndOnBind(p, c.SSAEnd, now)
	if err != nil {
		return nil, err
	}
	out, err := s.drawAndBind(by, p, d, lines, ssa, drawing{c.AlsoFrom, c.OnCredit, c.CreditOrder}, now)
	if err != nil {
		return nil, err
	}
	bound := out[len(out)-1].(LicensesBound).Lines
	// The new lines get the asked SSA end, or under automatic SSA the
	// project's, and their SSC are paid (SSAOnArrival; invoiced under
	// automatic SSA).
	asked, _ := ParseDay(ssa)
	pre, post, err := s.SSAOnArrival(by, p, Arrival{Cause: "bind", Lines: map[MAC][]LicenseLine{d.MAC: bound}, Fresh: true,
		Optional: true, Asked: asked, Available: p.Balance[sscItem], OnCredit: c.OnCredit, Order: strings.TrimSpace(c.CreditOrder)}, DayOf(now))
	if err != nil {
		return nil, err
	}
	return append(append(out, pre...), post...), nil
}

// deviceInProject resolves a device in a project the caller may license
// in. RMA devices take no new licenses.
func (s *State) deviceInProject(by Principal, project ProjectID, mac string) (*Project, *Device, error) {
	p, err := s.licenseProject(by, project)
	if err != nil {
		return nil, nil, err
	}
	m, err := ParseMAC(mac)
	if err != nil {
		return nil, nil, err
	}
	pl, err := s.placement(p.Company, m)
	if err != nil {
		return nil, nil, err
	}
	if pl.Project != p.ID {
		return nil, nil, Errorf(KindRejected, "device-not-in-project", "device %s is in project %d, not %d", m, pl.Project, p.ID)
	}
	d := s.Devices[m]
	if d.RMA != RMANone {
		return nil, nil, Errorf(KindRejected, "device-in-rma", "device %s is in RMA", m)
	}
	return p, d, nil
}

// bindableLines gives the lines the version, validates them and keeps to
// PBX and gateway licenses (warranty, floating, test and app licenses have
// their own commands; SSC and iSC are currencies).
func (s *State) bindableLines(in []Line, version int) ([]Line, error) {
	ls := make([]Line, len(in))
	for i, l := range in {
		ls[i] = Line{Item: Item{Type: l.Type, Version: version}, Quantity: l.Quantity}
	}
	lines, err := s.checkLines(ls)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if cat := s.Catalog.LicenseTypes[l.Type].Category; cat != CategoryPBX && cat != CategoryGateway {
			return nil, Errorf(KindRejected, "not-bindable", "%s licenses are not bound from the balance this way", l.Type)
		}
	}
	return lines, nil
}

// The PBX license types whose amounts are tied to PBX-PBX.
const (
	typePBX          = "PBX-PBX"
	typeVoicemail    = "PBX-Voicemail"
	typeStandby      = "PBX-Standby"
	typeRegistration = "PBX-Registration"
	typeFloating     = "PBX-Floating"
)

// checkDeviceFits is the consistency check per device type: every type is
// allowed on the device and within its maximum (per version), Voicemail
// and Standby equal PBX-PBX and Registration is at most PBX-PBX (checked at
// the versions the new lines touch), and a V7 floating license excludes V7
// PBX licenses.
func (s *State) checkDeviceFits(d *Device, add []Line) error {
	t, err := s.Catalog.DeviceType(d.Type)
	if err != nil {
		return err
	}
	after := d.holding()
	after.Add(add, +1)
	for _, l := range add {
		mx := t.Max[l.Type]
		if mx == 0 {
			return Errorf(KindRejected, "license-not-for-device", "%s licenses cannot be bound to an %s", l.Type, t.Name)
		}
		if after[l.Item] > mx {
			return Errorf(KindRejected, "device-maximum-exceeded", "an %s holds at most %d %s (it would hold %d)", t.Name, mx, l.Item, after[l.Item])
		}
	}
	for _, v := range pbxVersionsTouched(add) {
		if err := checkPBXAmounts(after, v); err != nil {
			return err
		}
	}
	return checkFloating(after)
}

func pbxVersionsTouched(ls []Line) []int {
	var out []int
	seen := map[int]bool{}
	for _, l := range ls {
		switch l.Type {
		case typePBX, typeVoicemail, typeStandby, typeRegistration:
			if !seen[l.Version] {
				seen[l.Version] = true
				out = append(out, l.Version)
			}
		}
	}
	return out
}

func checkPBXAmounts(b Balance, v int) error {
	pbx := b[Item{typePBX, v}]
	if b[Item{typeVoicemail, v}] != pbx || b[Item{typeStandby, v}] != pbx {
		return Errorf(KindRejected, "voicemail-standby-mismatch", "PBX-Voicemail%d and PBX-Standby%d must equal PBX-PBX%d (%d)", v, v, v, pbx)
	}
	if b[Item{typeRegistration, v}] > pbx {
		return Errorf(KindRejected, "registration-exceeds-pbx", "PBX-Registration%d may be at most PBX-PBX%d (%d)", v, v, pbx)
	}
	return nil
}

// checkFloating: a device has either a V7 floating license or V7 PBX
// licenses.
func checkFloating(b Balance) error {
	if b[Item{typeFloating, 7}] == 0 {
		return nil
	}
	for it, q := range b {
		if q > 0 && it.Version == 7 && it.Type != typeFloating && strings.HasPrefix(it.Type, "PBX-") {
			return Errorf(KindRejected, "floating-exclusive", "a device has either a V7 floating license or V7 PBX licenses")
		}
	}
	return nil
}

// planDraws takes each line from the project, then from the named
// projects in order; what no balance covers is the shortfall, drawn from
// the project (on credit).
func (s *State) planDraws(p *Project, also []ProjectID, lines []Line) ([]Draw, []Line, error) {
	sources := []*Project{p}
	for _, id := range also {
		q, err := s.project(id)
		if err != nil {
			return nil, nil, err
		}
		if !s.CanShareBalance(q.ID, p.ID) {
			return nil, nil, errNotInCompany(id)
		}
		if q.ID != p.ID && !containsProject(sources, q.ID) {
			sources = append(sources, q)
		}
	}
	taken := make([]Balance, len(sources))
	for i := range taken {
		taken[i] = Balance{}
	}
	var short []Line
	for _, l := range lines {
		rest := l.Quantity
		for i, src := range sources {
			n := min(rest, max(src.Balance[l.Item], 0))
			taken[i][l.Item] += n
			rest -= n
		}
		if rest > 0 {
			taken[0][l.Item] += rest
			short = append(short, Line{Item: l.Item, Quantity: rest})
		}
	}
	var draws []Draw
	for i, src := range sources {
		if ls := taken[i].Lines(); len(ls) > 0 {
			draws = append(draws, Draw{Project: src.ID, Lines: ls})
		}
	}
	return draws, short, nil
}

func containsProject(ps []*Project, id ProjectID) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

// canBuyOnCredit: the member's separate buy-on-credit right. Vendor staff
// bind on credit for their customers, too.
func (s *State) canBuyOnCredit(by Principal, c CompanyID) bool {
	if by.Vendor {
		return true
	}
	m, err := s.member(by, c)
	return err == nil && m.BuyOnCredit
}

func describe(ls []Line) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Item.String() + "*" + strconv.FormatInt(l.Quantity, 10)
	}
	return strings.Join(parts, ", ")
}
