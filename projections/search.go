package projections

import "strings"

import "github.com/innolic/ledger/domain"

// SearchReader is the search field of the portal's licenses tab. It is
// embedded in Reader.
type SearchReader interface {
	// Search finds, within one company the caller may read: its devices by
	// name, comment, MAC, device type or order number; its projects by name
	// or description; its own activation keys by code, comment or order
	// number/reference (queries of at least MinKeySearch characters). A
	// query naming a license type ("PBX-Port8", "PBX-Port8=100") finds the
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
	// Truncated: a list was cut at MaxSearchHits.
	Truncated bool `json:"truncated,omitempty"`
}

// LicenseQuery is a parsed license-type query.
type LicenseQuery struct {
	Type    string `json:"type"`
	Version int    `json:"version,omitempty"` // 0: any version
	AtLeast int64  `json:"at_least"`
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
