package domain

import (
	"encoding/json"
	"sort"
)

// fingerprintLicensing writes the license lifecycle's state (devices with
// placements and lines, orders, credit purchases) in sorted order.
func (s *State) fingerprintLicensing(enc *json.Encoder) {
	for _, m := range SortedMACs(s.Devices) {
		d := s.Devices[m]
		places := make([]any, 0, len(d.In))
		for _, c := range sortedKeys(d.In) {
			places = append(places, []any{c, *d.In[c]})
		}
		_ = enc.Encode([]any{"device", d.MAC, d.Type, d.OrderNumber, d.Delivered, d.Owner, d.RMA, d.RMACompany,
			d.ReturnLocked, d.Invalidations, d.TestUntil, places, d.Licenses})
	}
	for _, p := range sortedKeys(s.Free) {
		_ = enc.Encode([]any{"free", p, s.Free[p]})
	}
	orders := make([]string, 0, len(s.Orders))
	for o := range s.Orders {
		orders = append(orders, o)
	}
	sort.Strings(orders)
	for _, o := range orders {
		_ = enc.Encode([]any{"order", o, s.Orders[o]})
	}
	for _, c := range sortedKeys(s.Prefixes) {
		_ = enc.Encode([]any{"prefix", c, s.Prefixes[c]})
	}
	for _, c := range sortedKeys(s.AppDevDevices) {
		_ = enc.Encode([]any{"app-dev", c, SortedMACs(s.AppDevDevices[c])})
	}
	_ = enc.Encode([]any{"credits", s.Credits})
	_ = enc.Encode([]any{"last-license", s.LastLicense})
}
