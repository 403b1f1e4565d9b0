package domain

import "encoding/json"

// fingerprintOrganization writes the organization state the base
// fingerprint leaves out (customer ids, project properties and rights,
// contracts, company joins, persons' SSA mail flags and token labels) in
// sorted order, so a replay that lost any of it is caught by `ledger verify`.
func (s *State) fingerprintOrganization(enc *json.Encoder) {
	for _, id := range sortedKeys(s.Persons) {
		p := s.Persons[id]
		_ = enc.Encode([]any{"person-settings", id, p.NoSSAMail, sortedPairs(p.TokenLabels)})
	}
	for _, id := range sortedKeys(s.Companies) {
		_ = enc.Encode([]any{"customer-id", id, s.Companies[id].CustomerID})
	}
	for _, id := range sortedKeys(s.Projects) {
		p := s.Projects[id]
		_ = enc.Encode([]any{"project-org", id, p.Properties, sortedKeys(p.Grants)})
	}
	for _, id := range sortedKeys(s.Contracts) {
		_ = enc.Encode([]any{"contract", *s.Contracts[id]})
	}
	for _, id := range sortedKeys(s.Absorbed) {
		_ = enc.Encode([]any{"absorbed", id, s.Absorbed[id]})
	}
	_ = enc.Encode([]any{"last-contract", s.LastContract})
}
