package domain

import "time"

// withRentalNotes follows every change of a domain project's iSC that a
// command other than the rental's own makes (an activation key redeemed
// into it, an own key created from it or updated, a key deleted back into
// it, a project joined into it) with a RentalBalanceChanged carrying the
// new rental end date. A top-up first settles the days due at the old
// balance (prepended: it takes only what those days cost, and nothing the
// command decided depends on the domain's iSC), and resumes a lapsed
// rental when the new balance covers today. A withdrawal is not settled
// first: the command checked the balance as it was; the days still due are
// charged from what is left, and lapse if it does not cover them.
func (s *State) withRentalNotes(evs []Event, now time.Time) []Event {
	type change struct {
		project ProjectID
		delta   int64
		cause   string
		code    string
	}
	var changes []change
	note := func(p ProjectID, lines []Line, sign int64, cause, code string) {
		if _, linked := s.DomainOfProject[p]; !linked {
			return
		}
		var d int64
		for _, l := range lines {
			if l.Item == ISCItem {
				d += sign * l.Quantity
			}
		}
		for i := range changes {
			if changes[i].project == p {
				changes[i].delta += d // one note per project and command
				return
			}
		}
		if d != 0 {
			changes = append(changes, change{p, d, cause, code})
		}
	}
	for _, e := range evs {
		switch e := e.(type) {
		case KeyRedeemed:
			note(e.Project, e.Lines, +1, e.EventType(), e.Code)
		case KeyIssued:
			note(e.FromProject, e.Lines, -1, e.EventType(), e.Code)
		case KeyUpdated:
			note(e.Project, e.Delta, -1, e.EventType(), e.Code)
		case KeyDeleted:
			note(e.Project, e.Lines, +1, e.EventType(), e.Code)
		case ProjectJoined:
			note(e.Into, e.Balance, +1, e.EventType(), "")
		}
	}
	if len(changes) == 0 {
		return evs
	}
	today := DayOf(now)
	var pre, post []Event
	for _, c := range changes {
		if c.delta == 0 {
			continue
		}
		sim := s.rentalSimOf(s.Domains[s.DomainOfProject[c.project]])
		if c.delta > 0 {
			if e, ok := sim.settle(today); ok {
				pre = append(pre, e)
			}
		}
		sim.balance += c.delta
		if c.delta > 0 && sim.acct.Lapsed != 0 {
			if e, ok := sim.resume(today); ok {
				post = append(post, e)
			}
		}
		post = append(post, RentalBalanceChanged{DomainRef: sim.ref, Delta: c.delta, Cause: c.cause, Code: c.code,
			RentalSnapshot: sim.snapshot()})
	}
	out := make([]Event, 0, len(pre)+len(evs)+len(post))
	return append(append(append(out, pre...), evs...), post...)
}
