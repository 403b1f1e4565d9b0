package domain

import (
	"sort"
	"time"
)

// MinDowngradeVersion is the lowest version a license file is made for
// (V5 only for devices that hold V5 licenses).
const MinDowngradeVersion = 6

// MaxUnencryptedVersion: license files up to V7 are never encrypted.
const MaxUnencryptedVersion = 7

// DownloadVersions lists the versions a device's license file may be
// downloaded in on a day: every released version from V6 (V5 if it holds
// V5 licenses) up to the highest its licenses reach, where a line under
// SSA until D reaches every version released up to D. From V9 on a file
// holds every license upgraded to the highest version of its type, so one
// file per version is all there is.
func (s *State) DownloadVersions(d *Device, today time.Time) []int {
	top, low := 0, MinDowngradeVersion
	for _, l := range d.Licenses {
		cat := s.Catalog.LicenseTypes[l.Type].Category
		if l.Version == 0 || cat != CategoryPBX && cat != CategoryGateway && cat != CategoryFloating {
			continue
		}
		top = max(top, l.Version, s.releasedBy(l.SSAEnd))
		low = min(low, l.Version)
	}
	var out []int
	for v, rel := range s.Catalog.Releases {
		if v >= low && v <= top && rel <= today.UTC().Format(time.DateOnly) {
			out = append(out, v)
		}
	}
	sort.Ints(out)
	return out
}

// releasedBy is the highest version released on or before a date (0 for
// no date).
func (s *State) releasedBy(date string) int {
	best := 0
	if date == "" {
		return 0
	}
	for v, rel := range s.Catalog.Releases {
		if rel <= date {
			best = max(best, v)
		}
	}
	return best
}

// RecordDownload records a license file download. V5-V7 files are never
// encrypted; an unencrypted file locks returning the device's licenses
// unless the device has the bootcode that prevents downgrades below V8.
// Refusals: the caller's right, invalid-mac, device-not-in-company,
// version-not-entitled.
type RecordDownload struct {
	Company             CompanyID
	MAC                 string
	Version             int
	Encrypted           bool
	NoDowngradeBootcode bool
}

// CommandType implements Command.
func (RecordDownload) CommandType() string { return "RecordDownload" }

func (c RecordDownload) decide(s *State, by Principal, now time.Time) ([]Event, error) {
	d, _, err := s.companyDevice(by, c.Company, c.MAC)
	if err != nil {
		return nil, err
	}
	entitled := false
	for _, v := range s.DownloadVersions(d, now) {
		entitled = entitled || v == c.Version
	}
	if !entitled {
		return nil, Errorf(KindRejected, "version-not-entitled", "device %s may not download V%d", d.MAC, c.Version)
	}
	enc := c.Encrypted && c.Version > MaxUnencryptedVersion
	return []Event{LicensesDownloaded{MAC: d.MAC, Company: c.Company, Version: c.Version, Encrypted: enc,
		LocksReturn: !enc && !c.NoDowngradeBootcode}}, nil
}
