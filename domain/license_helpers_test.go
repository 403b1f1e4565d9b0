package domain_test

import (
	"testing"

	"github.com/innolic/ledger/catalog"
	. "github.com/innolic/ledger/domain"
)

// licState builds a state from events.
func licState(t *testing.T, evs ...Event) *State {
	t.Helper()
	st := NewState(catalog.Default())
	for i, e := range evs {
		if err := st.Evolve(e); err != nil {
			t.Fatalf("event %d %T: %v", i, e, err)
		}
	}
	return st
}

// licApply decides a command that must succeed and applies its events.
func licApply(t *testing.T, st *State, by Principal, c Command) []Event {
	t.Helper()
	evs, err := Decide(st, by, c, now)
	if err != nil {
		t.Fatalf("%s: %v", c.CommandType(), err)
	}
	for _, e := range evs {
		if err := st.Evolve(e); err != nil {
			t.Fatalf("%s: %T does not apply: %v", c.CommandType(), e, err)
		}
	}
	return evs
}
