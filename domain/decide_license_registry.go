package domain

import (
	"strings"
	"time"
)

// MaxRegistryBatch bounds the devices of one registry command (one order).
const MaxRegistryBatch = 1000

// RegistryEntry is one device of an order: its MAC and device type.
type RegistryEntry struct {
	MAC  string `json:"mac" maxLength:"100"`
	Type string `json:"type" maxLength:"100"`
}

// RegisterDevices is the license department entering the devices of an
// order into the vendor registry (vendor staff only). Hardware only: the
// MACs lie in the vendor's range and the types are hardware types; virtual
// devices are created by their owners when added. Refusals in order:
// vendor-only, invalid-text/invalid-order-number, invalid-date,
// invalid-lines (count), then per device in input order invalid-mac,
// unknown-device-type, device-type-not-hardware, mac-not-vendor,
// device-registered.
type RegisterDevices struct {
	OrderNumber string
	Delivered   string // YYYY-MM-DD, the delivery date (the warranty starts here)
	Devices     []RegistryEntry
}

// CommandType implements Command.
func (RegisterDevices) CommandType() string { return "RegisterDevices" }

func (c RegisterDevices) decide(s *State, by Principal, _ time.Time) ([]Event, error) {
	if !by.Vendor {
		return nil, ErrVendorOnly
	}
	order := strings.TrimSpace(c.OrderNumber)
	if err := CheckText("order_number", order, SingleLine, 0); err != nil {
		return nil, err
	}
	if order == "" || len([]rune(order)) > MaxOrderNumber {
		return nil, Errorf(KindInvalid, "invalid-order-number", "an order number of 1 to 100 characters is required")
	}
	if _, err := parseDate("delivered", c.Delivered); err != nil {
		return nil, err
	}
	if len(c.Devices) == 0 || len(c.Devices) > MaxRegistryBatch {
		return nil, Errorf(KindInvalid, "invalid-devices", "an order registers 1 to %d devices", MaxRegistryBatch)
	}
	out := make([]Event, 0, len(c.Devices))
	seen := map[MAC]bool{}
	for _, en := range c.Devices {
		m, err := s.checkRegistryEntry(en)
		if err != nil {
			return nil, err
		}
		if seen[m] {
			return nil, Errorf(KindRejected, "device-registered", "device %s is listed twice", m)
		}
		seen[m] = true
		out = append(out, DeviceRegistered{MAC: m, Type: en.Type, OrderNumber: order, Delivered: c.Delivered})
	}
	return out, nil
}

func (s *State) checkRegistryEntry(en RegistryEntry) (MAC, error) {
	m, err := ParseMAC(en.MAC)
	if err != nil {
		return "", err
	}
	t, err := s.Catalog.DeviceType(en.Type)
	if err != nil {
		return "", err
	}
	if !t.Hardware() {
		return "", Errorf(KindRejected, "device-type-not-hardware", "%s devices are created by their owners, not registered from orders", t.Name)
	}
	if !s.Catalog.IsVendorMAC(m) {
		return "", Errorf(KindRejected, "mac-not-vendor", "%s is not in the vendor's MAC range", m)
	}
	if _, dup := s.Devices[m]; dup {
		return "", Errorf(KindRejected, "device-registered", "device %s is already registered", m)
	}
	return m, nil
}
