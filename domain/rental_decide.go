package domain

import (
	"crypto/md5" // RFC 7616 digest authentication still offers MD5; SHA-256 is stored beside it
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the Devices App settings.
const (
	// MaxDomainName is the longest domain or instance name (a DNS name
	// may have 253 characters; the API's path parameters have at most 100).
	MaxDomainName = 100
	// MaxRecipients bounds a domain's expiry mail recipients.
	MaxRecipients = 20
	// MaxInvoiceReference bounds a domain's invoice reference.
	MaxInvoiceReference = 100
	// MaxDomainGrants bounds the other domains one domain may read.
	MaxDomainGrants = 100
	// MaxGUID bounds a Devices App GUID link (as project properties do).
	MaxGUID = 36
)

var (
	domainNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
)

// NormalizeDomainName is the stored form of a domain or instance name:
// trimmed and lower case. The digest username is this form.
func NormalizeDomainName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// checkDomainName validates a normalized name: DNS labels of letters,
// digits and hyphens, at most MaxDomainName characters.
func checkDomainName(name string) error {
	if len(name) > MaxDomainName || !domainNameRE.MatchString(name) {
		return Errorf(KindInvalid, "invalid-domain-name", "%q is not a domain name (letters, digits, hyphens and dots, at most %d characters)", name, MaxDomainName)
	}
	return nil
}

// MaxPassword bounds an instance or domain password.
const MaxPassword = 200

// DigestRealm is the realm of the rental history CSV API's digest
// authentication. The stored digests include it: changing it invalidates
// every instance and domain password.
const DigestRealm = "csvapi"

// PasswordDigest is how a password is stored: HA1 of RFC 7616,
// H(user ":" realm ":" password), for MD5 and SHA-256, the user being the
// instance's or domain's stored name. The password itself is never kept.
func PasswordDigest(user, password string) Digest {
	a := []byte(user + ":" + DigestRealm + ":" + password)
	m, s := md5.Sum(a), sha256.Sum256(a)
	return Digest{MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(s[:])}
}

// checkPassword refuses an empty password, one longer than MaxPassword
// or holding control characters: invalid-password.
func checkPassword(pw string) error {
	if pw == "" || utf8.RuneCountInString(pw) > MaxPassword || checkRentalText("password", pw, MaxPassword) != nil {
		return Errorf(KindInvalid, "invalid-password", "a password has 1 to %d characters and no control characters", MaxPassword)
	}
	return nil
}

// checkRentalText is CheckText for the single-line fields of the
// Devices App (names, references, the GUID, a device type, a password).
func checkRentalText(field, v string, maxLen int) error {
	return CheckText(field, v, SingleLine, maxLen)
}

// CreateDevicesInstance registers a company's Devices App instance with
// its name (the instance's domain) and password. Administrator only.
// Refusals in order: company-not-found, not-member, person-locked,
// not-administrator, invalid-domain-name, invalid-password,
// instance-name-taken.
type CreateDevicesInstance struct {
	Company  CompanyID
	Name     string
	Password string
}

// CommandType implements Command.
func (CreateDevicesInstance) CommandType() string { return "CreateDevicesInstance" }

func (c CreateDevicesInstance) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.IsAdministrator(by, c.Company); err != nil {
		return nil, err
	}
	name := NormalizeDomainName(c.Name)
	if err := checkDomainName(name); err != nil {
		return nil, err
	}
	if err := checkPassword(c.Password); err != nil {
		return nil, err
	}
	for _, in := range s.Instances {
		if in.Name == name {
			return nil, Errorf(KindRejected, "instance-name-taken", "an instance named %q exists", name)
		}
	}
	return []Event{DevicesInstanceCreated{Instance: s.LastInstance + 1, Company: c.Company, Name: name,
		Password: PasswordDigest(name, c.Password)}}, nil
}

// SetInstancePassword replaces an instance's password. Administrator
// only. Refusals: instance-not-found, the administrator checks,
// invalid-password.
type SetInstancePassword struct {
	Instance InstanceID
	Password string
}

// CommandType implements Command.
func (SetInstancePassword) CommandType() string { return "SetInstancePassword" }

func (c SetInstancePassword) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	in, err := s.instance(c.Instance)
	if err != nil {
		return nil, err
	}
	if err := s.IsAdministrator(by, in.Company); err != nil {
		return nil, err
	}
	if err := checkPassword(c.Password); err != nil {
		return nil, err
	}
	return []Event{InstancePasswordSet{Instance: in.ID, Company: in.Company, Password: PasswordDigest(in.Name, c.Password)}}, nil
}

func (s *State) instance(id InstanceID) (*DevicesInstance, error) {
	in, ok := s.Instances[id]
	if !ok {
		return nil, Errorf(KindNotFound, "instance-not-found", "no Devices App instance %d", id)
	}
	return in, nil
}

// CreateDomain adds a domain to an instance and links it to a project of
// the instance's company: the one whose Devices App GUID link is GUID, or
// else the rental project named $<domain>$, created when absent. One
// domain, one project. Needs the Administrator or Licenses right.
// Refusals in order: instance-not-found, the right (company-not-found,
// not-member, person-locked, no-right), invalid-domain-name,
// invalid-password, the settings' (SetDomainSettings), domain-name-taken,
// guid-not-found, project-linked.
type CreateDomain struct {
	Instance InstanceID
	Name     string
	Password string
	GUID     string
	DomainSettings
}

// CommandType implements Command.
func (CreateDomain) CommandType() string { return "CreateDomain" }

func (c CreateDomain) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	in, err := s.instance(c.Instance)
	if err != nil {
		return nil, err
	}
	if err := s.CanLicense(by, in.Company); err != nil {
		return nil, err
	}
	name := NormalizeDomainName(c.Name)
	if err := checkDomainName(name); err != nil {
		return nil, err
	}
	if err := checkPassword(c.Password); err != nil {
		return nil, err
	}
	set, err := s.checkDomainSettings(in, name, c.DomainSettings)
	if err != nil {
		return nil, err
	}
	if _, taken := s.Domains[name]; taken {
		return nil, Errorf(KindRejected, "domain-name-taken", "a domain named %q exists", name)
	}
	out, project, err := s.linkTarget(in.Company, name, c.GUID)
	if err != nil {
		return nil, err
	}
	return append(out, DomainCreated{DomainRef: DomainRef{Domain: name, Company: in.Company, Project: project},
		Instance: in.ID, Password: PasswordDigest(name, c.Password), DomainSettings: set, By: by.Person}), nil
}

// linkTarget finds the project a domain links to: by GUID link, else by
// the name $domain$, creating that project when the company has none.
func (s *State) linkTarget(c CompanyID, domain, guid string) ([]Event, ProjectID, error) {
	guid = strings.TrimSpace(guid)
	if err := checkRentalText("guid", guid, MaxGUID); err != nil {
		return nil, 0, err
	}
	var found ProjectID
	rental := "$" + domain + "$"
	for _, id := range sortedKeys(s.Companies[c].Projects) {
		p := s.Projects[id]
		if guid != "" && strings.EqualFold(p.Properties.DevicesAppGUID, guid) || guid == "" && strings.EqualFold(p.Name, rental) {
			found = id
			break
		}
	}
	if found == 0 && guid != "" {
		return nil, 0, Errorf(KindNotFound, "guid-not-found", "no project of company %d has the Devices App GUID link %q", c, guid)
	}
	if found == 0 {
		id := s.LastProject + 1
		return []Event{ProjectCreated{Project: id, Company: c, Name: rental, Description: "Devices App rental project"}}, id, nil
	}
	if other, linked := s.DomainOfProject[found]; linked {
		return nil, 0, Errorf(KindRejected, "project-linked", "project %d is linked to domain %q", found, other)
	}
	return nil, found, nil
}

// checkDomainSettings validates and cleans a domain's settings: each
// recipient an address (invalid-email), at most MaxRecipients
// (too-many-recipients), the invoice reference text (invalid-text), the
// mail language en or de (invalid-mail-language), each grant another
// domain of the same instance (domain-not-found, too-many-grants).
func (s *State) checkDomainSettings(in *DevicesInstance, self string, set DomainSettings) (DomainSettings, error) {
	out := DomainSettings{InvoiceReference: strings.TrimSpace(set.InvoiceReference), MailLanguage: set.MailLanguage}
	for _, m := range set.Recipients {
		m = strings.TrimSpace(m)
		if !validEmail(m) {
			return out, Errorf(KindInvalid, "invalid-email", "%q is not an email address", m)
		}
		out.Recipients = append(out.Recipients, m)
	}
	if len(out.Recipients) > MaxRecipients {
		return out, Errorf(KindInvalid, "too-many-recipients", "at most %d recipients", MaxRecipients)
	}
	if err := checkRentalText("invoice_reference", out.InvoiceReference, MaxInvoiceReference); err != nil {
		return out, err
	}
	if out.MailLanguage != "" && out.MailLanguage != "en" && out.MailLanguage != "de" {
		return out, Errorf(KindInvalid, "invalid-mail-language", "mail_language is en or de")
	}
	if len(set.Grants) > MaxDomainGrants {
		return out, Errorf(KindInvalid, "too-many-grants", "at most %d granted domains", MaxDomainGrants)
	}
	seen := map[string]bool{}
	for _, g := range set.Grants {
		g = NormalizeDomainName(g)
		if dm, ok := s.Domains[g]; !ok || dm.Instance != in.ID || g == self {
			return out, Errorf(KindNotFound, "domain-not-found", "no other domain %q in this instance", g)
		}
		if !seen[g] {
			seen[g] = true
			out.Grants = append(out.Grants, g)
		}
	}
	return out, nil
}

// domainFor resolves a domain the caller may work with: the
// Administrator or Licenses right in its company.
func (s *State) domainFor(by Principal, name string) (*DevicesDomain, error) {
	dm, ok := s.Domains[NormalizeDomainName(name)]
	if !ok {
		return nil, Errorf(KindNotFound, "domain-not-found", "no domain %q", name)
	}
	if err := s.CanLicense(by, s.CompanyOfDomain(dm)); err != nil {
		return nil, err
	}
	return dm, nil
}

// SetDomainSettings replaces a domain's settings (recipients, invoice
// reference, mail language, granted domains). Refusals: domain-not-found,
// the right, then those of checkDomainSettings.
type SetDomainSettings struct {
	Domain string
	DomainSettings
}

// CommandType implements Command.
func (SetDomainSettings) CommandType() string { return "SetDomainSettings" }

func (c SetDomainSettings) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	dm, err := s.domainFor(by, c.Domain)
	if err != nil {
		return nil, err
	}
	set, err := s.checkDomainSettings(s.Instances[dm.Instance], dm.Name, c.DomainSettings)
	if err != nil {
		return nil, err
	}
	return []Event{DomainSettingsSet{DomainRef: s.domainRef(dm), DomainSettings: set, By: by.Person}}, nil
}

// SetDomainPassword replaces a domain's password. Refusals:
// domain-not-found, the right, invalid-password.
type SetDomainPassword struct {
	Domain   string
	Password string
}

// CommandType implements Command.
func (SetDomainPassword) CommandType() string { return "SetDomainPassword" }

func (c SetDomainPassword) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	dm, err := s.domainFor(by, c.Domain)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(c.Password); err != nil {
		return nil, err
	}
	return []Event{DomainPasswordSet{DomainRef: s.domainRef(dm), Password: PasswordDigest(dm.Name, c.Password)}}, nil
}

// LinkDomain links a domain to another project: by GUID link, or (empty)
// by the name $domain$, created when absent. Refusals: domain-not-found,
// the right, domain-has-rentals (licenses are rented: the balance they
// run on would change under them), already-linked, invalid-text (the
// GUID), guid-not-found, project-linked.
type LinkDomain struct {
	Domain string
	GUID   string
}

// CommandType implements Command.
func (LinkDomain) CommandType() string { return "LinkDomain" }

func (c LinkDomain) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	dm, err := s.domainFor(by, c.Domain)
	if err != nil {
		return nil, err
	}
	if s.domainRents(dm) {
		return nil, Errorf(KindRejected, "domain-has-rentals", "domain %q rents licenses; remove them before linking another project", dm.Name)
	}
	guid, cur := strings.TrimSpace(c.GUID), s.Projects[dm.Project]
	if guid != "" && strings.EqualFold(cur.Properties.DevicesAppGUID, guid) || guid == "" && strings.EqualFold(cur.Name, "$"+dm.Name+"$") {
		return nil, Errorf(KindRejected, "already-linked", "domain %q is linked to project %d already", dm.Name, cur.ID)
	}
	co := s.CompanyOfDomain(dm)
	out, project, err := s.linkTarget(co, dm.Name, guid)
	if err != nil {
		return nil, err
	}
	return append(out, DomainLinked{DomainRef: DomainRef{Domain: dm.Name, Company: co, Project: project}, From: dm.Project}), nil
}

// domainRents reports whether any device holds rental licenses of dm.
func (s *State) domainRents(dm *DevicesDomain) bool {
	for mac := range dm.Devices {
		if s.RentedBy[mac] == dm.Name {
			return true
		}
	}
	return false
}

// AddDomainDevice registers a device (gateway, phone, App Platform) in a
// domain. A device in the vendor registry keeps its type (Type, when
// given, must match); an unknown MAC in a virtual range is created with
// Type (default IPVA). A device is in one domain per instance: one in
// another domain is refused, never moved. Refusals in order:
// domain-not-found, the right, invalid-mac, device-already-in-domain,
// device-in-other-domain, ipva-mac-exists, device-not-found,
// unknown-device-type, device-type-mismatch.
type AddDomainDevice struct {
	Domain string
	MAC    string
	Type   string
}

// CommandType implements Command.
func (AddDomainDevice) CommandType() string { return "AddDomainDevice" }

func (c AddDomainDevice) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	dm, err := s.domainFor(by, c.Domain)
	if err != nil {
		return nil, err
	}
	m, err := ParseMAC(c.MAC)
	if err != nil {
		return nil, err
	}
	if other, ok := s.Instances[dm.Instance].Devices[m]; ok {
		if other == dm.Name {
			return nil, Errorf(KindRejected, "device-already-in-domain", "device %s is in domain %q already", m, dm.Name)
		}
		return nil, Errorf(KindRejected, "device-in-other-domain", "device %s is in domain %q of this instance; remove it there first", m, other)
	}
	co := s.CompanyOfDomain(dm)
	ref := s.domainRef(dm)
	d, known := s.Devices[m]
	if s.Catalog.IsVirtualMAC(m) && (!known || d.In[co] == nil) {
		if known && len(d.In) > 0 {
			return nil, Errorf(KindRejected, "ipva-mac-exists", "the virtual MAC %s is already used by another company", m)
		}
		typ, err := s.deviceTypeFor(c.Type, DefaultVirtualType, false)
		if err != nil {
			return nil, err
		}
		return []Event{DeviceRegistered{MAC: m, Type: typ, Owner: co}, DomainDeviceAdded{DomainRef: ref, MAC: m, Type: typ}}, nil
	}
	if !known {
		return nil, Errorf(KindNotFound, "device-not-found", "device %s is not in the vendor registry", m)
	}
	if strings.TrimSpace(c.Type) != "" && !strings.EqualFold(strings.TrimSpace(c.Type), d.Type) {
		return nil, Errorf(KindRejected, "device-type-mismatch", "device %s is an %s, not %s", m, d.Type, c.Type)
	}
	return []Event{DomainDeviceAdded{DomainRef: ref, MAC: m, Type: d.Type}}, nil
}

// deviceTypeFor resolves a device type name of the catalog (default
// when empty) and checks it is hardware or not, as the MAC says.
func (s *State) deviceTypeFor(name, def string, hardware bool) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = def
	}
	if err := checkRentalText("type", name, MaxDomainName); err != nil {
		return "", err
	}
	t, err := s.Catalog.DeviceType(name)
	if err != nil {
		return "", err
	}
	if t.Hardware() != hardware {
		return "", Errorf(KindRejected, "device-type-mismatch", "%s does not fit the MAC's range", t.Name)
	}
	return t.Name, nil
}

// RemoveDomainDevice takes a device out of a domain. Refusals:
// domain-not-found, the right, invalid-mac, device-not-in-domain,
// device-has-rental-licenses (remove them first).
type RemoveDomainDevice struct {
	Domain string
	MAC    string
}

// CommandType implements Command.
func (RemoveDomainDevice) CommandType() string { return "RemoveDomainDevice" }

func (c RemoveDomainDevice) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	dm, m, err := s.domainDevice(by, c.Domain, c.MAC)
	if err != nil {
		return nil, err
	}
	if s.RentedBy[m] == dm.Name {
		return nil, Errorf(KindRejected, "device-has-rental-licenses", "device %s holds rental licenses of domain %q; remove them first", m, dm.Name)
	}
	return []Event{DomainDeviceRemoved{DomainRef: s.domainRef(dm), MAC: m}}, nil
}

// domainDevice resolves a domain the caller may work with and one of its
// devices: domain-not-found, the right, invalid-mac, device-not-in-domain.
func (s *State) domainDevice(by Principal, domain, mac string) (*DevicesDomain, MAC, error) {
	dm, err := s.domainFor(by, domain)
	if err != nil {
		return nil, "", err
	}
	m, err := ParseMAC(mac)
	if err != nil {
		return nil, "", err
	}
	if _, ok := dm.Devices[m]; !ok {
		return nil, "", Errorf(KindNotFound, "device-not-in-domain", "device %s is not in domain %q", m, dm.Name)
	}
	return dm, m, nil
}

// RedeemDomainKey is the Devices App's upload of an activation key: its
// licenses (iSC, typically) go into the domain's project, as RedeemKey
// does (and with its refusals, after domain-not-found).
type RedeemDomainKey struct {
	Domain  string
	Code    string
	Comment string
}

// CommandType implements Command.
func (RedeemDomainKey) CommandType() string { return "RedeemDomainKey" }

func (c RedeemDomainKey) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	dm, ok := s.Domains[NormalizeDomainName(c.Domain)]
	if !ok {
		return nil, Errorf(KindNotFound, "domain-not-found", "no domain %q", c.Domain)
	}
	return RedeemKey{Code: c.Code, Project: dm.Project, Comment: c.Comment}.decide(s, by, now)
}

// errProjectLinked refuses to join, move or delete a project linked to a
// Devices domain: the domain's rental runs on its balance. Link the domain
// to another project first (LinkDomain).
func errProjectLinked(s *State, id ProjectID) error {
	return Errorf(KindRejected, "project-linked-to-domain", "project %d is linked to Devices domain %q", id, s.DomainOfProject[id])
}

// projectDevicesRented reports whether a device of project p also sits in
// a rental project of p's company: moving p to another company would take
// the device out of it.
func projectDevicesRented(s *State, p *Project) bool {
	for _, d := range s.Devices {
		if pl, ok := d.In[p.Company]; ok && pl.Project == p.ID && pl.Rental != 0 {
			return true
		}
	}
	return false
}

// rentingDomainIn returns the domain of company c whose rental licenses
// device m holds, if any.
func (s *State) rentingDomainIn(c CompanyID, m MAC) (*DevicesDomain, bool) {
	name, ok := s.RentedBy[m]
	if !ok {
		return nil, false
	}
	dm := s.Domains[name]
	return dm, s.CompanyOfDomain(dm) == c
}

// removeFromProject is the event of taking device m out of its project
// pl in company c: a device also in a rental project moves there; one in
// its rental project only is refused while it holds rental licenses.
func (s *State) removeFromProject(c CompanyID, m MAC, pl *Placement) (Event, error) {
	if pl.Rental != 0 {
		return DeviceMoved{MAC: m, Company: c, From: pl.Project, To: pl.Rental}, nil
	}
	if dm, ok := s.rentingDomainIn(c, m); ok && dm.Project == pl.Project {
		return nil, Errorf(KindRejected, "device-has-rental-licenses", "device %s holds rental licenses of domain %q; remove them in the Devices App first", m, dm.Name)
	}
	return DeviceRemoved{MAC: m, Company: c, Project: pl.Project}, nil
}

// stayInRentalProject keeps a device moved out of its rental project in
// it, beside its new project, while it holds rental licenses.
func (s *State) stayInRentalProject(c CompanyID, m MAC, from ProjectID) (Event, bool) {
	dm, ok := s.rentingDomainIn(c, m)
	if !ok || dm.Project != from {
		return nil, false
	}
	return RentalProjectJoined{DomainRef: s.domainRef(dm), MAC: m}, true
}
