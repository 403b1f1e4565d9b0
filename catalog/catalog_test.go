package catalog

import (
	"testing"

	"github.com/innolic/ledger/domain"
)

func TestDefaultCatalogParsesAndHasTheReferenceTypes(t *testing.T) {
	c := Default()
	for _, name := range []string{"PBX-PBX", "PBX-Port", "PBX-Voicemail", "PBX-Standby", "PBX-Registration",
		"Relay-PRI", "DECT-Multi-Cell-Ari", "GVL-Purchase", "GVL-Within-Warranty", "SSC", "iSC"} {
		if _, ok := c.LicenseTypes[name]; !ok {
			t.Errorf("catalog lacks license type %s", name)
		}
	}
	if got := c.Releases[16]; got != "2026-04-28" {
		t.Errorf("release of V16 = %q, want 2026-04-28", got)
	}
	if err := c.CheckItem(domain.Item{Type: "PBX-Port", Version: 13}); err != nil {
		t.Errorf("PBX-Port13 refused: %v", err)
	}
	if err := c.CheckItem(domain.Item{Type: "PBX-Port", Version: 4}); err == nil {
		t.Error("PBX-Port4 accepted; V4 is not in the catalog")
	}
	if err := c.CheckItem(domain.Item{Type: "SSC", Version: 8}); err == nil {
		t.Error("SSC with a version accepted")
	}
}

func TestRentalPrices(t *testing.T) {
	c := Default()
	if p := c.LicenseTypes["PBX-Port"].ISCMonth; p.String() != "1" {
		t.Errorf("PBX-Port rents at %s iSC a month", p)
	}
	if p := c.LicenseTypes["Relay-PRI"].ISCMonth; !p.IsZero() {
		t.Errorf("a gateway license rents at %s", p)
	}
	if _, err := domain.ParseCatalog([]byte(`{"license_types":[{"name":"X","category":"pbx","isc_month":"-1"}]}`)); err == nil {
		t.Error("a negative iSC price was accepted")
	}
}
