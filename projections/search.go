package projections

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/innolic/ledger/domain"
)

// SearchReader is the search field of the portal's licenses tab. It is
// embedded in Reader.
type SearchReader interface {
	// Search finds, within one company the caller may read: its devices by
	// name, comment, MAC, device type or order number; its projects by name
	// or description; its own activation keys by code, comment or order
	// number/reference (queries of at least MinKeySearch characters); its
	// devices of a product whose number starts with the query ("01-00811"
	// finds the IP811s, see MatchProducts). A query naming a license type ("PBX-Port8", "PBX-Port8=100") finds the
	// devices holding it (at least that many) instead.
	Search(by domain.Principal, company domain.CompanyID, query string) (SearchResult, error)
}

// Minimum query lengths of the portal: three characters, five for
// activation keys.
const (
	MinSearch    = 3
	MinKeySearch = 5
	// MaxSearchHits bounds each list of a search answer.
	MaxSearchHits = 200
)

// SearchResult lists what a search found, each list in id order.
type SearchResult struct {
	Query string `json:"query"`
	// License is set when the query named a license type: Devices are
	// those holding it.
	License  *LicenseQuery  `json:"license,omitempty"`
	Projects []ProjectView  `json:"projects"`
	Devices  []DeviceView   `json:"devices"`
	Keys     []KeySearchHit `json:"activation_keys"`
	// Products are the catalog's products whose number starts with the
	// query; their devices are among Devices.
	Products []ProductHit `json:"products"`
	// Truncated: a list was cut at MaxSearchHits.
	Truncated bool `json:"truncated,omitempty"`
}

// LicenseQuery is a parsed license-type query.
type LicenseQuery struct {
	Type    string `json:"type"`
	Version int    `json:"version,omitempty"` // 0: any version
	AtLeast int64  `json:"at_least"`
}

// ProductHit is a product of the catalog found by its number.
type ProductHit struct {
	Product    string `json:"product"`
	DeviceType string `json:"device_type"`
}

// KeySearchHit is an own activation key found by a search.
type KeySearchHit struct {
	Code           string           `json:"code"`
	FromProject    domain.ProjectID `json:"from_project"`
	Lines          []domain.Line    `json:"lines"`
	OrderNumber    string           `json:"order_number,omitempty"`
	OrderReference string           `json:"order_reference,omitempty"`
	Comment        string           `json:"comment,omitempty"`
	Redeemed       bool             `json:"redeemed,omitempty"`
}

// ContainsFold reports whether any non-empty hay contains needle, which the
// caller has lower-cased: the one matching rule of every backend's search.
func ContainsFold(needle string, hay ...string) bool {
	for _, h := range hay {
		if h != "" && strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}

// CapHits makes an empty list [] (never null) and cuts a long one at
// MaxSearchHits, reporting whether it cut.
func CapHits[T any](xs []T) ([]T, bool) {
	if xs == nil {
		return []T{}, false
	}
	if len(xs) > MaxSearchHits {
		return xs[:MaxSearchHits], true
	}
	return xs, false
}

// MatchProducts finds the catalog's device types whose product number
// starts with the query, dashes ignored ("01-00811" and "0100811" both find
// 01-00811-001). A prefix, not containment: every number ends in "-001",
// and "001" should not list every device. types holds the matched names.
func MatchProducts(cat *domain.Catalog, query string) (hits []ProductHit, types map[string]bool) {
	plain := strings.ReplaceAll(strings.ToLower(query), "-", "")
	hits, types = []ProductHit{}, map[string]bool{}
	for name, t := range cat.Devices.Types {
		if t.Product != "" && strings.HasPrefix(strings.ReplaceAll(strings.ToLower(t.Product), "-", ""), plain) {
			hits = append(hits, ProductHit{Product: t.Product, DeviceType: name})
			types[name] = true
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Product < hits[j].Product })
	return hits, types
}

var licenseQueryRE = regexp.MustCompile(`^(.*?)(\d*)(?:=(\d+))?$`)

// ParseLicenseQuery parses "PBX-Port8" or "PBX-Port8=100" against the
// catalog: a license type name (any case), an optional version the type
// has, an optional minimum count. Trailing digits are first read as the
// version, then as part of the name (types whose names end in digits).
func ParseLicenseQuery(cat *domain.Catalog, q string) (LicenseQuery, bool) {
	for _, versionDigits := range []bool{true, false} {
		base, least, _ := strings.Cut(q, "=")
		name, ver := base, ""
		if versionDigits {
			p := licenseQueryRE.FindStringSubmatch(base)
			name, ver = p[1], p[2]
		}
		for _, t := range cat.LicenseTypes {
			if !strings.EqualFold(t.Name, name) {
				continue
			}
			lq := LicenseQuery{Type: t.Name, AtLeast: 1}
			if ver != "" {
				v, _ := strconv.Atoi(ver)
				if !slices.Contains(t.Versions, v) {
					continue
				}
				lq.Version = v
			}
			if least != "" {
				n, err := strconv.ParseInt(least, 10, 64)
				if err != nil || n < 1 {
					continue
				}
				lq.AtLeast = n
			}
			return lq, true
		}
	}
	return LicenseQuery{}, false
}
