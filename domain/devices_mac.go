package domain

import (
	"strconv"
	"strings"
)

// MAC is a device's MAC address in canonical form: six lower-case hex
// octets joined by '-', e.g. "00-90-33-01-02-03". Devices are identified by
// it across companies.
type MAC string

// Tag returns the envelope tag of a device.
func (m MAC) Tag() string { return "device:" + string(m) }

// VendorPrefix is added to MACs given as six hex digits only.
const VendorPrefix = "00-90-33"

// MaxDevicesAtOnce bounds a range or list of devices added at once.
const MaxDevicesAtOnce = 50

// ParseMAC accepts every input form of the portal: 00-90-33-xx-xx-xx,
// 00:90:33:xx:xx:xx, 009033xxxxxx and xxxxxx (the vendor prefix is added),
// in either case, and returns the canonical form.
func ParseMAC(in string) (MAC, error) {
	s := strings.ToLower(strings.TrimSpace(in))
	switch {
	case len(s) == 17 && (sepEvery3(s, '-') || sepEvery3(s, ':')):
		s = strings.NewReplacer("-", "", ":", "").Replace(s)
	case len(s) == 12:
	case len(s) == 6:
		s = strings.ReplaceAll(VendorPrefix, "-", "") + s
	default:
		return "", invalidMAC(in)
	}
	if !isHex(s) {
		return "", invalidMAC(in)
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i : i+2])
	}
	return MAC(b.String()), nil
}

func invalidMAC(in string) error {
	return Errorf(KindInvalid, "invalid-mac", "%q is not a MAC address (00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx or xxxxxx)", in)
}

// sepEvery3 reports whether s has sep at every third position and only there.
func sepEvery3(s string, sep byte) bool {
	for i := 0; i < len(s); i++ {
		if (i%3 == 2) != (s[i] == sep) {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// uint64 returns the MAC as a number, for ranges.
func (m MAC) uint64() uint64 {
	n, _ := strconv.ParseUint(strings.ReplaceAll(string(m), "-", ""), 16, 64)
	return n
}

func macOf(n uint64) MAC {
	s := strconv.FormatUint(n, 16)
	m, _ := ParseMAC(strings.Repeat("0", 12-len(s)) + s)
	return m
}

// ExpandMACRange lists the MACs from..to inclusive, at most
// MaxDevicesAtOnce of them.
func ExpandMACRange(from, to string) ([]MAC, error) {
	a, err := ParseMAC(from)
	if err != nil {
		return nil, err
	}
	b, err := ParseMAC(to)
	if err != nil {
		return nil, err
	}
	lo, hi := a.uint64(), b.uint64()
	if hi < lo {
		return nil, Errorf(KindInvalid, "invalid-range", "the range ends (%s) before it starts (%s)", b, a)
	}
	if hi-lo >= MaxDevicesAtOnce {
		return nil, Errorf(KindInvalid, "too-many-devices", "at most %d devices at once", MaxDevicesAtOnce)
	}
	out := make([]MAC, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		out = append(out, macOf(n))
	}
	return out, nil
}

// ParseMACList parses up to MaxDevicesAtOnce MACs (blank entries are
// skipped, as in an uploaded text file); the same MAC twice is one device.
func ParseMACList(in []string) ([]MAC, error) {
	out := make([]MAC, 0, len(in))
	seen := map[MAC]bool{}
	for _, raw := range in {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		m, err := ParseMAC(raw)
		if err != nil {
			return nil, err
		}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(KindInvalid, "no-devices", "no MAC address given")
	}
	if len(out) > MaxDevicesAtOnce {
		return nil, Errorf(KindInvalid, "too-many-devices", "at most %d devices at once", MaxDevicesAtOnce)
	}
	return out, nil
}

// looksLikeDeviceID reports whether a name is a MAC (any input form) or a
// DECT IPEI (12 or 13 digits, spaces allowed). Such names are refused as
// device names, so a name never passes for another device's identity.
func looksLikeDeviceID(name string) bool {
	if _, err := ParseMAC(name); err == nil {
		return true
	}
	d := strings.ReplaceAll(name, " ", "")
	if len(d) != 12 && len(d) != 13 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}
