package catalog

import (
	"strings"
	"testing"

	"github.com/innolic/ledger/domain"
)

func TestDefaultCatalogHasTheDeviceTypes(t *testing.T) {
	c := Default()
	for _, name := range []string{"IP800", "IP810", "IP811", "IP6000", "IP6010", "IP3010", "IP1060", "IP1130",
		"IP0010", "IP0011", "IP1200", "IPVA", "IP112", "App Platform"} {
		if _, err := c.DeviceType(name); err != nil {
			t.Errorf("catalog lacks device type %s", name)
		}
	}
	ip6000, _ := c.DeviceType("IP6000")
	if ip6000.Max["Relay-PRI"] != 4 || !ip6000.Hardware() {
		t.Errorf("IP6000 = %+v; the reference allows 4 Relay-PRI on an IP6000", ip6000)
	}
	if ip6000.Max["GVL-Purchase"] != 4 {
		t.Errorf("warranty extension is at most 4 years, catalog says %d", ip6000.Max["GVL-Purchase"])
	}
	if ip811, _ := c.DeviceType("IP811"); !strings.HasPrefix(ip811.Product, "01-00811") {
		t.Errorf("IP811 product number %q; the reference finds the IP811 by 01-00811", ip811.Product)
	}
	va, _ := c.DeviceType("IPVA")
	if va.Hardware() || va.Max["Relay-PRI"] != 0 || va.Max["GVL-Purchase"] != 0 {
		t.Errorf("IPVA = %+v: virtual, no gateway licenses, no warranty", va)
	}
	if !c.IsVendorMAC("00-90-33-01-02-03") || c.IsVirtualMAC("00-90-33-01-02-03") {
		t.Error("00-90-33 is the vendor range")
	}
	for _, m := range []domain.MAC{"00-50-56-01-02-03", "bc-24-11-22-33-44", "e2-01-02-03-04-05", "02-01-04-00-00-01"} {
		if !c.IsVirtualMAC(m) {
			t.Errorf("%s is in a virtual range", m)
		}
	}
	if c.IsVirtualMAC("bc-25-00-00-00-00") {
		t.Error("bc-25 is not virtual")
	}
}

func TestCatalogRefusesBadDeviceTypes(t *testing.T) {
	for name, dev := range map[string]string{
		"unknown license type": `{"name":"X","kind":"gateway","mac":"vendor","max":{"Nope":1}}`,
		"zero maximum":         `{"name":"X","kind":"gateway","mac":"vendor","max":{"Relay-PRI":0}}`,
		"bad mac range":        `{"name":"X","kind":"gateway","mac":"elsewhere","max":{}}`,
		"no kind":              `{"name":"X","mac":"vendor","max":{}}`,
		"same product number": `{"name":"X","kind":"gateway","mac":"vendor","product":"01-1","max":{}},` +
			`{"name":"Y","kind":"gateway","mac":"vendor","product":"01-1","max":{}}`,
	} {
		js := `{"license_types":[{"name":"Relay-PRI","category":"gateway","versions":[8]}],"releases":{},"devices":{"types":[` + dev + `]}}`
		if _, err := domain.ParseCatalog([]byte(js)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	js := `{"license_types":[],"releases":{},"devices":{"virtual_mac_prefixes":["00-5G"],"types":[]}}`
	if _, err := domain.ParseCatalog([]byte(js)); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("bad prefix: %v", err)
	}
}
