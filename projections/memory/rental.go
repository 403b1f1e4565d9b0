package memory

import (
	"slices"
	"time"

	"github.com/innolic/ledger/domain"
	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/replay"
)

var _ projections.RentalReader = (*Model)(nil)

// rentalLog is the rental history read model: per domain, its rental
// entries in log order (projections.RentalEntryOf).
type rentalLog map[string][]projections.RentalEntry

func (l rentalLog) add(r replay.Record) {
	if e, ok := projections.RentalEntryOf(r.Env.Seq, r.Env.Time, r.Event); ok {
		l[e.Domain] = append(l[e.Domain], e)
	}
}

// clone copies the index; entries never change once added, and the lists
// are clipped so that an append to either copy reallocates.
func (l rentalLog) clone() rentalLog {
	out := make(rentalLog, len(l))
	for k, list := range l {
		out[k] = slices.Clip(list)
	}
	return out
}

// DevicesInstances implements projections.RentalReader.
func (m *Model) DevicesInstances(by domain.Principal, company domain.CompanyID) ([]projections.InstanceView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	return projections.InstanceViews(m.st, company), nil
}

// Domains implements projections.RentalReader.
func (m *Model) Domains(by domain.Principal, company domain.CompanyID) ([]projections.DomainView, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.st.CanRead(by, company); err != nil {
		return nil, err
	}
	return projections.DomainViews(m.st, company), nil
}

// AppPlatformState implements projections.RentalReader.
func (m *Model) AppPlatformState(by domain.Principal, name string, day domain.Day) (domain.AppPlatformState, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	name = domain.NormalizeDomainName(name)
	v, ok := m.st.AppPlatform(name, day)
	if !ok {
		return v, domain.Errorf(domain.KindNotFound, "domain-not-found", "no domain %q", name)
	}
	if err := m.st.CanRead(by, v.Company); err != nil {
		return domain.AppPlatformState{}, err
	}
	return v, nil
}

// RentalQuote implements projections.RentalReader with the domain's
// decider over the model's state.
func (m *Model) RentalQuote(by domain.Principal, c domain.RentLicenses, now time.Time) (domain.RentalQuote, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st.QuoteRental(by, c, now)
}

// RentalHistory implements projections.RentalReader: the callers must
// read every domain's company.
func (m *Model) RentalHistory(by domain.Principal, q projections.RentalHistoryQuery) ([]projections.RentalEntry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var lists [][]projections.RentalEntry
	for _, name := range q.Domains {
		dm, ok := m.st.Domains[name]
		if !ok {
			return nil, domain.Errorf(domain.KindNotFound, "domain-not-found", "no domain %q", name)
		}
		if err := m.st.CanRead(by, m.st.CompanyOfDomain(dm)); err != nil {
			return nil, err
		}
		lists = append(lists, m.rental[name])
	}
	out := []projections.RentalEntry{}
	for _, list := range lists {
		for _, e := range list {
			if (q.From.IsZero() || !e.Time.Before(q.From)) && (q.To.IsZero() || e.Time.Before(q.To)) {
				out = append(out, e)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b projections.RentalEntry) int {
		switch {
		case a.Position < b.Position:
			return -1
		case a.Position > b.Position:
			return 1
		}
		return 0
	})
	return out, nil
}

// DigestCredentials implements projections.RentalReader.
func (m *Model) DigestCredentials(user string) []domain.DigestCredential {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.st.DigestCredentials(domain.NormalizeDomainName(user))
}
