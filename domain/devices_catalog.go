package domain

import (
	"fmt"
	"sort"
	"strings"
)

// DeviceKind groups device types by what they can hold.
type DeviceKind string

// The device kinds of the catalog.
const (
	KindGateway     DeviceKind = "gateway"      // hardware gateway running a PBX
	KindDECT        DeviceKind = "dect"         // DECT base station
	KindPhone       DeviceKind = "phone"        // desk phone: warranty licenses only
	KindVirtual     DeviceKind = "virtual"      // IPVA: a PBX without hardware
	KindAppPlatform DeviceKind = "app-platform" // App Platform
)

// MACRange says where the MACs of a device type lie: hardware from the
// vendor's own prefix (registered from orders by the license department),
// virtual devices in the virtual ranges (created by their owner).
type MACRange string

// The MAC ranges of a device type.
const (
	MACVendor  MACRange = "vendor"
	MACVirtual MACRange = "virtual"
)

// DeviceType is one device type of the catalog with the most units of each
// license type (per version) it may hold. A license type that is not listed
// cannot be bound to the device at all.
type DeviceType struct {
	Name string     `json:"name"`
	Kind DeviceKind `json:"kind"`
	MAC  MACRange   `json:"mac"`
	// Product is the vendor's product number ("01-00811-001" for the
	// IP811), which the portal's search finds devices by.
	Product     string           `json:"product,omitempty"`
	Description string           `json:"description,omitempty"`
	Max         map[string]int64 `json:"max"`
}

// Hardware reports whether the type is a physical device (with a delivery
// date and warranty); virtual devices have neither.
func (t DeviceType) Hardware() bool { return t.MAC == MACVendor }

// DeviceCatalog is the device part of the catalog.
type DeviceCatalog struct {
	Types           map[string]DeviceType
	VendorPrefixes  []string // canonical MAC prefixes, e.g. "00-90-33"
	VirtualPrefixes []string // e.g. "00-50-56", "bc-24", "e2"
}

type deviceCatalogFile struct {
	VendorPrefixes  []string     `json:"vendor_mac_prefixes"`
	VirtualPrefixes []string     `json:"virtual_mac_prefixes"`
	Types           []DeviceType `json:"types"`
}

func (c *Catalog) parseDevices(f deviceCatalogFile) error {
	d := DeviceCatalog{Types: map[string]DeviceType{}}
	var err error
	if d.VendorPrefixes, err = parsePrefixes(f.VendorPrefixes); err != nil {
		return err
	}
	if d.VirtualPrefixes, err = parsePrefixes(f.VirtualPrefixes); err != nil {
		return err
	}
	products := map[string]string{}
	for _, t := range f.Types {
		if err := c.checkDeviceType(t); err != nil {
			return err
		}
		if _, dup := d.Types[t.Name]; dup {
			return fmt.Errorf("catalog: device type %q listed twice", t.Name)
		}
		if other, dup := products[t.Product]; dup && t.Product != "" {
			return fmt.Errorf("catalog: device types %q and %q have the same product number %q", other, t.Name, t.Product)
		}
		products[t.Product] = t.Name
		if t.Max == nil {
			t.Max = map[string]int64{}
		}
		d.Types[t.Name] = t
	}
	c.Devices = d
	return nil
}

func (c *Catalog) checkDeviceType(t DeviceType) error {
	if t.Name == "" || t.Kind == "" {
		return fmt.Errorf("catalog: device type %q needs a name and a kind", t.Name)
	}
	if t.MAC != MACVendor && t.MAC != MACVirtual {
		return fmt.Errorf("catalog: device type %q: mac must be vendor or virtual", t.Name)
	}
	for lt, n := range t.Max {
		if _, ok := c.LicenseTypes[lt]; !ok {
			return fmt.Errorf("catalog: device type %q: unknown license type %q", t.Name, lt)
		}
		if n <= 0 {
			return fmt.Errorf("catalog: device type %q: maximum of %q must be positive", t.Name, lt)
		}
	}
	return nil
}

// parsePrefixes validates MAC prefixes: one to five lower-case hex octets
// joined by '-'.
func parsePrefixes(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, p := range in {
		p = strings.ToLower(strings.TrimSpace(p))
		parts := strings.Split(p, "-")
		if len(parts) > 5 {
			return nil, fmt.Errorf("catalog: MAC prefix %q is too long", p)
		}
		for _, o := range parts {
			if len(o) != 2 || !isHex(o) {
				return nil, fmt.Errorf("catalog: MAC prefix %q is not hex octets joined by '-'", p)
			}
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// DeviceType looks a device type up by name.
func (c *Catalog) DeviceType(name string) (DeviceType, error) {
	t, ok := c.Devices.Types[name]
	if !ok {
		return DeviceType{}, Errorf(KindInvalid, "unknown-device-type", "device type %q is not in the catalog", name)
	}
	return t, nil
}

// IsVirtualMAC reports whether a canonical MAC lies in a virtual range
// (IPVA, cloud containers); such MACs are unique across all companies.
func (c *Catalog) IsVirtualMAC(m MAC) bool { return hasPrefix(m, c.Devices.VirtualPrefixes) }

// IsVendorMAC reports whether a canonical MAC lies in the vendor's range.
func (c *Catalog) IsVendorMAC(m MAC) bool { return hasPrefix(m, c.Devices.VendorPrefixes) }

func hasPrefix(m MAC, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(string(m), p+"-") {
			return true
		}
	}
	return false
}
