package domain

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
}

// NewState returns the empty state for a catalog.
func NewState(c *Catalog) *State {
	return &State{Catalog: c, People: newPeople(), Organization: newOrganization(), Licensing: newLicensing(),
		SoftwareService: newSoftwareService(), Reminding: newReminding()}
}

// Evolve applies one event to the state. Events come from the log and were
// decided against the state they are applied to, so a mismatch (an unknown
// project, say) means a corrupt log and is returned as an error.
func (s *State) Evolve(e Event) error { return e.apply(s) }
