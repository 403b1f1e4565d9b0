package domain

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// Renting is the state of the Devices App: instances, their domains (each
// linked to one project, its rental project), the devices registered in
// them, and the software rental paid in iSC from the linked project's
// balance (docs/rental.md).
type Renting struct {
	Instances map[InstanceID]*DevicesInstance
	Domains   map[string]*DevicesDomain
	// DomainOfProject names the domain a project is linked to: one
	// domain, one project.
	DomainOfProject map[ProjectID]string
	// RentedBy names the domain whose rental licenses a device holds; a
	// device holds rental licenses of one domain at most.
	RentedBy     map[MAC]string
	LastInstance InstanceID
}

func newRenting() Renting {
	return Renting{Instances: map[InstanceID]*DevicesInstance{}, Domains: map[string]*DevicesDomain{},
		DomainOfProject: map[ProjectID]string{}, RentedBy: map[MAC]string{}}
}

// InstanceID numbers Devices App instances, allocated like other ids.
type InstanceID int64

// Tag returns the envelope tag of an instance.
func (id InstanceID) Tag() string { return "instance:" + strconv.FormatInt(int64(id), 10) }

// DomainTag is the envelope tag of a Devices domain.
func DomainTag(name string) string { return "domain:" + name }

// Digest is a password as HTTP digest authentication (RFC 7616) needs
// it: HA1 = H(username ":" realm ":" password) in hex, for MD5 and for
// SHA-256. The password itself is never stored; the API computes the
// digests (username: the instance's or domain's name).
type Digest struct {
	MD5    string `json:"md5"`
	SHA256 string `json:"sha256"`
}

// DevicesInstance is an installation of the Devices App (App Platform
// instance) of a company. Its name and password give access to all its
// domains in the rental history CSV API.
type DevicesInstance struct {
	ID       InstanceID
	Company  CompanyID
	Name     string
	Password Digest
	// Devices maps every device registered in a domain of the instance to
	// that domain: a device is in one domain per instance.
	Devices map[MAC]string
}

// DomainSettings are a domain's settings in the Devices App.
type DomainSettings struct {
	// Recipients receive the rental expiry mails; without any, the
	// person who last acted on the domain does.
	Recipients []string `json:"recipients,omitempty"`
	// InvoiceReference is shown in every row of the rental history CSV.
	InvoiceReference string `json:"invoice_reference,omitempty"`
	// MailLanguage of the expiry mails: "en" (default) or "de".
	MailLanguage string `json:"mail_language,omitempty"`
	// Grants are other domains of the same instance this domain may read
	// in the rental history CSV API.
	Grants []string `json:"grants,omitempty"`
}

// DevicesDomain is a domain of a Devices App instance, linked to one
// project of the instance's company (its rental project).
type DevicesDomain struct {
	Name     string
	Instance InstanceID
	Project  ProjectID
	Password Digest
	Settings DomainSettings
	// Contact is the person who last acted on the domain (created it,
	// changed its settings or its rental): the expiry mails go to them when
	// the domain has no recipients.
	Contact PersonID
	// Devices are the devices registered in the domain, with their type.
	Devices map[MAC]string
	// Prices are the iSC per unit and month of each rented license line
	// (by line id), fixed when the line was rented.
	Prices  map[int64]decimal.Decimal
	Account RentalAccount
	// Mailed is the day of the last expiry mail per recipient (lower case).
	Mailed map[string]Day
}

// RentalAccount is where a domain's rental charging stands.
type RentalAccount struct {
	// Prepaid is the part of the whole iSC debited from the project that
	// is not yet used up: 0 <= Prepaid < 1.
	Prepaid decimal.Decimal `json:"prepaid"`
	// ChargedThrough is the last day charged (zero: none yet).
	ChargedThrough Day `json:"charged_through,omitempty"`
	// Lapsed is the first day the balance did not cover: from it the
	// rented licenses are not valid, until a charge resumes the rental.
	Lapsed Day `json:"lapsed,omitempty"`
	// Accrued is every iSC charged, Debited every whole iSC taken from the
	// project's balance for it: Debited - Accrued = Prepaid.
	Accrued decimal.Decimal `json:"accrued"`
	Debited int64           `json:"debited"`
}

// ISCItem is the software rental currency as a balance item.
var ISCItem = Item{Type: "iSC"}

func rentalEvents() []registration {
	return []registration{reg[DevicesInstanceCreated](), reg[InstancePasswordSet](), reg[DomainCreated](),
		reg[DomainSettingsSet](), reg[DomainPasswordSet](), reg[DomainLinked](), reg[DomainDeviceAdded](),
		reg[DomainDeviceRemoved](), reg[RentalProjectJoined](), reg[RentalProjectLeft](), reg[RentalLicensesBound](),
		reg[RentalLicensesRemoved](), reg[RentalCharged](), reg[RentalBalanceChanged](), reg[RentalReminderDue]()}
}

// DevicesInstanceCreated: a company registered its Devices App instance.
type DevicesInstanceCreated struct {
	Instance InstanceID `json:"instance"`
	Company  CompanyID  `json:"company"`
	Name     string     `json:"name"`
	Password Digest     `json:"password"`
}

// InstancePasswordSet: the instance password changed.
type InstancePasswordSet struct {
	Instance InstanceID `json:"instance"`
	Company  CompanyID  `json:"company"`
	Password Digest     `json:"password"`
}

// DomainRef names the domain an event is about, with its company and
// linked project, so the event stands alone and tags them.
type DomainRef struct {
	Domain  string    `json:"domain"`
	Company CompanyID `json:"company"`
	Project ProjectID `json:"project"`
}

// Ref returns the reference itself (events embedding it answer it).
func (r DomainRef) Ref() DomainRef { return r }

// Tags are the envelope tags of a domain event.
func (r DomainRef) Tags() []string {
	return []string{DomainTag(r.Domain), r.Company.Tag(), r.Project.Tag()}
}

// DomainCreated: a domain of an instance exists, linked to Project.
type DomainCreated struct {
	DomainRef
	Instance InstanceID `json:"instance"`
	Password Digest     `json:"password"`
	DomainSettings
	By PersonID `json:"by,omitempty"`
}

// DomainSettingsSet: a domain's settings were replaced as a whole.
type DomainSettingsSet struct {
	DomainRef
	DomainSettings
	By PersonID `json:"by,omitempty"`
}

// DomainPasswordSet: a domain's password changed.
type DomainPasswordSet struct {
	DomainRef
	Password Digest `json:"password"`
}

// DomainLinked: the domain is linked to another project (From before).
type DomainLinked struct {
	DomainRef
	From ProjectID `json:"from"`
}

// DomainDeviceAdded: a device registered in a domain.
type DomainDeviceAdded struct {
	DomainRef
	MAC  MAC    `json:"mac"`
	Type string `json:"type"`
}

// DomainDeviceRemoved: a device left a domain.
type DomainDeviceRemoved struct {
	DomainRef
	MAC MAC `json:"mac"`
}

// RentalProjectJoined: a device placed in another project of the
// company got rental licenses, so it sits in the rental project too.
type RentalProjectJoined struct {
	DomainRef
	MAC MAC `json:"mac"`
}

// RentalProjectLeft: the device's last rental license was removed; it
// no longer sits in the rental project beside its own project.
type RentalProjectLeft struct {
	DomainRef
	MAC MAC `json:"mac"`
}

// RentalSnapshot is the domain's rental after an event: the monthly
// cost, the iSC available (the project's whole iSC plus the prepaid part)
// and the rental end date (the last day the balance covers; empty while
// nothing is rented). Amounts are decimal strings.
type RentalSnapshot struct {
	Monthly   string `json:"monthly"`
	Available string `json:"available"`
	End       Day    `json:"end,omitempty"`
	Lapsed    Day    `json:"lapsed,omitempty"`
}

// RentedLine is a rented license line with its price.
type RentedLine struct {
	LicenseLine
	ISCMonth string `json:"isc_month"`
}

// RentalLicensesBound: the Devices App rented licenses for a device of
// the domain (lines of origin rental, from the vendor).
type RentalLicensesBound struct {
	DomainRef
	MAC   MAC          `json:"mac"`
	By    PersonID     `json:"by,omitempty"`
	Lines []RentedLine `json:"lines"`
	RentalSnapshot
}

// RentalLicensesRemoved: rented licenses were removed from a device; each
// line names the units removed. They go back to the vendor, never to a
// free pool.
type RentalLicensesRemoved struct {
	DomainRef
	MAC   MAC           `json:"mac"`
	By    PersonID      `json:"by,omitempty"`
	Lines []LicenseLine `json:"lines"`
	RentalSnapshot
}

// RentalCharged: the domain's rental was charged for the days From..To
// (none when To < From): Amount iSC accrued, Debit whole iSC taken from
// the project's balance. Lapsed is the first day the balance did not
// cover (zero: the rental runs); Resumed marks the charge that restarts a
// lapsed rental.
type RentalCharged struct {
	DomainRef
	From    Day    `json:"from"`
	To      Day    `json:"to"`
	Amount  string `json:"amount"`
	Debit   int64  `json:"debit"`
	Lapsed  Day    `json:"lapsed,omitempty"`
	Resumed bool   `json:"resumed,omitempty"`
	RentalSnapshot
}

// RentalBalanceChanged: the iSC of a domain's project changed by Delta
// through another operation (Cause: the event type, Code: its activation
// key), so the rental end date moved.
type RentalBalanceChanged struct {
	DomainRef
	Delta int64  `json:"delta"`
	Cause string `json:"cause"`
	Code  string `json:"code,omitempty"`
	RentalSnapshot
}

// RentalReminderDue: a rental expiry mail is due; it waits in the same
// outbox as the SSA reminders (State.Reminders).
type RentalReminderDue struct {
	SSAReminderDue
	Domain string `json:"domain"`
}

// EventType implements Event.
func (DevicesInstanceCreated) EventType() string { return "DevicesInstanceCreated" }

// EventType implements Event.
func (InstancePasswordSet) EventType() string { return "InstancePasswordSet" }

// EventType implements Event.
func (DomainCreated) EventType() string { return "DomainCreated" }

// EventType implements Event.
func (DomainSettingsSet) EventType() string { return "DomainSettingsSet" }

// EventType implements Event.
func (DomainPasswordSet) EventType() string { return "DomainPasswordSet" }

// EventType implements Event.
func (DomainLinked) EventType() string { return "DomainLinked" }

// EventType implements Event.
func (DomainDeviceAdded) EventType() string { return "DomainDeviceAdded" }

// EventType implements Event.
func (DomainDeviceRemoved) EventType() string { return "DomainDeviceRemoved" }

// EventType implements Event.
func (RentalProjectJoined) EventType() string { return "RentalProjectJoined" }

// EventType implements Event.
func (RentalProjectLeft) EventType() string { return "RentalProjectLeft" }

// EventType implements Event.
func (RentalLicensesBound) EventType() string { return "RentalLicensesBound" }

// EventType implements Event.
func (RentalLicensesRemoved) EventType() string { return "RentalLicensesRemoved" }

// EventType implements Event.
func (RentalCharged) EventType() string { return "RentalCharged" }

// EventType implements Event.
func (RentalBalanceChanged) EventType() string { return "RentalBalanceChanged" }

// EventType implements Event.
func (RentalReminderDue) EventType() string { return "RentalReminderDue" }

// EventTags implements Event.
func (e DevicesInstanceCreated) EventTags() []string {
	return []string{e.Instance.Tag(), e.Company.Tag()}
}

// EventTags implements Event.
func (e InstancePasswordSet) EventTags() []string { return []string{e.Instance.Tag(), e.Company.Tag()} }

// EventTags implements Event.
func (e DomainCreated) EventTags() []string { return append(e.Tags(), e.Instance.Tag()) }

// EventTags implements Event.
func (e DomainSettingsSet) EventTags() []string { return e.Tags() }

// EventTags implements Event.
func (e DomainPasswordSet) EventTags() []string { return e.Tags() }

// EventTags implements Event.
func (e DomainLinked) EventTags() []string { return append(e.Tags(), e.From.Tag()) }

// EventTags implements Event.
func (e DomainDeviceAdded) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e DomainDeviceRemoved) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e RentalProjectJoined) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e RentalProjectLeft) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e RentalLicensesBound) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e RentalLicensesRemoved) EventTags() []string { return append(e.Tags(), e.MAC.Tag()) }

// EventTags implements Event.
func (e RentalCharged) EventTags() []string { return e.Tags() }

// EventTags implements Event.
func (e RentalBalanceChanged) EventTags() []string {
	if e.Code != "" {
		return append(e.Tags(), KeyTag(e.Code))
	}
	return e.Tags()
}

// EventTags implements Event.
func (e RentalReminderDue) EventTags() []string {
	return append(e.SSAReminderDue.EventTags(), DomainTag(e.Domain))
}

func (e DevicesInstanceCreated) apply(s *State) error {
	if _, ok := s.Companies[e.Company]; !ok {
		return fmt.Errorf("%s: unknown company %d", e.EventType(), e.Company)
	}
	s.Instances[e.Instance] = &DevicesInstance{ID: e.Instance, Company: e.Company, Name: e.Name, Password: e.Password,
		Devices: map[MAC]string{}}
	s.LastInstance = max(s.LastInstance, e.Instance)
	return nil
}

func (e InstancePasswordSet) apply(s *State) error {
	in, ok := s.Instances[e.Instance]
	if !ok {
		return fmt.Errorf("%s: unknown instance %d", e.EventType(), e.Instance)
	}
	in.Password = e.Password
	return nil
}

func (e DomainCreated) apply(s *State) error {
	if _, ok := s.Instances[e.Instance]; !ok {
		return fmt.Errorf("%s: unknown instance %d", e.EventType(), e.Instance)
	}
	if _, err := s.knownProject(e.EventType(), e.Project); err != nil {
		return err
	}
	s.Domains[e.Domain] = &DevicesDomain{Name: e.Domain, Instance: e.Instance, Project: e.Project, Password: e.Password,
		Settings: e.DomainSettings, Contact: e.By, Devices: map[MAC]string{}, Prices: map[int64]decimal.Decimal{},
		Mailed: map[string]Day{}}
	s.DomainOfProject[e.Project] = e.Domain
	return nil
}

func (e DomainSettingsSet) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err == nil {
		dm.Settings = e.DomainSettings
		dm.actedBy(e.By)
	}
	return err
}

func (e DomainPasswordSet) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err == nil {
		dm.Password = e.Password
	}
	return err
}

func (e DomainLinked) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err != nil {
		return err
	}
	if _, err := s.knownProject(e.EventType(), e.Project); err != nil {
		return err
	}
	delete(s.DomainOfProject, dm.Project)
	dm.Project = e.Project
	s.DomainOfProject[e.Project] = e.Domain
	return nil
}

func (e DomainDeviceAdded) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err != nil {
		return err
	}
	dm.Devices[e.MAC] = e.Type
	s.Instances[dm.Instance].Devices[e.MAC] = e.Domain
	return nil
}

func (e DomainDeviceRemoved) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err != nil {
		return err
	}
	delete(dm.Devices, e.MAC)
	delete(s.Instances[dm.Instance].Devices, e.MAC)
	return nil
}

func (e RentalProjectJoined) apply(s *State) error {
	pl, err := s.placementForEvent(e.EventType(), e.MAC, e.Company)
	if err == nil {
		pl.Rental = e.Project
	}
	return err
}

func (e RentalProjectLeft) apply(s *State) error {
	pl, err := s.placementForEvent(e.EventType(), e.MAC, e.Company)
	if err == nil {
		pl.Rental = 0
	}
	return err
}

func (e RentalLicensesBound) apply(s *State) error {
	dm, d, err := s.domainDeviceForEvent(e.EventType(), e.Domain, e.MAC)
	if err != nil {
		return err
	}
	for _, l := range e.Lines {
		price, err := decimal.NewFromString(l.ISCMonth)
		if err != nil {
			return fmt.Errorf("%s: price of line %d: %w", e.EventType(), l.ID, err)
		}
		d.Licenses = append(d.Licenses, l.LicenseLine)
		dm.Prices[l.ID] = price
		s.LastLicense = max(s.LastLicense, l.ID)
	}
	s.RentedBy[e.MAC] = e.Domain
	dm.actedBy(e.By)
	return nil
}

func (e RentalLicensesRemoved) apply(s *State) error {
	dm, d, err := s.domainDeviceForEvent(e.EventType(), e.Domain, e.MAC)
	if err != nil {
		return err
	}
	for _, r := range e.Lines {
		i := indexOfLine(d.Licenses, r.ID)
		if i < 0 || d.Licenses[i].Quantity < r.Quantity || d.Licenses[i].Origin != OriginRental {
			return fmt.Errorf("%s: device %s has no rental line %d of %d units", e.EventType(), e.MAC, r.ID, r.Quantity)
		}
		d.Licenses[i].Quantity -= r.Quantity
		if d.Licenses[i].Quantity == 0 {
			d.Licenses = append(d.Licenses[:i:i], d.Licenses[i+1:]...)
			delete(dm.Prices, r.ID)
		}
	}
	if !hasRentalLines(d) {
		delete(s.RentedBy, e.MAC)
	}
	dm.actedBy(e.By)
	return nil
}

func (e RentalCharged) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err != nil {
		return err
	}
	p, err := s.knownProject(e.EventType(), dm.Project)
	if err != nil {
		return err
	}
	amount, err := decimal.NewFromString(e.Amount)
	if err != nil {
		return fmt.Errorf("%s: amount: %w", e.EventType(), err)
	}
	dm.Account.charge(amount, e.Debit)
	p.Balance[ISCItem] -= e.Debit
	if e.To >= e.From {
		dm.Account.ChargedThrough = max(dm.Account.ChargedThrough, e.To)
	}
	dm.Account.Lapsed = e.Lapsed
	return nil
}

func (e RentalBalanceChanged) apply(s *State) error {
	_, err := s.knownDomain(e.EventType(), e.Domain)
	return err // a record: the balance changed by the events before it
}

func (e RentalReminderDue) apply(s *State) error {
	dm, err := s.knownDomain(e.EventType(), e.Domain)
	if err != nil {
		return err
	}
	if err := e.SSAReminderDue.apply(s); err != nil {
		return err
	}
	dm.Mailed[normalizeEmail(e.To)] = e.Day
	return nil
}

// charge accrues amount and takes debit whole iSC for it.
func (a *RentalAccount) charge(amount decimal.Decimal, debit int64) {
	a.Accrued = a.Accrued.Add(amount)
	a.Debited += debit
	a.Prepaid = a.Prepaid.Add(decimal.NewFromInt(debit)).Sub(amount)
}

func (s *State) knownDomain(event, name string) (*DevicesDomain, error) {
	dm, ok := s.Domains[name]
	if !ok {
		return nil, fmt.Errorf("%s: unknown domain %q", event, name)
	}
	return dm, nil
}

// domainDeviceForEvent is the apply-side lookup of a domain and a device.
func (s *State) domainDeviceForEvent(event, name string, m MAC) (*DevicesDomain, *Device, error) {
	dm, err := s.knownDomain(event, name)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.deviceForEvent(event, m)
	return dm, d, err
}

// actedBy records the person who last acted on the domain (0: a system
// command, which changes nothing).
func (dm *DevicesDomain) actedBy(p PersonID) {
	if p != 0 {
		dm.Contact = p
	}
}

func indexOfLine(ls []LicenseLine, id int64) int {
	for i, l := range ls {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func hasRentalLines(d *Device) bool {
	for _, l := range d.Licenses {
		if l.Origin == OriginRental {
			return true
		}
	}
	return false
}

// CompanyOfDomain returns the company a domain belongs to (its
// instance's).
func (s *State) CompanyOfDomain(dm *DevicesDomain) CompanyID { return s.Instances[dm.Instance].Company }

// joinCompanyInstances gives the absorbed company's instances to the
// company it is joined into; a company join calls it.
func (s *State) joinCompanyInstances(absorbed, into CompanyID) {
	for _, in := range s.Instances {
		if in.Company == absorbed {
			in.Company = into
		}
	}
}

// fingerprintRenting writes the Devices App state in sorted order.
func (s *State) fingerprintRenting(enc *json.Encoder) {
	for _, id := range sortedKeys(s.Instances) {
		in := s.Instances[id]
		_ = enc.Encode([]any{"instance", in.ID, in.Company, in.Name, in.Password, sortedMACMap(in.Devices)})
	}
	for _, name := range sortedNames(s.Domains) {
		dm := s.Domains[name]
		prices := make([][2]string, 0, len(dm.Prices))
		for _, id := range sortedKeys(dm.Prices) {
			prices = append(prices, [2]string{strconv.FormatInt(id, 10), dm.Prices[id].String()})
		}
		mailed := make([]any, 0, len(dm.Mailed))
		for _, to := range sortedNames(dm.Mailed) {
			mailed = append(mailed, []any{to, dm.Mailed[to]})
		}
		a := dm.Account
		_ = enc.Encode([]any{"domain", dm.Name, dm.Instance, dm.Project, dm.Password, dm.Settings, dm.Contact,
			sortedMACMap(dm.Devices), prices, a.Prepaid.String(), a.ChargedThrough, a.Lapsed, a.Accrued.String(), a.Debited, mailed})
	}
	_ = enc.Encode([]any{"rented-by", sortedMACMap(s.RentedBy), s.LastInstance})
}

func sortedMACMap(m map[MAC]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for _, mac := range SortedMACs(m) {
		out = append(out, [2]string{string(mac), m[mac]})
	}
	return out
}
