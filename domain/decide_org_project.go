package domain

import (
	"encoding/pem"
	"net/url"
	"strings"
	"time"
)

// RenameProject gives a project a new name, unique in its company
// (case-insensitively). Only the owning company edits a project.
type RenameProject struct {
	Project ProjectID
	Name    string
}

// CommandType implements Command.
func (RenameProject) CommandType() string { return "RenameProject" }

// decide checks, in order: edit right, name, name free.
func (c RenameProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	name, err := checkName("name", c.Name, MaxProjectName)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(p.Name, name) && s.projectNameTaken(p.Company, name) {
		return nil, Errorf(KindRejected, ErrProjectNameTaken.Code, "the company already has a project named %q", name)
	}
	return []Event{ProjectRenamed{Project: p.ID, Company: p.Company, Name: name}}, nil
}

// MaxDescription bounds a project description.
const MaxDescription = 1000

// checkDescription trims a project description and refuses control
// characters other than tab and newline (invalid-text) and more than
// MaxDescription characters (invalid-description).
func checkDescription(v string) (string, error) {
	d := strings.TrimSpace(v)
	if err := CheckText("description", d, MultiLine, 0); err != nil {
		return "", err
	}
	if len([]rune(d)) > MaxDescription {
		return "", Errorf(KindInvalid, "invalid-description", "a description has at most %d characters", MaxDescription)
	}
	return d, nil
}

// DescribeProject sets a project's description (empty clears it).
type DescribeProject struct {
	Project     ProjectID
	Description string
}

// CommandType implements Command.
func (DescribeProject) CommandType() string { return "DescribeProject" }

func (c DescribeProject) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	d, err := checkDescription(c.Description)
	if err != nil {
		return nil, err
	}
	p := s.Projects[c.Project]
	return []Event{ProjectDescribed{Project: p.ID, Company: p.Company, Description: d}}, nil
}

// SetProjectProperties replaces a project's properties as a whole: update
// URL, trusted certificate, trust value, Devices App GUID link, CC mails.
type SetProjectProperties struct {
	Project ProjectID
	ProjectProperties
}

// CommandType implements Command.
func (SetProjectProperties) CommandType() string { return "SetProjectProperties" }

// MaxCCMails bounds the CC mail addresses of a project.
const MaxCCMails = 20

// decide checks, in order: edit right, each property, GUID not linked to
// another project (a Devices App domain finds its project by it).
func (c SetProjectProperties) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if err := s.CanEditProject(by, c.Project); err != nil {
		return nil, err
	}
	props, err := checkProperties(c.ProjectProperties)
	if err != nil {
		return nil, err
	}
	if g := props.DevicesAppGUID; g != "" {
		for _, o := range s.Projects {
			if o.ID != c.Project && strings.EqualFold(o.Properties.DevicesAppGUID, g) {
				return nil, Errorf(KindRejected, "guid-taken", "the Devices App GUID is linked to another project")
			}
		}
	}
	p := s.Projects[c.Project]
	return []Event{ProjectPropertiesSet{Project: p.ID, Company: p.Company, ProjectProperties: props}}, nil
}

// checkProperties trims and validates the properties; empty values clear.
func checkProperties(in ProjectProperties) (ProjectProperties, error) {
	out := ProjectProperties{UpdateURL: strings.TrimSpace(in.UpdateURL),
		TrustedCertificate: strings.TrimSpace(in.TrustedCertificate), TrustValue: strings.TrimSpace(in.TrustValue),
		DevicesAppGUID: strings.ToLower(strings.TrimSpace(in.DevicesAppGUID))}
	// Lengths and forms have their own codes below; a control character
	// or invalid UTF-8 in any of them is invalid-text first.
	if err := checkTexts(line("update_url", out.UpdateURL, 0), lines("trusted_certificate", out.TrustedCertificate, 0),
		line("trust_value", out.TrustValue, 0), line("devices_app_guid", out.DevicesAppGUID, 0)); err != nil {
		return out, err
	}
	if u := out.UpdateURL; u != "" {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || len(u) > MaxUpdateURL {
			return out, Errorf(KindInvalid, "invalid-update-url", "the update URL must be an http or https URL")
		}
	}
	if cert := out.TrustedCertificate; cert != "" {
		if b, _ := pem.Decode([]byte(cert)); b == nil || b.Type != "CERTIFICATE" || len(cert) > MaxCertificate {
			return out, Errorf(KindInvalid, "invalid-certificate", "the trusted certificate must be one PEM CERTIFICATE block")
		}
	}
	if t := out.TrustValue; len(t) > MaxTrustValue || strings.ContainsAny(t, " \t\r\n&=?") {
		return out, Errorf(KindInvalid, "invalid-trust-value", "the trust value has at most 128 characters, without spaces, &, = or ?")
	}
	if g := out.DevicesAppGUID; g != "" && !isGUID(g) {
		return out, Errorf(KindInvalid, "invalid-guid", "the Devices App GUID must look like 0123abcd-0123-0123-0123-0123456789ab")
	}
	if len(in.CCMails) > MaxCCMails {
		return out, Errorf(KindInvalid, "invalid-cc-mails", "at most %d CC mail addresses", MaxCCMails)
	}
	for _, m := range in.CCMails {
		m = strings.TrimSpace(m)
		if !validEmail(m) {
			return out, Errorf(KindInvalid, "invalid-cc-mails", "%q is not an email address", m)
		}
		out.CCMails = append(out.CCMails, m)
	}
	return out, nil
}

// isGUID accepts the 8-4-4-4-12 hex form, lower case.
func isGUID(g string) bool {
	if len(g) != 36 {
		return false
	}
	for i, r := range g {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
				return false
			}
		}
	}
	return true
}
