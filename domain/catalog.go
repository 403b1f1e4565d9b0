package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/shopspring/decimal"
)

// Category says how a license type behaves: pbx licenses are returnable,
// gateway and warranty licenses never are, ssc and isc are currencies.
type Category string

// The license categories of the catalog.
const (
	CategoryPBX      Category = "pbx"
	CategoryGateway  Category = "gateway"
	CategoryWarranty Category = "warranty"
	CategorySSC      Category = "ssc"
	CategoryISC      Category = "isc"
	CategoryApp      Category = "app"
	CategoryFloating Category = "floating"
)

// LicenseType is one entry of the catalog.
type LicenseType struct {
	Name     string          `json:"name"`
	Category Category        `json:"category"`
	Versions []int           `json:"versions,omitempty"` // empty: the type has no version (SSC, GVL-...)
	SSCValue decimal.Decimal `json:"ssc_value,omitzero"` // SSC per unit and 365 days
	// ISCMonth is the software rental price: iSC per unit and month
	// (docs/rental.md). Types without it cannot be rented.
	ISCMonth decimal.Decimal `json:"isc_month,omitzero"`
}

// Versioned reports whether items of this type carry a version.
func (t LicenseType) Versioned() bool { return len(t.Versions) > 0 }

// Catalog is the vendor's product list. It is data, loaded by the caller and
// passed to the state; the vendor replaces the file.
type Catalog struct {
	Sample       bool                   `json:"sample"` // values not given by the reference are samples
	LicenseTypes map[string]LicenseType `json:"-"`
	Releases     map[int]string         `json:"-"` // version -> release date YYYY-MM-DD
	Devices      DeviceCatalog          `json:"-"` // device types and MAC ranges (devices_catalog.go)
}

type catalogFile struct {
	Sample       bool              `json:"sample"`
	Note         string            `json:"note,omitempty"`
	LicenseTypes []LicenseType     `json:"license_types"`
	Releases     map[string]string `json:"releases"`
	Devices      deviceCatalogFile `json:"devices"`
}

// ParseCatalog reads the JSON catalog format documented in catalog/README.md.
func ParseCatalog(b []byte) (*Catalog, error) {
	var f catalogFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c := &Catalog{Sample: f.Sample, LicenseTypes: map[string]LicenseType{}, Releases: map[int]string{}}
	for _, t := range f.LicenseTypes {
		if t.Name == "" || t.Category == "" {
			return nil, fmt.Errorf("catalog: license type %q needs a name and a category", t.Name)
		}
		if _, dup := c.LicenseTypes[t.Name]; dup {
			return nil, fmt.Errorf("catalog: license type %q listed twice", t.Name)
		}
		if t.ISCMonth.IsNegative() {
			return nil, fmt.Errorf("catalog: license type %q has a negative iSC price", t.Name)
		}
		sort.Ints(t.Versions)
		c.LicenseTypes[t.Name] = t
	}
	for v, d := range f.Releases {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("catalog: release version %q is not a number", v)
		}
		c.Releases[n] = d
	}
	if err := c.parseDevices(f.Devices); err != nil {
		return nil, err
	}
	return c, nil
}

// CheckItem validates an item against the catalog.
func (c *Catalog) CheckItem(it Item) error {
	t, ok := c.LicenseTypes[it.Type]
	if !ok {
		return Errorf(KindInvalid, "unknown-license-type", "license type %q is not in the catalog", it.Type)
	}
	if !t.Versioned() {
		if it.Version != 0 {
			return Errorf(KindInvalid, "invalid-version", "license type %q has no version", it.Type)
		}
		return nil
	}
	for _, v := range t.Versions {
		if v == it.Version {
			return nil
		}
	}
	return Errorf(KindInvalid, "invalid-version", "license type %q has no version %d", it.Type, it.Version)
}
