package domain

import "github.com/shopspring/decimal"

// AppPlatformState is what the App Platform of a domain works with
// (docs/rental.md): the linked project, the devices, for each device the
// licenses it must hold on Day (purchased and rented, each with its
// validity), and the rental's iSC balance, monthly cost and end date.
type AppPlatformState struct {
	Domain       string         `json:"domain"`
	Instance     InstanceID     `json:"instance"`
	InstanceName string         `json:"instance_name"`
	Company      CompanyID      `json:"company"`
	Project      ProjectID      `json:"project"`
	ProjectName  string         `json:"project_name"`
	Settings     DomainSettings `json:"settings"`
	// Day is the day validity is decided for (UTC).
	Day Day `json:"day"`
	// ISC is the project's whole iSC; Available adds the prepaid part.
	ISC            int64  `json:"isc"`
	Available      string `json:"available"`
	Monthly        string `json:"monthly"`
	RentalEnd      Day    `json:"rental_end,omitempty"`
	Lapsed         Day    `json:"lapsed,omitempty"`
	ChargedThrough Day    `json:"charged_through,omitempty"`
	// Accrued and Debited are every iSC charged and every whole iSC
	// taken from the project for it.
	Accrued string              `json:"accrued"`
	Debited int64               `json:"debited"`
	Devices []AppPlatformDevice `json:"devices"`
}

// AppPlatformDevice is a device of the domain with its licenses.
type AppPlatformDevice struct {
	MAC  MAC        `json:"mac"`
	Type string     `json:"type"`
	Kind DeviceKind `json:"kind,omitempty"`
	// Project is the device's project in the domain's company (0: none);
	// RentalProject the rental project it sits in beside it.
	Project       ProjectID            `json:"project,omitempty"`
	RentalProject ProjectID            `json:"rental_project,omitempty"`
	Monthly       string               `json:"monthly"`
	Licenses      []AppPlatformLicense `json:"licenses"`
}

// AppPlatformLicense is a license line of a device and whether the
// device may use it on the state's day.
type AppPlatformLicense struct {
	LicenseLine
	ISCMonth   string `json:"isc_month,omitempty"`
	Valid      bool   `json:"valid"`
	ValidUntil Day    `json:"valid_until,omitempty"`
}

// AppPlatform builds the app-platform state of a domain for a day.
func (s *State) AppPlatform(name string, day Day) (AppPlatformState, bool) {
	dm, ok := s.Domains[name]
	if !ok {
		return AppPlatformState{}, false
	}
	in := s.Instances[dm.Instance]
	p := s.Projects[dm.Project]
	sim := s.rentalSimOf(dm)
	avail := sim.available()
	end := dm.Account.End(sim.monthly, avail)
	v := AppPlatformState{Domain: dm.Name, Instance: in.ID, InstanceName: in.Name, Company: in.Company, Project: p.ID,
		ProjectName: p.Name, Settings: dm.Settings, Day: day, ISC: p.Balance[ISCItem], Available: avail.String(),
		Monthly: sim.monthly.String(), RentalEnd: end, Lapsed: dm.Account.Lapsed, ChargedThrough: dm.Account.ChargedThrough,
		Accrued: dm.Account.Accrued.String(), Debited: dm.Account.Debited, Devices: []AppPlatformDevice{}}
	rentalValid := sim.monthly.IsPositive() && dm.Account.Lapsed == 0 && day <= end
	for _, mac := range SortedMACs(dm.Devices) {
		d := s.Devices[mac]
		dv := AppPlatformDevice{MAC: mac, Type: dm.Devices[mac], Licenses: []AppPlatformLicense{}}
		if t, err := s.Catalog.DeviceType(dv.Type); err == nil {
			dv.Kind = t.Kind
		}
		if pl, ok := d.In[in.Company]; ok {
			dv.Project, dv.RentalProject = pl.Project, pl.Rental
		}
		monthly := decimal.Zero
		for _, l := range d.Licenses {
			lv := AppPlatformLicense{LicenseLine: l, Valid: true}
			switch l.Origin {
			case OriginRental:
				price, mine := dm.Prices[l.ID]
				if !mine {
					continue // another domain's rental
				}
				lv.ISCMonth, lv.Valid, lv.ValidUntil = price.String(), rentalValid, end
				monthly = monthly.Add(price.Mul(decimal.NewFromInt(l.Quantity)))
			case OriginTest:
				until, _ := ParseDay(d.TestUntil)
				lv.Valid, lv.ValidUntil = until.IsZero() || day <= until, until
			}
			dv.Licenses = append(dv.Licenses, lv)
		}
		dv.Monthly = monthly.String()
		v.Devices = append(v.Devices, dv)
	}
	return v, true
}

// DomainsOf lists the names of a company's domains, sorted.
func (s *State) DomainsOf(c CompanyID) []string {
	var out []string
	for _, name := range sortedNames(s.Domains) {
		if s.CompanyOfDomain(s.Domains[name]) == c {
			out = append(out, name)
		}
	}
	return out
}

// DigestCredential is one password that opens the rental history CSV API
// for a username, and the domains it opens.
type DigestCredential struct {
	Password Digest   `json:"password"`
	Domains  []string `json:"domains"`
}

// DigestCredentials lists the passwords that open the CSV API for a
// username (reference "Digest authentication"): an instance's name with
// the instance password opens every domain of the instance, and so does
// the domain of the same name's password; a domain's name with its
// password opens it and the domains it was granted.
func (s *State) DigestCredentials(user string) []DigestCredential {
	var out []DigestCredential
	for _, id := range sortedKeys(s.Instances) {
		in := s.Instances[id]
		if in.Name != user {
			continue
		}
		var all []string
		for _, name := range sortedNames(s.Domains) {
			if s.Domains[name].Instance == in.ID {
				all = append(all, name)
			}
		}
		out = append(out, DigestCredential{Password: in.Password, Domains: all})
		if dm, ok := s.Domains[user]; ok && dm.Instance == in.ID {
			out = append(out, DigestCredential{Password: dm.Password, Domains: all})
		}
		return out
	}
	if dm, ok := s.Domains[user]; ok {
		out = append(out, DigestCredential{Password: dm.Password, Domains: append([]string{dm.Name}, dm.Settings.Grants...)})
	}
	return out
}
