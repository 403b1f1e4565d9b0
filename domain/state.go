package domain

import "maps"

// State is everything the deciders need, built by Evolve from the log. It
// is mutable for speed: the single writer applies events to it in place.
// Each area of the domain owns one embedded part, declared in its own file.
type State struct {
	Catalog *Catalog
	People
	Organization
	Licensing
	SoftwareService
	Reminding
	Renting
}

// NewState returns the empty state for a catalog.
func NewState(c *Catalog) *State {
	return &State{Catalog: c, People: newPeople(), Organization: newOrganization(), Licensing: newLicensing(),
		SoftwareService: newSoftwareService(), Reminding: newReminding(), Renting: newRenting()}
}

// Evolve applies one event to the state. Events come from the log and were
// decided against the state they are applied to, so a mismatch (an unknown
// project, say) means a corrupt log and is returned as an error.
func (s *State) Evolve(e Event) error { return e.apply(s) }

// Grow makes room in the maps that hold one entry per entity (persons,
// companies, projects, keys, devices...) for factor times the entries they
// hold. A replay that has applied part of a log calls it with the share of
// the log still to come: maps of a million entries then never split and
// rehash while they fill, a large part of the cost of inserting into them.
// An estimate that is off costs memory or rehashing, never correctness.
func (s *State) Grow(factor float64) {
	s.Persons, s.Emails, s.Tokens = grown(s.Persons, factor), grown(s.Emails, factor), grown(s.Tokens, factor)
	s.Companies, s.Projects, s.Contracts = grown(s.Companies, factor), grown(s.Projects, factor), grown(s.Contracts, factor)
	s.Keys, s.Devices, s.Orders = grown(s.Keys, factor), grown(s.Devices, factor), grown(s.Orders, factor)
	s.Reminders = grown(s.Reminders, factor)
}

// grown returns a copy of m with room for factor times its entries.
func grown[M ~map[K]V, K comparable, V any](m M, factor float64) M {
	n := int(float64(len(m)) * factor)
	if n <= len(m) {
		return m
	}
	g := make(M, n)
	maps.Copy(g, m)
	return g
}
