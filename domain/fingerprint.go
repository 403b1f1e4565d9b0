package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// Fingerprint is a SHA-256 over a canonical dump of the state, with every
// map visited in sorted order. Two replays of one log must give the same
// fingerprint; `ledger verify` and the replay tests compare them.
func (s *State) Fingerprint() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, id := range sortedKeys(s.Persons) {
		p := s.Persons[id]
		_ = enc.Encode([]any{"person", p.ID, p.Email, p.Name, p.Vendor, sortedPairs(p.Tokens)})
	}
	for _, id := range sortedKeys(s.Companies) {
		c := s.Companies[id]
		members := make([]any, 0, len(c.Members))
		for _, pid := range sortedKeys(c.Members) {
			members = append(members, []any{pid, c.Members[pid]})
		}
		_ = enc.Encode([]any{"company", c.ID, c.Name, members, sortedKeys(c.Projects)})
	}
	for _, id := range sortedKeys(s.Projects) {
		p := s.Projects[id]
		_ = enc.Encode([]any{"project", p.ID, p.Company, p.Name, p.Description, p.Balance.Lines()})
	}
	codes := make([]string, 0, len(s.Keys))
	for c := range s.Keys {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		_ = enc.Encode([]any{"key", s.Keys[c]})
	}
	_ = enc.Encode([]any{"last", s.LastPerson, s.LastCompany, s.LastProject})
	s.fingerprintLicensing(enc)
	s.fingerprintOrganization(enc)
	s.fingerprintSSA(enc)
	s.fingerprintRenting(enc)
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys[K ~int64, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sortedPairs(m map[string]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
